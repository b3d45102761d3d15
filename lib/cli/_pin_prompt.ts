/**
 * Reads a secret (a token PIN) from the terminal without echoing it.
 *
 * @module
 */
import process from "node:process";
import { UnauthorizedError } from "../errors.ts";
import { readTtyLine } from "./_tty_prompt.ts";

/**
 * Asks for a secret on the terminal: the prompt goes to stderr, the typed characters are not
 * shown; Enter ends it, Ctrl-C aborts (see {@linkcode readTtyLine}).
 *
 * @example
 * ```ts ignore
 * import { readSecretFromTerminal } from "./_pin_prompt.ts";
 * const pin = await readSecretFromTerminal("PIN for token station: ");
 * ```
 * @param prompt What to print first.
 * @returns What was typed.
 * @throws {UnauthorizedError} ERR_UNAUTHORIZED when standard input is not a terminal.
 * @throws {AbortedError} ERR_ABORTED on Ctrl-C.
 */
export function readSecretFromTerminal(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    throw new UnauthorizedError(
      "the token needs a PIN and standard input is not a terminal; set OCISIGN_PKCS11_PIN or add pin-source=file:PATH to the URI",
    );
  }
  return readTtyLine(prompt, true, "Interrupted while reading the PIN");
}
