/**
 * serve against clients that misbehave: a port another serve holds, a missing directory, a
 * kept-alive connection gone silent, more connections than --max-connections, bytes that are not
 * HTTP, an upload that stalls (the 300-connection flood is in serve_flood_slow_test.ts, an upload
 * that trickles and a client that stops reading in serve_idle_slow_test.ts).
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { cliSandbox } from "../_helpers/cli.ts";
import { within } from "../_helpers/deadline.ts";
import { runServe, startServeProcess } from "./_serve_process.ts";
import {
  closedByServer,
  HALF_REQUEST,
  openHalfRequests,
  ping,
  RUNTIMES,
  withIdleServer,
} from "./_hostile_clients.ts";

for (const { runtime, label } of RUNTIMES) {
  Deno.test({
    name: `serve (${label}) refuses a port another ocisign serve holds, exit 7 naming the address`,
    ignore: runtime === undefined,
    fn: async () => {
      const root = await Deno.makeTempDir({ prefix: "ocisign-serve-port-" });
      const first = await startServeProcess(runtime!, [root, "--addr", "127.0.0.1:0"]);
      try {
        const second = await runServe(runtime!, [root, "--addr", first.host]);
        assertEquals(second.code, 7, second.stderr);
        assert(
          second.stderr.startsWith(
            `Error: cannot listen on ${first.host}: address already in use`,
          ),
          second.stderr,
        );
        // Every request still reaches the first server alone.
        for (let i = 0; i < 4; i++) assertEquals(await ping(first.host), 200);
      } finally {
        await first.stop();
        await Deno.remove(root, { recursive: true });
      }
    },
  });
}

Deno.test("serve on a missing directory says so (exit 5) and creates it only with --create", async () => {
  const sb = await cliSandbox();
  try {
    const missing = await sb.run("serve", "./nope", "--addr", "127.0.0.1:0");
    assertEquals(missing.code, 5, missing.stderr);
    assert(missing.stderr.includes("nope does not exist"), missing.stderr);
    assert(missing.stderr.includes("--create"), missing.stderr);
    assertEquals(await Deno.stat(`${sb.cwd}/nope`).catch(() => undefined), undefined);

    await Deno.writeTextFile(`${sb.cwd}/file`, "");
    const notDir = await sb.run("serve", "./file", "--addr", "127.0.0.1:0");
    assertEquals(notDir.code, 2, notDir.stderr);
    assert(notDir.stderr.includes("is not a directory"), notDir.stderr);
  } finally {
    await sb.close();
  }
});

Deno.test({
  name: "serve --create makes the missing directory and serves it",
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "ocisign-serve-create-" });
    const server = await startServeProcess({ name: "deno", exec: Deno.execPath() }, [
      `${dir}/made`,
      "--create",
      "--addr",
      "127.0.0.1:0",
    ]);
    try {
      assertEquals(await ping(server.host), 200);
      assert((await Deno.stat(`${dir}/made`)).isDirectory);
    } finally {
      await server.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

for (const { runtime, label } of RUNTIMES) {
  Deno.test({
    name: `serve (${label}) closes a kept-alive connection after --idle-timeout of silence`,
    ignore: runtime === undefined,
    fn: async () => {
      await withIdleServer(runtime!, "idle", async (server, conn) => {
        await conn.write(new TextEncoder().encode("GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n"));
        const buf = new Uint8Array(4096);
        const n = await conn.read(buf);
        assert(
          n !== null && new TextDecoder().decode(buf.subarray(0, n)).startsWith("HTTP/1.1 200"),
        );
        // Then silence: the server ends the connection (and keeps serving others).
        await within(closedByServer(conn), 20_000, "closing the idle connection");
        assertEquals(await ping(server.host), 200);
      });
    },
  });
}

for (const { runtime, label } of RUNTIMES) {
  Deno.test({
    name: `serve (${label}) gives a kept-alive connection's next request head --header-timeout too`,
    ignore: runtime === undefined,
    fn: async () => {
      const root = await Deno.makeTempDir({ prefix: "ocisign-serve-next-head-" });
      // The idle rule far beyond the deadline below: only the head timeout can close it.
      const server = await startServeProcess(runtime!, [
        root,
        "--addr",
        "127.0.0.1:0",
        "--header-timeout",
        "0.5",
        "--idle-timeout",
        "120",
      ]);
      const [hostname, port] = server.host.split(":");
      const conn = await Deno.connect({ hostname: hostname!, port: Number(port) });
      try {
        // Two whole requests on the connection, each answered in full: it is kept alive.
        for (let i = 0; i < 2; i++) {
          await conn.write(new TextEncoder().encode("GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n"));
          assert((await readAnswer(conn)).startsWith("HTTP/1.1 200"));
        }
        // Then half of a third head, and silence.
        await conn.write(HALF_REQUEST);
        await within(closedByServer(conn), 8_000, "closing the half-sent next request");
        assertEquals(await ping(server.host), 200);
        assert(!server.exited(), `the server died: ${server.stderr()}`);
      } finally {
        conn.close();
        await server.stop();
        await Deno.remove(root, { recursive: true });
      }
    },
  });
}

/** Reads one answer with a `Content-Length` from `conn`: its head and body, as text. */
async function readAnswer(conn: Deno.Conn): Promise<string> {
  const buf = new Uint8Array(4096);
  let text = "";
  for (;;) {
    const end = text.indexOf("\r\n\r\n");
    const length = /\r\ncontent-length: *(\d+)/i.exec(text)?.[1];
    if (end >= 0 && length !== undefined && text.length >= end + 4 + Number(length)) return text;
    const n = await within(conn.read(buf), 10_000, "the answer");
    if (n === null) throw new Error(`The server closed the connection after: ${text}`);
    text += new TextDecoder().decode(buf.subarray(0, n));
  }
}

