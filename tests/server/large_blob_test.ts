import { assert, assertEquals } from "../_helpers/assert.ts";
import { nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { serveRegistry } from "./_fixture.ts";

const SIZE = 256 * 1024 * 1024;
const CHUNK = 1024 * 1024;

function generated(): ReadableStream<Uint8Array> {
  let sent = 0;
  const chunk = new Uint8Array(CHUNK).map((_, i) => (i * 31) % 256);
  return new ReadableStream<Uint8Array>({
    pull(controller): void {
      if (sent >= SIZE) {
        controller.close();
        return;
      }
      chunk[0] = (sent / CHUNK) % 256;
      controller.enqueue(chunk.slice());
      sent += CHUNK;
    },
  });
}

async function expectedDigest(): Promise<string> {
  const h = nodeHasherFactory("sha256");
  for await (const c of generated()) h.update(c);
  return `sha256:${h.digestHex()}`;
}

Deno.test("a 256 MiB blob streams through an upload without holding it in memory", async () => {
  const reg = await serveRegistry();
  try {
    const digest = await expectedDigest();
    const base = `http://${reg.address}`;
    const post = await fetch(`${base}/v2/big/blobs/uploads/`, { method: "POST" });
    const location = new URL(post.headers.get("location")!, base);
    const before = Deno.memoryUsage().rss;
    const patch = await fetch(location, { method: "PATCH", body: generated() });
    assertEquals(patch.status, 202);
    assertEquals(patch.headers.get("range"), `0-${SIZE - 1}`);
    location.searchParams.set("digest", digest);
    const put = await fetch(location, { method: "PUT" });
    assertEquals(put.status, 201);
    const grown = Deno.memoryUsage().rss - before;
    assert(grown < SIZE / 2, `memory grew by ${grown} bytes for a ${SIZE}-byte blob`);
    const head = await fetch(`${base}/v2/big/blobs/${digest}`, { method: "HEAD" });
    assertEquals(head.headers.get("content-length"), String(SIZE));
    const h = nodeHasherFactory("sha256");
    let total = 0;
    for await (const c of (await fetch(`${base}/v2/big/blobs/${digest}`)).body!) {
      h.update(c);
      total += c.length;
    }
    assertEquals([total, `sha256:${h.digestHex()}`], [SIZE, digest]);
  } finally {
    await reg.close();
  }
});
