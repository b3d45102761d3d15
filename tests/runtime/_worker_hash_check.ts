/**
 * Child process of `worker_hasher_test.ts`, run under Deno and Bun: verifies 3 MiB of content
 * twice through `verifyStream` with `nodeHasherFactory` (on a hashing thread, which
 * `OCISIGN_HASH_THREADS=1` asks for), once intact
 * and once with its last byte changed, prints one line each, and then ends on its own: the idle
 * hashing threads must not keep the process alive.
 */
import { createHash } from "node:crypto";
import { verifyStream } from "../../lib/digest/verify_stream.ts";
import { nodeHasherFactory } from "../../lib/runtime/mod.ts";

const SIZE = 3 * 1024 * 1024 + 5;
const content = new Uint8Array(SIZE);
for (let i = 0; i < SIZE; i++) content[i] = (i * 7919) >>> 3;
const expected = {
  digest: `sha256:${createHash("sha256").update(content).digest("hex")}`,
  size: SIZE,
};

function chunks(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let off = 0;
  return new ReadableStream({
    pull(c): void {
      if (off >= bytes.length) return c.close();
      const n = Math.min(40_000, bytes.length - off);
      c.enqueue(bytes.slice(off, off += n));
    },
  });
}

async function check(bytes: Uint8Array): Promise<string> {
  try {
    const out = new Uint8Array(
      await new Response(verifyStream(chunks(bytes), expected, nodeHasherFactory)).arrayBuffer(),
    );
    return out.length === SIZE ? "ok" : `short ${out.length}`;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

console.log(await check(content));
const bad = content.slice();
bad[SIZE - 1] = bad[SIZE - 1]! ^ 1;
console.log(await check(bad));
