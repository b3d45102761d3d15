import { assert, assertEquals } from "../_helpers/assert.ts";
import { nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { freePort, spawnServer } from "../_helpers/server_process.ts";

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

/** Resident set size of a process in bytes (Linux `/proc`). */
async function rssOf(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kib = status.match(/^VmRSS:\s+(\d+) kB/m);
  if (kib === null) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kib[1]) * 1024;
}

Deno.test("a 256 MiB upload streams to disk with flat memory and is served back intact", async () => {
  const root = await Deno.makeTempDir({ prefix: "ocisign-large-blob-" });
  const host = `127.0.0.1:${freePort()}`;
  // `ocisign serve` in its own process, so that its memory is measured alone.
  const cli = new URL("../../cli.ts", import.meta.url).pathname;
  const reg = await spawnServer(
    Deno.execPath(),
    ["run", "-A", cli, "serve", root, "--addr", host],
    host,
  ).catch(async (err) => {
    await Deno.remove(root, { recursive: true });
    throw err;
  });
  try {
    const h = nodeHasherFactory("sha256");
    const buf = new Uint8Array(CHUNK);
    for (let i = 0; i < SIZE / CHUNK; i++) h.update(chunkAt(i, buf));
    const digest = `sha256:${h.digestHex()}`;

    const base = `http://${host}`;
    const post = await fetch(`${base}/v2/big/blobs/uploads/`, { method: "POST" });
    await post.body?.cancel();
    const location = post.headers.get("location")!;
    const baseline = await rssOf(reg.pid);
    let peak = baseline;
    const samples: Promise<void>[] = [];
    const status = await patchOverTcp(Number(host.split(":")[1]), location, () => {
      samples.push(rssOf(reg.pid).then((rss) => void (peak = Math.max(peak, rss))));
    });
    await Promise.all(samples);
    assertEquals(status, "HTTP/1.1 202 Accepted");
    // The server's RSS includes garbage not yet collected and socket buffers; holding the body
    // would add all of SIZE.
    assert(
      peak - baseline < SIZE / 2,
      `the server grew by ${peak - baseline} bytes for a ${SIZE}-byte upload`,
    );

    const put = await fetch(`${base}${location}?digest=${digest}`, { method: "PUT" });
    await put.body?.cancel();
    assertEquals(put.status, 201);
    const check = nodeHasherFactory("sha256");
    let total = 0;
    for await (const c of (await fetch(`${base}/v2/big/blobs/${digest}`)).body!) {
      check.update(c);
      total += c.length;
    }
    assertEquals([total, `sha256:${check.digestHex()}`], [SIZE, digest]);
  } finally {
    await reg.stop();
    await Deno.remove(root, { recursive: true });
  }
});
