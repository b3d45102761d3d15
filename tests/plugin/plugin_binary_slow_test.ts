/**
 * The compiled binary (Bun) as a plugin host: it installs a plugin from a tar.gz, signs through
 * an envelope-generating plugin, and runs the verification plugin the signature names (loaded
 * on demand) — trusted and untrusted answers.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { bunCompileArgs } from "../_helpers/bun.ts";
import { describeRun, withTempDir } from "../_helpers/e2e.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";
import { host } from "./_host.ts";

const BUN = findPeer("bun");
const TAR = findPeer("tar");
const FAKE_ENVELOPE = new URL("./_fake_envelope_plugin.ts", import.meta.url).pathname;
const REPO_ROOT = new URL("../../", import.meta.url).pathname;

Deno.test({
  name: "the compiled binary installs a tar.gz plugin, signs through it and runs its verifier",
  ignore: BUN === undefined || TAR === undefined,
  fn: () =>
    withTempDir("ocisign-plugin-binary-", async (dir) => {
      const h = await host(dir);
      const binary = `${dir}/ocisign`;
      const built = await runPeer(BUN!, bunCompileArgs(binary), { cwd: REPO_ROOT });
      assertEquals(built.code, 0, describeRun(built));
      const run = (...args: string[]) =>
        runPeer(binary, args, {
          cwd: h.cwd,
          env: { OCISIGN_CONFIG_DIR: h.configDir, HOME: h.cwd },
        });
      await h.script("signer", FAKE_ENVELOPE);
      const tarred = await runPeer(TAR!, ["czf", `${dir}/signer.tar.gz`, "notation-signer"], {
        cwd: `${dir}/bin`,
      });
      assertEquals(tarred.code, 0, describeRun(tarred));

      const installed = await run("plugin", "install", "--file", `${dir}/signer.tar.gz`);
      assertEquals(installed.code, 0, describeRun(installed));
      const signed = await run(
        "sign",
        "--oci-layout",
        "./hello:v1",
        "--plugin",
        "signer",
        "--id",
        "key-1",
        ...h.config("vault", "minVersion=1.0.0"),
      );
      assertEquals(signed.code, 0, describeRun(signed));
      const verify = (...more: string[]) =>
        run("verify", "--oci-layout", "./hello:v1", "--scope", "local/hello", ...more);
      const trusted = await verify();
      assertEquals(trusted.code, 0, describeRun(trusted));
      const untrusted = await verify("--plugin-config", "verify=untrusted");
      assertEquals(untrusted.code, 3, describeRun(untrusted));
      assert.match(untrusted.stderr, /by plugin "signer" failed with reason "not our signer"/);
    }),
});
