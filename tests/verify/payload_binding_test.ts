/**
 * A signed payload whose subject two JSON readers can read differently. Go's encoding/json
 * (notation) matches the keys of `targetArtifact` without regard to case and keeps the last match;
 * a reader that takes `digest` by its exact key binds the same signature to another artifact.
 * `ocisign verify` refuses such a payload (exit 3), whichever artifact it names; notation-peer (the
 * notation-go library) is run on the same envelopes to show what it reads. Needs `notation-peer`,
 * `oras` and `openssl`.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { utf8 } from "../../lib/_internal/bytes.ts";
import { LocalSigner } from "../../lib/signature/signer.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";
import {
  copyDir,
  describeRun,
  makeInteropSigners,
  ocisign,
  pushedSignature,
  replaceEnvelopeRelinked,
  withTempDir,
} from "../_helpers/e2e.ts";
import { makeOrasLayout } from "../interop/notation_go/fixtures.ts";
import { craftJws, jwsHeader } from "../signature/_craft.ts";

const PEER = findPeer("notation-peer");
const ORAS = findPeer("oras");
const OPENSSL = findPeer("openssl");
const SCOPE = "local/hello";
const OTHER = `sha256:${"0e".repeat(32)}`;

/** Payloads as raw text: `first` is written under `digest`, `second` under `key2`. */
function payload(first: string, second: string, key2: string, size = "SIZE"): string {
  return `{"targetArtifact":{"mediaType":"application/vnd.oci.image.manifest.v1+json",` +
    `"digest":"${first}","size":${size},"${key2}":"${second}"}}`;
}

Deno.test({
  name: "ocisign verify refuses a payload with case-variant digest keys, which notation reads last",
  ignore: ORAS === undefined || OPENSSL === undefined,
  fn: (t) =>
    withTempDir("ocisign-payload-binding-", async (dir) => {
      const cfg = `${dir}/cfg`;
      const signers = await makeInteropSigners(OPENSSL!, dir, cfg, [SCOPE]);
      const { layout: pristine, digest } = await makeOrasLayout(ORAS!, dir, "hello", "v1");
      const manifestSize = (await Deno.stat(
        `${pristine}/blobs/sha256/${digest.slice("sha256:".length)}`,
      )).size;
      const signer = await LocalSigner.create({
        privateKey: await Deno.readTextFile(signers.ec.leafKey),
        certificateChain: await Deno.readTextFile(signers.ec.chain),
      });
      const run = (...args: string[]) => ocisign({ cwd: dir, configDir: cfg }, ...args);

      const cases = [
        // ocisign's exact key says the real image, Go's last match says another artifact
        { name: "exact-first", text: payload(digest, OTHER, "Digest"), notationAccepts: false },
        // the other way round: Go binds to the real image, an exact-key reader does not
        { name: "exact-last", text: payload(OTHER, digest, "Digest"), notationAccepts: true },
        // Unicode folding: Go reads "digeſt" (long s) as "digest" too
        { name: "long-s", text: payload(digest, OTHER, "digeſt"), notationAccepts: false },
        // a size Go cannot decode into an int64
        {
          name: "float-size",
          text: payload(digest, "x", "note", `${manifestSize}.0`),
          notationAccepts: false,
        },
      ];
      for (const c of cases) {
        const layout = `${dir}/${c.name}`;
        await copyDir(pristine, layout);
        const signed = await run("sign", "--oci-layout", `${layout}:v1`, "--key", "ec");
        assertEquals(signed.code, 0, describeRun(signed));
        const envelope = await craftJws({
          header: jwsHeader("ES256"),
          sign: (data) => signer.sign(data),
          chain: signer.certificateChain,
          payload: utf8(c.text.replace("SIZE", String(manifestSize))),
        });
        await replaceEnvelopeRelinked(layout, pushedSignature(signed), envelope);

        const verified = await run("verify", "--oci-layout", `${layout}:v1`, "--scope", SCOPE);
        assertEquals(verified.code, 3, `${c.name}: ${describeRun(verified)}`);
        assert(
          /differ only in case|not spelled "digest"|must be written as an integer/.test(
            verified.stderr,
          ),
          `${c.name}: ${describeRun(verified)}`,
        );

        await t.step({
          name: `notation-go on the ${c.name} payload`,
          ignore: PEER === undefined,
          fn: async () => {
            // What notation-go makes of the same bytes: the last case-insensitive match wins.
            const peer = await runPeer(PEER!, [
              "verify",
              "--oci-layout",
              `${layout}:v1`,
              "--scope",
              SCOPE,
              "--config-dir",
              cfg,
            ], { cwd: dir, env: { NOTATION_CACHE: `${dir}/notation-cache` } });
            assertEquals(peer.code === 0, c.notationAccepts, `${c.name}: ${describeRun(peer)}`);
          },
        });
      }
      // the control: the same crafted envelope with one digest key verifies
      const layout = `${dir}/control`;
      await copyDir(pristine, layout);
      const signed = await run("sign", "--oci-layout", `${layout}:v1`, "--key", "ec");
      const envelope = await craftJws({
        header: jwsHeader("ES256"),
        sign: (data) => signer.sign(data),
        chain: signer.certificateChain,
        payload: utf8(payload(digest, "x", "note", String(manifestSize))),
      });
      await replaceEnvelopeRelinked(layout, pushedSignature(signed), envelope);
      const ok = await run("verify", "--oci-layout", `${layout}:v1`, "--scope", SCOPE);
      assertEquals(ok.code, 0, describeRun(ok));
    }),
});
