/**
 * The configuration directory against notation-go v1.3.2 (through `notation-peer`): what
 * notation writes, ocisign reads; what ocisign writes (keys, trust store, trust policy),
 * notation uses to sign and verify.
 */
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { cliSandbox } from "../../_helpers/cli.ts";
import type { CliSandbox } from "../../_helpers/cli.ts";
import { findPeer, runPeer } from "../../_helpers/peers.ts";

const notation = findPeer("notation-peer");
const umoci = findPeer("umoci");
const NAME = "wabbit-networks.io";

async function withSandbox(fn: (sb: CliSandbox) => Promise<void>): Promise<void> {
  const sb = await cliSandbox();
  try {
    await fn(sb);
  } finally {
    await sb.close();
  }
}

/** Every path under `root` (relative) with its permission bits, sorted. */
async function modes(root: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string, rel: string): Promise<void> {
    for await (const e of Deno.readDir(dir)) {
      const info = await Deno.lstat(`${dir}/${e.name}`);
      out.push(`${rel}${e.name} ${(info.mode! & 0o777).toString(8)}`);
      if (e.isDirectory) await walk(`${dir}/${e.name}`, `${rel}${e.name}/`);
    }
  }
  await walk(root, "");
  return out.sort();
}

Deno.test({
  name: "cert generate-test writes what notation writes: output, signingkeys.json, layout, modes",
  ignore: notation === undefined,
  fn: async () => {
    await withSandbox(async (sb) => {
      // Same path length for both directories, so that the files can be compared byte for byte.
      const ours = `${sb.dir}/cfgA`;
      const theirs = `${sb.dir}/cfgB`;
      const o = await sb.runWith(
        { env: { OCISIGN_CONFIG_DIR: ours } },
        "cert",
        "generate-test",
        NAME,
        "--default",
      );
      assertEquals(o.code, 0, o.stderr);
      const n = await runPeer(notation!, [
        "cert",
        "generate-test",
        NAME,
        "--default",
        "--config-dir",
        theirs,
      ]);
      assertEquals(n.code, 0, n.stderr);
      const normalize = (text: string, dir: string): string =>
        text.replaceAll(dir, "<dir>").replace(/expiring on \S+/, "expiring on <time>");
      assertEquals(normalize(o.stdout, ours), normalize(n.stdout, theirs));
      assertEquals(
        normalize(await Deno.readTextFile(`${ours}/signingkeys.json`), ours),
        normalize(await Deno.readTextFile(`${theirs}/signingkeys.json`), theirs),
      );
      assertEquals(await modes(ours), await modes(theirs));
    });
  },
});

Deno.test({
  name: "a configuration directory made by notation is used by ocisign",
  ignore: notation === undefined,
  fn: async () => {
    await withSandbox(async (sb) => {
      const n = await runPeer(notation!, [
        "cert",
        "generate-test",
        NAME,
        "--default",
        "--config-dir",
        sb.configDir,
      ]);
      assertEquals(n.code, 0, n.stderr);
      const keys = await sb.run("key", "list", "-o", "json");
      assertEquals(JSON.parse(keys.stdout), {
        default: NAME,
        keys: [{
          name: NAME,
          keyPath: `${sb.configDir}/localkeys/${NAME}.key`,
          certPath: `${sb.configDir}/localkeys/${NAME}.crt`,
          default: true,
        }],
      });
      const certs = await sb.run("cert", "list");
      assertEquals(certs.code, 0);
      assert.match(
        certs.stdout,
        new RegExp(
          `^ca +${NAME.replaceAll(".", "\\.")} +${NAME.replaceAll(".", "\\.")}\\.crt +$`,
          "m",
        ),
      );
      const more = await sb.run("cert", "generate-test", "second");
      assertEquals(more.code, 0, more.stderr);
      const update = await sb.run("key", "update", "second", "--default");
      assertEquals(update.code, 0, update.stderr);
    });
  },
});

Deno.test({
  name: "notation signs with ocisign's key and verifies with ocisign's trust store and policy",
  ignore: notation === undefined || umoci === undefined,
  fn: async () => {
    await withSandbox(async (sb) => {
      assertEquals((await sb.run("cert", "generate-test", NAME, "--default")).code, 0);
      const init = await sb.run(
        "policy",
        "init",
        "--name",
        "local-images",
        "--scope",
        "local/hello",
        "--trust-store",
        `ca:${NAME}`,
        "--trusted-identity",
        "x509.subject: C=US, ST=WA, O=Notary",
      );
      assertEquals(init.code, 0, init.stderr);
      const layout = `${sb.cwd}/hello`;
      assertEquals((await runPeer(umoci!, ["init", "--layout", layout])).code, 0);
      assertEquals((await runPeer(umoci!, ["new", "--image", `${layout}:v1`])).code, 0);
      const sign = await runPeer(notation!, [
        "sign",
        "--oci-layout",
        `${layout}:v1`,
        "--key",
        `${sb.configDir}/localkeys/${NAME}.key`,
        "--cert",
        `${sb.configDir}/localkeys/${NAME}.crt`,
      ]);
      assertEquals(sign.code, 0, sign.stderr);
      const verify = await runPeer(notation!, [
        "verify",
        "--oci-layout",
        `${layout}:v1`,
        "--scope",
        "local/hello",
        "--config-dir",
        sb.configDir,
      ]);
      assertEquals(verify.code, 0, verify.stderr);
      assert.match(verify.stdout, /^Successfully verified signature for /);
      // The same layout fails for a scope the policy does not cover.
      const other = await runPeer(notation!, [
        "verify",
        "--oci-layout",
        `${layout}:v1`,
        "--scope",
        "local/other",
        "--config-dir",
        sb.configDir,
      ]);
      assertEquals(other.code, 1);
    });
  },
});