for (const { runtime, label } of RUNTIMES) {
  Deno.test({
    name: `serve (${label}) keeps --max-connections: the oldest half-sent requests make room`,
    ignore: runtime === undefined,
    fn: async () => {
      const root = await Deno.makeTempDir({ prefix: "ocisign-serve-max-" });
      // A head timeout far beyond the deadline below: only the limit can close connections.
      const server = await startServeProcess(runtime!, [
        root,
        "--addr",
        "127.0.0.1:0",
        "--max-connections",
        "4",
        "--header-timeout",
        "120",
      ]);
      const conns: Deno.Conn[] = [];
      try {
        conns.push(...await openHalfRequests(server.host, 10));
        // The six oldest were closed to make room for the four newest, at once: well before the
        // 10 s after which Bun closes half-sent requests on its own.
        await within(
          Promise.all(conns.slice(0, 6).map(closedByServer)),
          6_000,
          "closing the connections beyond the limit",
        );
        // A real client still gets in (and takes the place of another half-sent request).
        assertEquals(await ping(server.host), 200);
        assert(!server.exited(), `the server died: ${server.stderr()}`);
      } finally {
        for (const c of conns) c.close();
        await server.stop();
        await Deno.remove(root, { recursive: true });
      }
    },
  });
}

for (const { runtime, label } of RUNTIMES) {
  Deno.test({
    name: `serve (${label}) answers bytes that are not HTTP (a TLS hello) with 400`,
    ignore: runtime === undefined,
    fn: async () => {
      const root = await Deno.makeTempDir({ prefix: "ocisign-serve-tls-hello-" });
      const server = await startServeProcess(runtime!, [root, "--addr", "127.0.0.1:0"]);
      const [hostname, port] = server.host.split(":");
      const conn = await Deno.connect({ hostname: hostname!, port: Number(port) });
      try {
        // The start of a TLS ClientHello record.
        await conn.write(new Uint8Array([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1]));
        const answer = await within(new Response(conn.readable).text(), 10_000, "the answer");
        assert(answer.startsWith("HTTP/1.1 400 Bad Request"), answer);
        assertEquals(await ping(server.host), 200);
      } finally {
        try {
          conn.close();
        } catch {
          // closed with its readable stream
        }
        await server.stop();
        await Deno.remove(root, { recursive: true });
      }
    },
  });
}

for (const { runtime, label } of RUNTIMES) {
  Deno.test({
    name: `serve (${label}) cuts off an upload whose body stalls for --idle-timeout`,
    ignore: runtime === undefined,
    fn: async () => {
      await withIdleServer(runtime!, "stall", async (server, conn) => {
        // A complete head promising 1 MiB, ten bytes of it, then silence.
        const head = `POST /v2/stall/repo/blobs/uploads/?digest=sha256:${"0".repeat(64)} ` +
          `HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n0123456789`;
        await conn.write(new TextEncoder().encode(head));
        await within(closedByServer(conn), 20_000, "cutting off the stalled upload");
        assertEquals(await ping(server.host), 200);
        assert(!server.exited(), `the server died: ${server.stderr()}`);
      });
    },
  });
}

for (const { runtime, label } of RUNTIMES) {
  Deno.test({
    name: `serve (${label}) sends every byte of a blob to a client that reads slowly`,
    ignore: runtime === undefined,
    fn: async () => {
      const root = await Deno.makeTempDir({ prefix: "ocisign-serve-slow-reader-" });
      const server = await startServeProcess(runtime!, [root, "--addr", "127.0.0.1:0"]);
      const [hostname, port] = server.host.split(":");
      try {
        const bytes = new Uint8Array(8 * 1024 * 1024);
        for (let i = 0; i < bytes.length; i += 65536) {
          crypto.getRandomValues(bytes.subarray(i, i + 65536));
        }
        const hex = Array.from(
          new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)),
          (b) => b.toString(16).padStart(2, "0"),
        ).join("");
        const blob = `http://${server.host}/v2/slow/repo/blobs/`;
        const post = await fetch(`${blob}uploads/?digest=sha256:${hex}`, {
          method: "POST",
          body: bytes,
        });
        await post.body?.cancel();
        assertEquals(post.status, 201);
        const conn = await Deno.connect({ hostname: hostname!, port: Number(port) });
        try {
          await conn.write(
            new TextEncoder().encode(
              `GET /v2/slow/repo/blobs/sha256:${hex} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
            ),
          );
          // Read nothing for a while, so every buffer on the way fills up, then read it all.
          await new Promise((resolve) => setTimeout(resolve, 500));
          const answer = new Uint8Array(
            await within(
              new Response(conn.readable).arrayBuffer(),
              60_000,
              "reading the blob",
            ),
          );
          const text = new TextDecoder().decode(answer.subarray(0, 1024));
          const start = text.indexOf("\r\n\r\n") + 4;
          assert(text.startsWith("HTTP/1.1 200"), text);
          // The server closes after the answer (Connection: close): the body is all that follows.
          assertEquals(answer.length - start, bytes.length);
          assertEquals(answer.subarray(start), bytes);
        } catch (err) {
          conn.close();
          throw err;
        }
      } finally {
        await server.stop();
        await Deno.remove(root, { recursive: true });
      }
    },
  });
}
