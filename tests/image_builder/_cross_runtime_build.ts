/**
 * Builds `argv[2]` (a context dir) into the layout `argv[3]` (spooling contents into `argv[4]`
 * when given) and prints the digest; run by `cross_runtime_test.ts` under Bun to compare digests
 * with Deno.
 *
 * @module
 */
import process from "node:process";
import { buildImage } from "../../lib/image_builder/mod.ts";
import { LayoutStore } from "../../lib/layout/mod.ts";
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";

const [context, layout, spoolDir] = process.argv.slice(2);
const output = await LayoutStore.open(layout!, nodeFs, { create: true, hasher: nodeHasherFactory });
const result = await buildImage({
  context: context!,
  fs: nodeFs,
  output,
  hasher: nodeHasherFactory,
  timestamp: 1700000000,
  ...(spoolDir === undefined ? {} : { spoolDir }),
});
console.log(result.descriptor.digest);
