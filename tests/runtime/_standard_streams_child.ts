/**
 * Run by standard_streams_test.ts: writes 64 numbered 64 KiB lines to stdout through
 * `standardWriter` (not with the argument `probe`), then what `isTerminal` says of both streams
 * to stderr.
 *
 * @module
 */
import { isTerminal, standardWriter } from "../../lib/runtime/standard_streams.ts";

const probe = (globalThis as { Deno?: typeof Deno }).Deno?.args[0] === "probe" ||
  (globalThis as unknown as { process?: { argv: string[] } }).process?.argv[2] === "probe";
const out = standardWriter("stdout");
for (let i = 0; i < (probe ? 0 : 64); i++) {
  out(`${String(i).padStart(6, "0")}${"x".repeat(65529)}\n`);
}
standardWriter("stderr")(
  JSON.stringify({ stdout: isTerminal("stdout"), stderr: isTerminal("stderr") }),
);
