/**
 * Decompresses each file named on the command line with `decompressStream()` and prints
 * `<format> <sha256 of the output>` per file (or `<format> error <code>`); run by
 * `decompress_test.ts` under Deno, Bun and as a `bun build --compile` binary.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { toHex } from "../../lib/_internal/bytes.ts";
import { decompressStream, detectCompression } from "../../lib/compression/decompress.ts";

for (const file of process.argv.slice(2)) {
  const bytes = new Uint8Array(readFileSync(file));
  const format = detectCompression(bytes.subarray(0, 6));
  if (format === undefined) {
    console.log("unknown");
    continue;
  }
  try {
    const out = await new Response(decompressStream(new Blob([bytes]).stream(), format))
      .arrayBuffer();
    console.log(format, toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", out))));
  } catch (err) {
    console.log(format, "error", (err as { code?: string }).code);
  }
}
