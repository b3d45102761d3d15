/**
 * Whether output may carry colour: `FORCE_COLOR` (other than `0`) forces it, `NO_COLOR` (any
 * value) turns it off, otherwise only on a terminal.
 *
 * @module
 */
import type { CliIo } from "./io.ts";

/**
 * Decides colour for one stream.
 *
 * @example
 * ```ts ignore
 * const bold = colourEnabled(io, io.stdoutTty ?? false) ? (t: string) => `\x1b[1m${t}\x1b[22m` : (t: string) => t;
 * ```
 * @param io The environment.
 * @param isTty Whether the stream is a terminal.
 * @returns True when ANSI colour may be written.
 */
export function colourEnabled(io: CliIo, isTty: boolean): boolean {
  const force = io.env("FORCE_COLOR");
  if (force !== undefined && force !== "0" && force !== "false") return true;
  if (io.env("NO_COLOR") !== undefined) return false;
  if (io.env("TERM") === "dumb") return false;
  return isTty;
}

/** Wraps text in bold when `on`. */
export function bold(text: string, on: boolean): string {
  return on ? `\x1b[1m${text}\x1b[22m` : text;
}
