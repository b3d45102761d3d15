/**
 * The binary `bun build --compile` makes signs with a key in a real SoftHSM token through
 * bun:ffi, with the PIN from the environment or typed at an unechoed prompt (heavy: it compiles
 * the binary, so it runs with `deno task test:slow`). Needs softhsm2, opensc and bun; `script`
 * (util-linux) for the prompt, the notation CLI for the cross-check.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import type { CliResult } from "../_helpers/cli.ts";
import { describeRun, pushedSignature } from "../_helpers/e2e.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";
import { bunCompileArgs } from "../_helpers/bun.ts";
import { NO_SOFTHSM, SOFTHSM_MODULE, TOKEN, withSoftHsm } from "./_softhsm.ts";
import { station, trust, URI, verifyBoth } from "./_station.ts";

const BUN = findPeer("bun");
const SCRIPT = findPeer("script");

/**
 * Runs a command on a pseudo-terminal (util-linux `script`), types the PIN once the prompt is
 * shown, and returns everything the terminal displayed.
 */
async function typePinAtPrompt(
  bin: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<string> {
  const quoted = [bin, ...args].map((a) => `'${a}'`).join(" ");
  const child = new Deno.Command(SCRIPT!, {
    args: ["-qec", quoted, "/dev/null"],
    cwd,
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  let shown = "";
  let typed = false;
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    shown += chunk;
    if (!typed && shown.includes("PIN for")) {
      typed = true;
      await writer.write(new TextEncoder().encode(`${TOKEN.pin}\r`));
      await writer.close();
    }
  }
  await child.status;
  return shown;
}
const REPO_ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

Deno.test({
  name: "the compiled binary signs with the token through bun:ffi; the PIN typed unechoed",
  ignore: NO_SOFTHSM !== false || BUN === undefined,
  fn: () =>
    withSoftHsm(async (hsm) => {
      await hsm.keypair("release", "01", "rsa:2048");
      const s = await station(hsm);
      const binary = `${hsm.dir}/ocisign`;
      const built = await runPeer(BUN!, bunCompileArgs(binary), {
        cwd: REPO_ROOT,
      });
      assertEquals(built.code, 0, describeRun(built));
      const env = {
        ...hsm.env,
        OCISIGN_CONFIG_DIR: s.configDir,
        OCISIGN_PKCS11_PIN: TOKEN.pin,
        OCISIGN_PKCS11_MODULE: SOFTHSM_MODULE!,
      };
      const run = (...args: string[]) => runPeer(binary, args, { cwd: s.cwd, env });
      const generated = await run("cert", "generate-test", "bin", "--pkcs11", URI("release"));
      assertEquals(generated.code, 0, describeRun(generated));
      await trust(s, "bin");
      const signed = await run(
        "sign",
        "--key",
        "bin",
        "--oci-layout",
        "./hello:v1",
        "--signature-format",
        "cose",
      );
      assertEquals(signed.code, 0, describeRun(signed));
      const wrongPin = await runPeer(
        binary,
        ["sign", "--key", "bin", "--oci-layout", "./hello:v1"],
        {
          cwd: s.cwd,
          env: { ...env, OCISIGN_PKCS11_PIN: "0000" },
        },
      );
      assertEquals(wrongPin.code, 6, describeRun(wrongPin));
      await verifyBoth(s, pushedSignature(signed as CliResult), "cose");
      if (SCRIPT !== undefined) {
        const { OCISIGN_PKCS11_PIN: _, ...noPin } = env;
        const typed = await typePinAtPrompt(
          binary,
          ["sign", "--key", "bin", "--oci-layout", "./hello:v1"],
          s.cwd,
          noPin,
        );
        assert.match(typed, /PIN for PKCS#11 token "station": /);
        assert.match(typed, /Successfully signed/);
        assert.ok(!typed.includes(TOKEN.pin), "the PIN is not echoed");
      }
    }),
});
