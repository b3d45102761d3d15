/**
 * Reads one line from the terminal, optionally without echoing it: the one terminal prompt of
 * the command line (login questions and token PINs).
 *
 * @module
 */
import process from "node:process";
import { AbortedError } from "../errors.ts";

/**
 * Asks a question on the terminal: the question goes to stderr; with `secret`, raw mode is on
 * before the question shows, so nothing typed (even ahead of the prompt) is echoed. Enter or
 * Ctrl-D ends the line, Backspace edits, Ctrl-C aborts.
 *
 * @example
 * ```ts ignore
 * import { readTtyLine } from "./_tty_prompt.ts";
 * const password = await readTtyLine("Password: ", true);
 * ```
 * @param question What to print first.
 * @param secret Whether to keep what is typed off the screen.
 * @param interrupted The message of the error on Ctrl-C.
 * @returns What was typed.
 * @throws {AbortedError} ERR_ABORTED on Ctrl-C.
 */
export function readTtyLine(
  question: string,
  secret: boolean,
  interrupted = "Interrupted",
): Promise<string> {
  const input = process.stdin;
  return new Promise((resolve, reject) => {
    let line = "";
    const finish = (err?: Error): void => {
      input.off("data", onData);
      if (secret) {
        input.setRawMode(false);
        process.stderr.write("\n");
      }
      input.pause();
      if (err) reject(err);
      else resolve(line);
    };
    const onData = (chunk: Uint8Array | string): void => {
      for (const c of typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk)) {
        if (c === "\r" || c === "\n" || c === "\u0004") return finish();
        if (c === "\u0003") return finish(new AbortedError(interrupted));
        if (c === "\u007f" || c === "\b") line = line.slice(0, -1);
        else line += c;
      }
    };
    // Echo off before the question shows: a secret typed at once must not reach the screen.
    if (secret) input.setRawMode(true);
    process.stderr.write(question);
    input.on("data", onData);
    input.resume();
  });
}
