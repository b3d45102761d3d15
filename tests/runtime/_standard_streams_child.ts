/**
 * Run by standard_streams_test.ts: writes 64 numbered 64 KiB lines to stdout through
 * `standardWriter`, then what `isTerminal` says of both streams to stderr.
 *
 * @module
 */
import { isTerminal, standardWriter } from "../../lib/runtime/standard_streams.ts";

const out = standardWriter("stdout");
for (let i = 0; i < 64; i++) out(`${String(i).padStart(6, "0")}${"x".repeat(65529)}\n`);
standardWriter("stderr")(
  JSON.stringify({ stdout: isTerminal("stdout"), stderr: isTerminal("stderr") }),
);
