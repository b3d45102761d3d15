/**
 * notation (notation-peer: notation-go v1.3.2) and oras against `ocisign serve`, a registry with
 * the OCI 1.1 Referrers API: notation signs through the API (`--force-referrers-tag=false`) and
 * through the tag schema, ocisign through the API by default; each tool lists and verifies what
 * the others pushed, oras discovers all of it, and the layouts behind the server hold the
 * signatures where notation finds them on disk. Needs `notation-peer`, `oras` and `openssl`.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { findPeer, type PeerResult, runPeer } from "../_helpers/peers.ts";
import {
  copyDir,
  describeRun,
  makeInteropSigners,
  NOTARY_SIGNATURE,
  ocisign,
  pushedSignature,
  startOcisignServe,
  stdoutJson,
  withTempDir,
} from "../_helpers/e2e.ts";
import { makeOrasLayout } from "./notation_go/fixtures.ts";

const PEER = findPeer("notation-peer");
const ORAS = findPeer("oras");
const OPENSSL = findPeer("openssl");
const MISSING = PEER === undefined || ORAS === undefined || OPENSSL === undefined;

Deno.test({
  name: "notation-peer, oras and ocisign share signatures through ocisign serve's Referrers API",
  ignore: MISSING,
  fn: () =>
    withTempDir("ocisign-interop-serve-", async (dir) => {
      const root = `${dir}/repos`;
      const { layout, digest } = await makeOrasLayout(ORAS!, dir, "hello", "v1");
      await copyDir(layout, `${root}/hello`);
      const server = await startOcisignServe(root, dir);
      try {
        const port = server.host.split(":")[1];
        const repo = `localhost:${port}/hello`;
        const cfg = `${dir}/cfg`;
        const pki = await makeInteropSigners(OPENSSL!, dir, cfg, [repo, "local/hello"]);
        const run = (...args: string[]) => ocisign({ cwd: dir, configDir: cfg }, ...args);
        const peer = (...args: string[]): Promise<PeerResult> =>
          runPeer(PEER!, args, { cwd: dir, env: { NOTATION_CACHE: `${dir}/notation-cache` } });
        const signWithPeer = async (extra: string[]): Promise<string> => {
          const signed = await peer(
            "sign",
            `${repo}@${digest}`,
            "--key",
            pki.ec.leafKey,
            "--cert",
            pki.ec.chain,
            ...extra,
          );
          assertEquals(signed.code, 0, describeRun(signed));
          return signed.stdout.trim();
        };

        const viaApi = await signWithPeer(["--force-referrers-tag=false"]);
        const tags = async (): Promise<string[]> => {
          const res = await fetch(`http://${server.host}/v2/hello/tags/list`);
          return (await res.json()).tags;
        };
        assertEquals(await tags(), ["v1"], "the Referrers API needs no sha256-<hex> tag");
        const ours = await run("sign", `${repo}@${digest}`, "--key", "rsa");
        assertEquals(ours.code, 0, describeRun(ours));
        assertEquals(await tags(), ["v1"], "ocisign uses the Referrers API when it is there");
        const viaTag = await signWithPeer(["--signature-format", "cose"]);
        assertEquals(await tags(), [digest.replace(":", "-"), "v1"], "notation's default schema");
        const all = [viaApi, pushedSignature(ours), viaTag].sort();

        // The Referrers API answers with every manifest whose subject is the image, however it
        // was pushed, and every tool reads it.
        const peerListed = await peer("list", `${repo}@${digest}`);
        assertEquals(peerListed.stdout.split("\n").filter((l) => l !== "").sort(), all);
        const ourList = await run("list", `${repo}@${digest}`, "-o", "json");
        const listed = stdoutJson(ourList).signatures as Array<{ digest: string }>;
        assertEquals(listed.map((s) => s.digest).sort(), all);
        const discovered = await runPeer(
          ORAS!,
          ["discover", "--plain-http", `${repo}@${digest}`, "--format", "json"],
        );
        assertEquals(discovered.code, 0, describeRun(discovered));
        const referrers = JSON.parse(discovered.stdout).referrers as Array<
          { digest: string; artifactType: string }
        >;
        assertEquals(referrers.map((r) => r.digest).sort(), all);
        for (const r of referrers) assertEquals(r.artifactType, NOTARY_SIGNATURE);

        const peerOk = await peer("verify", `${repo}@${digest}`, "--config-dir", cfg);
        assertEquals(peerOk.code, 0, describeRun(peerOk));
        const ourOk = await run("verify", `${repo}@${digest}`);
        assertEquals(ourOk.code, 0, describeRun(ourOk));

        // The layout behind the server holds every signature; notation finds them on disk.
        const onDisk = await peer("list", "--oci-layout", `${root}/hello@${digest}`);
        assertEquals(onDisk.stdout.split("\n").filter((l) => l !== "").sort(), all);
        const diskOk = await peer(
          "verify",
          "--oci-layout",
          `${root}/hello:v1`,
          "--scope",
          "local/hello",
          "--config-dir",
          cfg,
        );
        assertEquals(diskOk.code, 0, describeRun(diskOk));
      } finally {
        await server.stop();
      }
    }),
});
