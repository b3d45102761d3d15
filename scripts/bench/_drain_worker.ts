/**
 * Child process of the `verify-blobs-memory` benchmark: opens a layout with `openLayout`, resolves
 * a tag and fetches every blob of the image (config and layers), draining each verified stream
 * (the layout's `fetch` checks size and digest). Prints the number of bytes read.
 *
 * Run: `deno run -A scripts/bench/_drain_worker.ts LAYOUT_DIR TAG`
 *
 * @module
 */
import { openLayout } from "../../lib/layout/mod.ts";
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import type { Descriptor, Manifest } from "../../lib/oci/mod.ts";

async function drain(stream: ReadableStream<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const chunk of stream) n += chunk.length;
  return n;
}

const [dir, tag] = Deno.args;
if (dir === undefined || tag === undefined) {
  console.error("Usage: _drain_worker.ts LAYOUT_DIR TAG");
  Deno.exit(2);
}
const layout = await openLayout(dir, nodeFs, { hasher: nodeHasherFactory });
try {
  const root = await layout.resolve(tag);
  const raw = await new Response(await layout.fetch(root)).arrayBuffer();
  const manifest = JSON.parse(new TextDecoder().decode(raw)) as Manifest;
  const blobs: Descriptor[] = [manifest.config, ...manifest.layers];
  let total = raw.byteLength;
  for (const desc of blobs) total += await drain(await layout.fetch(desc));
  console.log(total);
} finally {
  await layout.close();
}
