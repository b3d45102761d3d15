/**
 * The binary `bun build --compile` makes signs with a key in a real SoftHSM token through
 * bun:ffi, with the PIN from the environment or typed at an unechoed prompt (heavy: it compiles
 * the binary, so it runs with `deno task test:slow`). Needs softhsm2, opensc and bun; `script`
 * (util-linux) for the prompt, a C compiler for the PIN-state shim (a locked token, a final
 * try), the notation CLI for the cross-check.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import type { CliResult } from "../_helpers/cli.ts";
import { describeRun, pushedSignature } from "../_helpers/e2e.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";
import { bunCompileArgs } from "../_helpers/bun.ts";
import { NO_SOFTHSM, SOFTHSM_MODULE, TOKEN, withSoftHsm } from "./_softhsm.ts";
import { station, trust, URI, verifyBoth } from "./_station.ts";
import { buildPinStateShim, CC, loginCalls, PIN_FLAGS } from "./_pin_state_shim.ts";

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
      if (CC === undefined) return;
      // Through bun:ffi too, a locked token is refused before any login, and a final try is
      // spent only on a PIN typed at a prompt that says so.
      const shim = await buildPinStateShim(hsm.dir);
      const shimEnv = { ...env, PIN_SHIM_MODULE: SOFTHSM_MODULE!, PIN_SHIM_LOG: shim.log };
      const viaShim = ["sign", "--pkcs11", URI("release"), "--pkcs11-module", shim.path];
      const locked = await runPeer(binary, [...viaShim, "--oci-layout", "./hello:v1"], {
        cwd: s.cwd,
        env: { ...shimEnv, PIN_SHIM_TOKEN_FLAGS: PIN_FLAGS.LOCKED },
      });
      assertEquals(locked.code, 6, describeRun(locked));
      assert.match(locked.stderr, /token "station" is locked .* security officer PIN/);
      assertEquals(await loginCalls(shim.log), 0);
      if (SCRIPT !== undefined) {
        const { OCISIGN_PKCS11_PIN: _, ...noPin } = shimEnv;
        const typed = await typePinAtPrompt(
          binary,
          [...viaShim, "--cert", `${s.configDir}/localkeys/bin.crt`, "--oci-layout", "./hello:v1"],
          s.cwd,
          { ...noPin, PIN_SHIM_TOKEN_FLAGS: PIN_FLAGS.FINAL_TRY },
        );
        assert.match(
          typed,
          /PIN for PKCS#11 token "station" \(final try: a wrong PIN locks the token\): /,
        );
        assert.match(typed, /Successfully signed/);
        assertEquals(await loginCalls(shim.log), 2);
      }
    }),
});
