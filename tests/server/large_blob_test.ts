import { assert, assertEquals } from "../_helpers/assert.ts";
import { nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { serveRegistry } from "./_fixture.ts";

const SIZE = 256 * 1024 * 1024;
const CHUNK = 1024 * 1024;

function chunkAt(index: number, buf: Uint8Array): Uint8Array {
  buf.fill(index % 251);
  buf[0] = index >> 8;
  return buf;
}

/** Sends a PATCH with a SIZE-byte body straight over TCP and returns the status line. */
async function patchOverTcp(port: number, path: string, onChunk: () => void): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const head =
      `PATCH ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n` +
      `Content-Length: ${SIZE}\r\nConnection: close\r\n\r\n`;
    await conn.write(new TextEncoder().encode(head));
    const buf = new Uint8Array(CHUNK);
    for (let i = 0; i < SIZE / CHUNK; i++) {
      const chunk = chunkAt(i, buf);
      for (let off = 0; off < chunk.length;) off += await conn.write(chunk.subarray(off));
      onChunk();
    }
    const answer = new Uint8Array(4096);
    const n = await conn.read(answer);
    return new TextDecoder().decode(answer.subarray(0, n ?? 0)).split("\r\n")[0]!;
  } finally {
    conn.close();
  }
}

Deno.test("a 256 MiB upload streams to disk with flat memory and is served back intact", async () => {
  const reg = await serveRegistry();
  try {
    const h = nodeHasherFactory("sha256");
    const buf = new Uint8Array(CHUNK);
    for (let i = 0; i < SIZE / CHUNK; i++) h.update(chunkAt(i, buf));
    const digest = `sha256:${h.digestHex()}`;

    const base = `http://${reg.address}`;
    const post = await fetch(`${base}/v2/big/blobs/uploads/`, { method: "POST" });
    const location = post.headers.get("location")!;
    const baseline = Deno.memoryUsage().rss;
    let peak = baseline;
    const status = await patchOverTcp(reg.server.port, location, () => {
      peak = Math.max(peak, Deno.memoryUsage().rss);
    });
    assertEquals(status, "HTTP/1.1 202 Accepted");
    // The server runs in this process, so its RSS includes garbage not yet collected and
    // socket buffers; holding the body would add all of SIZE.
    assert(
      peak - baseline < SIZE / 2,
      `memory grew by ${peak - baseline} bytes for a ${SIZE}-byte upload`,
    );

    const put = await fetch(`${base}${location}?digest=${digest}`, { method: "PUT" });
    assertEquals(put.status, 201);
    const check = nodeHasherFactory("sha256");
    let total = 0;
    for await (const c of (await fetch(`${base}/v2/big/blobs/${digest}`)).body!) {
      check.update(c);
      total += c.length;
    }
    assertEquals([total, `sha256:${check.digestHex()}`], [SIZE, digest]);
  } finally {
    await reg.close();
  }
});
