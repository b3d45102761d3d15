import { concat } from "../../lib/_internal/bytes.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { within } from "../_helpers/deadline.ts";
import { findPeer } from "../_helpers/peers.ts";
import { makeServerCertificate } from "../_helpers/tls.ts";
import { content, errorCode } from "./_fixture.ts";
import { sessionFiles, untilPartStarted } from "./_session_files.ts";

const bun = findPeer("bun");
const openssl = findPeer("openssl");

/** Runs `_serve_registry.ts` under Bun over a fresh root, hands its port to `fn`, then stops it. */
async function withBunRegistry(
  extra: string[],
  fn: (port: number, root: string) => Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "ocisign-bun-" });
  const child = new Deno.Command(bun!, {
    args: ["run", new URL("./_serve_registry.ts", import.meta.url).pathname, root, ...extra],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    const first = await lines.read();
    await fn(Number(first.value?.trim()), root);
  } finally {
    await child.stdin.close();
    await lines.cancel();
    await child.status;
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test({
  name: "serveHttp() under Bun serves the registry with exact Content-Length headers",
  ignore: bun === undefined,
  fn: async () => {
    await withBunRegistry([], async (port) => {
      const base = `http://127.0.0.1:${port}`;
      const blob = await content("served by bun, ".repeat(1000));
      const post = await fetch(`${base}/v2/bun/repo/blobs/uploads/?digest=${blob.digest}`, {
        method: "POST",
        body: blob.bytes,
      });
      assertEquals(post.status, 201);
      for (const method of ["HEAD", "GET"]) {
        const res = await fetch(`${base}/v2/bun/repo/blobs/${blob.digest}`, { method });
        assertEquals(res.status, 200, method);
        assertEquals(res.headers.get("content-length"), String(blob.bytes.length), method);
        assertEquals(res.headers.get("docker-content-digest"), blob.digest);
        const body = new Uint8Array(await res.arrayBuffer());
        assertEquals(body, method === "GET" ? blob.bytes : new Uint8Array(0), method);
      }
      const ranged = await fetch(`${base}/v2/bun/repo/blobs/${blob.digest}`, {
        headers: { range: "bytes=0-5" },
      });
      assertEquals([ranged.status, ranged.headers.get("content-length"), await ranged.text()], [
        206,
        "6",
        "served",
      ]);
      // A client that half-closes after its request still gets the answer.
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      try {
        await conn.write(new TextEncoder().encode("GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n"));
        await conn.closeWrite();
        const answer = await new Response(conn.readable).text();
        assert(answer.startsWith("HTTP/1.1 200"), answer);
      } finally {
        try {
          conn.close();
        } catch {
          // closed with its readable stream
        }
      }
    });
  },
});

Deno.test({
  name: "serveHttp() under Bun serves HTTPS",
  ignore: bun === undefined || openssl === undefined,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "ocisign-bun-tls-" });
    try {
      const files = await makeServerCertificate(openssl!, dir);
      await withBunRegistry([files.certPath, files.keyPath], async (port) => {
        const client = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(files.caPath)] });
        try {
          const blob = await content("over tls, ".repeat(10_000));
          const post = await fetch(
            `https://127.0.0.1:${port}/v2/tls/repo/blobs/uploads/?digest=${blob.digest}`,
            { method: "POST", body: blob.bytes, client },
          );
          assertEquals(post.status, 201);
          const got = await fetch(`https://127.0.0.1:${port}/v2/tls/repo/blobs/${blob.digest}`, {
            client,
          });
          assertEquals(new Uint8Array(await got.arrayBuffer()), blob.bytes);
        } finally {
          client.close();
        }
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** Writes all of `bytes` (one write may take only part). */
async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.length;) off += await conn.write(bytes.subarray(off));
}

/** Reads one response (head and `Content-Length` body) from `conn`; returns the head. */
async function readResponse(conn: Deno.Conn, pending: { bytes: Uint8Array }): Promise<string> {
  const buf = new Uint8Array(65536);
  for (;;) {
    const text = new TextDecoder().decode(pending.bytes);
    const end = text.indexOf("\r\n\r\n");
    if (end >= 0) {
      const length = Number(/content-length: *(\d+)/i.exec(text.slice(0, end))?.[1] ?? "0");
      if (pending.bytes.length >= end + 4 + length) {
        pending.bytes = pending.bytes.subarray(end + 4 + length);
        return text.slice(0, end);
      }
    }
    const n = await conn.read(buf);
    if (n === null) throw new Error(`the server closed the connection after: ${text}`);
    pending.bytes = concat([pending.bytes, buf.subarray(0, n)]);
  }
}

