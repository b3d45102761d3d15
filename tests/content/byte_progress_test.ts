/**
 * Byte progress through the library: `countBytes` hands chunks on unchanged and counts them;
 * `copyGraph`'s `onBytes` and `verifyContent`'s `onProgress` report each blob from 0 to its size.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { blobOf, jsonBlob } from "./_fixtures.ts";
import { countBytes } from "../../lib/content/byte_progress.ts";
import { MemoryStore } from "../../lib/content/memory_store.ts";
import { copyGraph } from "../../lib/copy/copy_graph.ts";
import { verifyContent } from "../../lib/verify/verify_content.ts";
import type { Descriptor } from "../../lib/oci/descriptor.ts";
import type { Bytes } from "../../lib/_internal/bytes.ts";

function chunked(parts: Bytes[]): ReadableStream<Bytes> {
  return new ReadableStream({
    pull(c) {
      const next = parts.shift();
      if (next === undefined) c.close();
      else c.enqueue(next);
    },
  });
}

async function image(): Promise<{ store: MemoryStore; root: Descriptor; layer: Descriptor }> {
  const store = new MemoryStore();
  const layer = await blobOf("application/vnd.oci.image.layer.v1.tar", new Uint8Array(300_000));
  const config = await jsonBlob("application/vnd.oci.image.config.v1+json", { os: "linux" });
  const manifest = await jsonBlob("application/vnd.oci.image.manifest.v1+json", {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: config.desc,
    layers: [layer.desc],
  });
  for (const b of [layer, config, manifest]) await store.push(b.desc, b.bytes);
  return { store, root: manifest.desc, layer: layer.desc };
}

Deno.test("countBytes passes the same chunks on and reports 0, then the running total", async () => {
  const a = new Uint8Array([1, 2, 3]) as Bytes;
  const b = new Uint8Array([4, 5]) as Bytes;
  const desc = { mediaType: "x", digest: "sha256:" + "0".repeat(64), size: 5 };
  const seen: number[] = [];
  const reader = countBytes(chunked([a, b]), desc, (d, n) => {
    assertEquals(d, desc);
    seen.push(n);
  }).getReader();
  assert.ok((await reader.read()).value === a, "the chunk itself, not a copy");
  assert.ok((await reader.read()).value === b);
  assert.ok((await reader.read()).done);
  assertEquals(seen, [0, 3, 5]);
  const plain = chunked([]);
  assert.ok(countBytes(plain, desc, undefined) === plain, "no callback: the stream itself");
});

Deno.test("copyGraph reports each blob's bytes; verifyContent reports each config and layer", async () => {
  const { store, root, layer } = await image();
  const copied = new Map<string, number[]>();
  await copyGraph(store, new MemoryStore(), root, {
    onBytes: (d, n) => copied.set(d.digest, [...(copied.get(d.digest) ?? []), n]),
  });
  const layerBytes = copied.get(layer.digest)!;
  assertEquals([layerBytes[0], layerBytes.at(-1)], [0, layer.size]);
  assert.ok(layerBytes.every((n, i) => i === 0 || n >= layerBytes[i - 1]!), "never goes back");
  assertEquals(copied.has(root.digest), false, "a manifest is pushed whole, not streamed");

  const checked = new Map<string, number>();
  const result = await verifyContent(store, root, {
    deep: true,
    onProgress: (d, n) => checked.set(d.digest, n),
  });
  assertEquals(result.problems, []);
  assertEquals(checked.size, 2);
  assertEquals(checked.get(layer.digest), layer.size);
});
