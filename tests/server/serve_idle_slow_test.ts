/**
 * serve's idle rule against clients that are slow for longer than --idle-timeout: an upload that
 * trickles is kept, a client that stops reading a response is cut off (under Bun; under Deno a
 * response being sent counts as activity, see the README).
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { within } from "../_helpers/deadline.ts";
import { bun, ping, RUNTIMES, withIdleServer } from "./_hostile_clients.ts";
import { content } from "./_fixture.ts";

for (const { runtime, label } of RUNTIMES) {
  Deno.test({
    name: `serve (${label}) keeps an upload that trickles for longer than --idle-timeout`,
    ignore: runtime === undefined,
    fn: async () => {
      await withIdleServer(runtime!, "trickle", async (server, conn) => {
        const blob = await content("trickled, ".repeat(1000));
        const head = `POST /v2/trickle/repo/blobs/uploads/?digest=${blob.digest} HTTP/1.1\r\n` +
          `Host: x\r\nContent-Length: ${blob.bytes.length}\r\nConnection: close\r\n\r\n`;
        await conn.write(new TextEncoder().encode(head));
        // Ten parts, 400 ms apart: 4 s in all, never 1 s of silence.
        const part = Math.ceil(blob.bytes.length / 10);
        for (let off = 0; off < blob.bytes.length; off += part) {
          await new Promise((resolve) => setTimeout(resolve, 400));
          await conn.write(blob.bytes.subarray(off, off + part));
        }
        const buf = new Uint8Array(4096);
        const n = await within(conn.read(buf), 10_000, "the answer");
        const answer = new TextDecoder().decode(buf.subarray(0, n ?? 0));
        assert(answer.startsWith("HTTP/1.1 201"), answer);
        assert(!server.exited(), `the server died: ${server.stderr()}`);
      });
    },
  });
}

Deno.test({
  name: "serve (bun run) closes a connection whose client stops reading a response",
  // Under Deno a response being sent counts as activity until it is sent (see the README).
  ignore: bun === undefined,
  fn: async () => {
    await withIdleServer({ name: "bun", exec: bun! }, "stop-reading", async (server, conn) => {
      // Far more than the socket buffers on the way hold.
      const blob = await content(new Uint8Array(32 * 1024 * 1024).fill(7));
      const base = `http://${server.host}/v2/stop/repo/blobs/`;
      const post = await fetch(`${base}uploads/?digest=${blob.digest}`, {
        method: "POST",
        body: blob.bytes,
      });
      await post.body?.cancel();
      assertEquals(post.status, 201);
      await conn.write(
        new TextEncoder().encode(
          `GET /v2/stop/repo/blobs/${blob.digest} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
        ),
      );
      // Read nothing for three times --idle-timeout, then take what the server sent before it
      // closed the connection: less than the blob.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      let received = 0;
      const buf = new Uint8Array(1024 * 1024);
      await within(
        (async () => {
          try {
            for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) received += n;
          } catch {
            // reset
          }
        })(),
        20_000,
        "the end of the connection",
      );
      assert(received > 0 && received < blob.bytes.length, `received ${received} bytes`);
      assertEquals(await ping(server.host), 200);
    });
  },
});
