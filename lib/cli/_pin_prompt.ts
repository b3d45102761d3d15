/**
 * Reads a secret (a token PIN) from the terminal without echoing it.
 *
 * @module
 */
import process from "node:process";
import { AbortedError, UnauthorizedError } from "../errors.ts";

/**
 * Asks for a secret on the terminal: the prompt goes to stderr, the typed characters are not
 * shown; Enter ends it, Ctrl-C aborts.
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
  // Echo off before the prompt shows: a PIN typed at once must not reach the screen.
  stdin.setRawMode(true);
  process.stderr.write(prompt);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let secret = "";
    const finish = (): void => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
    };
    const onData = (chunk: Uint8Array): void => {
      for (const ch of new TextDecoder().decode(chunk)) {
        if (ch === "\r" || ch === "\n") {
          finish();
          resolve(secret);
          return;
        }
        if (ch === "\u0003") {
          finish();
          reject(new AbortedError("Interrupted while reading the PIN"));
          return;
        }
        if (ch === "\u007f" || ch === "\b") secret = secret.slice(0, -1);
        else secret += ch;
      }
    };
    stdin.on("data", onData);
  });
}