Deno.test({
  name: "serveHttp() under Bun answers whether or not the handler reads the request body",
  ignore: bun === undefined,
  fn: async () => {
    await withBunRegistry([], async (port) => {
      const body = new Uint8Array(4 * 1024 * 1024).fill(1);
      const { digest } = await content(body);
      /** Sends the requests on one connection; returns the answers' heads, and "closed" after. */
      const exchange = async (requests: string[], closed: boolean): Promise<string[]> => {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        const pending = { bytes: new Uint8Array(0) };
        const answers: string[] = [];
        try {
          for (const request of requests) {
            const withBody = !request.startsWith("GET");
            const length = withBody ? `Content-Length: ${body.length}\r\n` : "";
            await conn.write(
              new TextEncoder().encode(`${request} HTTP/1.1\r\nHost: x\r\n${length}\r\n`),
            );
            const writing = withBody ? writeAll(conn, body).catch(() => {}) : Promise.resolve();
            answers.push(await within(readResponse(conn, pending), 10_000, request));
            await writing;
          }
          if (closed) {
            const end = readResponse(conn, pending).then(() => "open", () => "closed");
            answers.push(await within(end, 10_000, "the end of the connection"));
          }
        } finally {
          conn.close();
        }
        return answers;
      };
      // A body read to its end: the connection carries the next request.
      const [created, next] = await exchange([
        `POST /v2/bun/repo/blobs/uploads/?digest=${digest}`,
        "GET /v2/",
      ], false);
      assert(created!.startsWith("HTTP/1.1 201"), created);
      assert(next!.startsWith("HTTP/1.1 200") && /content-length: 2/i.test(next!), next);
      // A body the handler cancels (a POST without a digest) or never reads (an unknown upload):
      // the answer is whole, then the connection closes.
      for (
        const request of ["POST /v2/bun/repo/blobs/uploads/", "PATCH /v2/bun/repo/blobs/uploads/x"]
      ) {
        const [answer, end] = await exchange([request], true);
        assert(/^HTTP\/1.1 (202|404)/.test(answer!), answer);
        assert(/connection: close/i.test(answer!), answer);
        assertEquals(end, "closed");
      }
    });
  },
});

/** Retries an empty `PATCH` of the session until no request holds it (the cut one ended). */
async function waitForSession(base: string, location: string): Promise<void> {
  for (;;) {
    const res = await fetch(`${base}${location}`, { method: "PATCH" });
    await res.body?.cancel();
    if (res.status === 202) return;
    assertEquals(res.status, 416, "busy while the cut request ends");
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test({
  name: "uploads under Bun: a wrong digest and a cut body leave nothing; a good one is stored",
  ignore: bun === undefined,
  fn: async () => {
    await withBunRegistry([], async (port, root) => {
      const base = `http://127.0.0.1:${port}`;
      const blob = await content(crypto.getRandomValues(new Uint8Array(64 * 1024)).join(","));
      const start = async (): Promise<string> => {
        const res = await fetch(`${base}/v2/bun/up/blobs/uploads/`, { method: "POST" });
        assertEquals(res.status, 202);
        return res.headers.get("location")!;
      };
      const wrong = `sha256:${"0".repeat(64)}`;
      const bad = await fetch(`${base}${await start()}?digest=${wrong}`, {
        method: "PUT",
        body: blob.bytes,
      });
      assertEquals([bad.status, await errorCode(bad)], [400, "DIGEST_INVALID"]);
      assertEquals(
        (await fetch(`${base}/v2/bun/up/blobs/${wrong}`, { method: "HEAD" })).status,
        404,
      );

      // A PUT whose body stops halfway, then the connection closes.
      const location = await start();
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      const head = `PUT ${location}?digest=${blob.digest} HTTP/1.1\r\nHost: x\r\n` +
        `Content-Length: ${blob.bytes.length}\r\n\r\n`;
      await conn.write(new TextEncoder().encode(head));
      await conn.write(blob.bytes.subarray(0, blob.bytes.length >> 1));
      // Cut only once the server holds the session (its part file exists): else the empty PATCH
      // below could come first, and the cut request take the session after it.
      await within(untilPartStarted(root, location), 20_000, "the cut upload's start");
      conn.close();
      await within(waitForSession(base, location), 20_000, "the cut upload's end");
      assertEquals(await sessionFiles(root, location), [], "no part and no partial file");
      assertEquals(
        (await fetch(`${base}/v2/bun/up/blobs/${blob.digest}`, { method: "HEAD" })).status,
        404,
      );

      const put = await fetch(`${base}${location}?digest=${blob.digest}`, {
        method: "PUT",
        body: blob.bytes,
      });
      assertEquals(put.status, 201);
      const got = await fetch(`${base}/v2/bun/up/blobs/${blob.digest}`);
      assertEquals(new Uint8Array(await got.arrayBuffer()), blob.bytes);
    });
  },
});
