/**
 * Stopping a server while an upload is being received: once the stop has completed, the upload's
 * handler has ended, so no part file is still being written and none is left behind. In-process
 * (the registry over `serveHttp`) and as `ocisign serve` stopped by SIGINT, under Deno and Bun.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { within } from "../_helpers/deadline.ts";
import { serveHttp } from "../../lib/runtime/http_server.ts";
import { serveRegistry } from "./_fixture.ts";
import { RUNTIMES } from "./_hostile_clients.ts";
import { startServeProcess } from "./_serve_process.ts";
import { sessionFiles, untilPartStarted } from "./_session_files.ts";

/**
 * Opens an upload session on `host` and starts a `PATCH` that sends 64 KiB of the 1 MiB it
 * announces, then nothing; returns the session and the stalled connection.
 */
async function stalledPatch(host: string): Promise<{ location: string; conn: Deno.Conn }> {
  const res = await fetch(`http://${host}/v2/app/blobs/uploads/`, { method: "POST" });
  await res.body?.cancel();
  assertEquals(res.status, 202);
  const location = res.headers.get("location")!;
  const [hostname, port] = host.split(":");
  const conn = await Deno.connect({ hostname: hostname!, port: Number(port) });
  await conn.write(
    new TextEncoder().encode(
      `PATCH ${location} HTTP/1.1\r\nHost: x\r\nContent-Length: ${1 << 20}\r\n\r\n`,
    ),
  );
  await conn.write(new Uint8Array(64 * 1024));
  return { location, conn };
}

Deno.test("serveHttp() close() resolves only once every handler has ended", async () => {
  const { promise: reading, resolve: startedReading } = Promise.withResolvers<void>();
  let ended = false;
  const server = await serveHttp(async (req) => {
    const reader = req.body!.getReader();
    try {
      await reader.read();
      startedReading();
      for (;;) if ((await reader.read()).done) break;
    } catch {
      // the connection was closed: what the handler does next still belongs to the server
    }
    await new Promise((r) => setTimeout(r, 100));
    ended = true;
    return new Response(null, { status: 400 });
  }, { port: 0 });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    await conn.write(
      new TextEncoder().encode("PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"),
    );
    await within(reading, 10_000, "the handler's first read");
    await within(server.close(), 10_000, "the server's close");
    assert(ended, "close() resolved while the handler was still running");
  } finally {
    conn.close();
  }
});

Deno.test("the registry's close() during an upload leaves no part file", async () => {
  const reg = await serveRegistry();
  try {
    const { location, conn } = await stalledPatch(reg.address);
    try {
      await within(untilPartStarted(reg.root, location), 20_000, "the upload's part file");
      await within(reg.server.close(), 20_000, "the server's close");
      assertEquals(await sessionFiles(reg.root, location), [], "no part and no partial file");
    } finally {
      conn.close();
    }
  } finally {
    await reg.close();
  }
});

for (const { runtime, label } of RUNTIMES) {
  Deno.test({
    name: `serve (${label}) stopped during an upload leaves no part file`,
    ignore: runtime === undefined,
    fn: async () => {
      const root = await Deno.makeTempDir({ prefix: "ocisign-serve-stop-" });
      try {
        const server = await startServeProcess(runtime!, [root, "--addr", "127.0.0.1:0"]);
        try {
          const { location, conn } = await stalledPatch(server.host);
          try {
            await within(untilPartStarted(root, location), 20_000, "the upload's part file");
            // Ctrl-C: serve closes its server, then exits.
            await within(server.stop("SIGINT"), 20_000, "the stop");
            assertEquals(await sessionFiles(root, location), [], server.stderr());
          } finally {
            conn.close();
          }
        } finally {
          await server.stop();
        }
      } finally {
        await Deno.remove(root, { recursive: true });
      }
    },
  });
}
