/**
 * The off-thread deflate of large layers: the worker loads under Deno, and it gives the same
 * bytes as deflate on the calling thread, whatever the input chunking.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { concat } from "../../lib/_internal/bytes.ts";
import { gzipDeterministic } from "../../lib/compression/gzip.ts";

/** 1.5 MiB of text runs and pseudo-random runs, cut into chunks of odd sizes. */
async function* input(): AsyncGenerator<Uint8Array> {
  let seed = 7;
  const sizes = [1, 4093, 65536, 100_001, 333];
  for (let total = 0, i = 0; total < 1.5 * 1024 * 1024; i++) {
    const chunk = new Uint8Array(sizes[i % sizes.length]!);
    for (let j = 0; j < chunk.length; j++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      chunk[j] = i % 3 === 0 ? 97 + (j % 26) : seed >>> 24;
    }
    total += chunk.length;
    yield chunk;
  }
}

async function gzip(
  worker: boolean,
  source: AsyncIterable<Uint8Array> = input(),
): Promise<{ bytes: Uint8Array; seen: number }> {
  const parts: Uint8Array[] = [];
  let seen = 0;
  for await (const c of gzipDeterministic(source, (c) => (seen += c.length), { worker })) {
    parts.push(c);
  }
  return { bytes: concat(parts), seen };
}

Deno.test("the gzip worker's entry file loads under Deno", async () => {
  const url = new URL("../../lib/compression/_gzip_worker.ts", import.meta.url);
  const worker = new Worker(url.href, { type: "module" });
  try {
    const first = await new Promise<unknown>((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => {
        e.preventDefault();
        reject(new Error(e.message));
      };
    });
    assertEquals(first, "ready");
  } finally {
    worker.terminate();
  }
});

Deno.test("gzipDeterministic() in a worker gives the bytes it gives on this thread", async () => {
  const here = await gzip(false);
  const there = await gzip(true);
  assert(here.bytes.length > 1000);
  assertEquals(there.seen, here.seen);
  assertEquals(there.bytes, here.bytes);
  const back = new Uint8Array(
    await new Response(
      new Blob([there.bytes as BlobPart]).stream().pipeThrough(
        new DecompressionStream("gzip"),
      ),
    ).arrayBuffer(),
  );
  assertEquals(back.length, here.seen);
});

Deno.test("gzipDeterministic() in a worker gives this thread's bytes for empty and one-chunk input", async () => {
  async function* chunks(sizes: number[]): AsyncGenerator<Uint8Array> {
    for (const n of sizes) yield new Uint8Array(n).map((_, i) => (i * 7) % 251);
  }
  for (const sizes of [[], [0], [1], [65536], [65537]]) {
    const here = await gzip(false, chunks(sizes));
    const there = await gzip(true, chunks(sizes));
    assertEquals(there, here, `input of ${sizes.join("+") || "nothing"}`);
  }
});
