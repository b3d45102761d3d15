/**
 * The PIN-state shim (testdata/pin_state_shim.c): a PKCS#11 module that wraps SoftHSM and
 * reports what SoftHSM never does, a locked user PIN or a final PIN try, and counts `C_Login`
 * calls. Compiled with the system C compiler at test time. The shim reads its settings from the
 * environment of the process that loads it (`PIN_SHIM_*`, see the C file).
 *
 * @module
 */
import { assertEquals } from "../_helpers/assert.ts";
import { describeRun } from "../_helpers/e2e.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";

/** The C compiler, when installed. */
export const CC = findPeer("cc");

/** Token flags of `CK_TOKEN_INFO`. */
export const PIN_FLAGS = { FINAL_TRY: "0x20000", LOCKED: "0x40000" } as const;

/** `CKR_PIN_LOCKED`. */
export const CKR_PIN_LOCKED = "0xa4";

const SOURCE = new URL("./testdata/pin_state_shim.c", import.meta.url).pathname;

/**
 * Compiles the shim into `dir`.
 * @returns The shim's path and the file its `C_Login` calls are counted in.
 */
export async function buildPinStateShim(dir: string): Promise<{ path: string; log: string }> {
  const path = `${dir}/pin_state_shim.so`;
  const built = await runPeer(CC!, ["-shared", "-fPIC", "-o", path, SOURCE, "-ldl"]);
  assertEquals(built.code, 0, describeRun(built));
  return { path, log: `${dir}/pin_state_shim.log` };
}

/** How many times the shim's `C_Login` was called, per its log. */
export async function loginCalls(log: string): Promise<number> {
  try {
    return (await Deno.readTextFile(log)).split("\n").filter((l) => l === "C_Login").length;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return 0;
    throw e;
  }
}
