/**
 * What `verify` and `blob verify` print once a signature is trusted: logged failures as
 * warnings, the success line and the signed user metadata, as notation prints them.
 *
 * @module
 */
import type { ValidationResult } from "../verify/verification_outcome.ts";
import { renderGoTable } from "./config/_go_table.ts";
import type { CliIo } from "./io.ts";
import { escapeControl } from "./output.ts";

/**
 * The logged failures as JSON (`--output json`).
 * @param warnings The results whose failures were only logged.
 * @returns One object per warning.
 */
export function warningsJson(
  warnings: readonly ValidationResult[],
): { type: string; action: string; message: string | undefined }[] {
  return warnings.map((w) => ({ type: w.type, action: w.action, message: w.error?.message }));
}

/**
 * Prints the warnings (stderr), `Successfully verified signature for <what>` and the signed
 * user metadata table (stdout).
 * @param io Output.
 * @param what The artifact reference or file.
 * @param warnings The results whose failures were only logged.
 * @param signed The signed user metadata.
 * @param also Lines printed after the success line (a platform's own verification).
 */
export function writeVerified(
  io: CliIo,
  what: string,
  warnings: readonly ValidationResult[],
  signed: Record<string, string>,
  also: readonly string[] = [],
): void {
  for (const w of warnings) {
    io.stderr(
      `Warning: ${w.type} was set to "${w.action}" and failed with error: ${
        escapeControl(w.error?.message ?? "")
      }\n`,
    );
  }
  io.stdout(`Successfully verified signature for ${what}\n`);
  for (const line of also) io.stdout(`${line}\n`);
  const keys = Object.keys(signed).sort();
  if (keys.length > 0) {
    io.stdout("\nThe artifact was signed with the following user metadata.\n\n");
    io.stdout(renderGoTable([["KEY", "VALUE"], ...keys.map((k) => [k, signed[k]!])]));
  }
}
