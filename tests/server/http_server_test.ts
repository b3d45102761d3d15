import { assert, assertEquals } from "../_helpers/assert.ts";
import { findPeer } from "../_helpers/peers.ts";
import { makeServerCertificate } from "../_helpers/tls.ts";
import { serveHttp } from "../../lib/runtime/http_server.ts";

Deno.test("serveHttp() serves a handler on a free port and closes", async () => {
  const server = await serveHttp(async (req) => {
    const body = req.method === "POST" ? await req.text() : "hello";
    return new Response(body, { headers: { "x-path": new URL(req.url).pathname } });
  }, { port: 0 });
  try {
    assert(server.port > 0);
    assertEquals(server.hostname, "127.0.0.1");
    const res = await fetch(`http://127.0.0.1:${server.port}/a/b`);
    assertEquals(res.headers.get("x-path"), "/a/b");
    assertEquals(await res.text(), "hello");
    const echo = await fetch(`http://127.0.0.1:${server.port}/`, { method: "POST", body: "ping" });
    assertEquals(await echo.text(), "ping");
  } finally {
    await server.close();
  }
});

Deno.test("serveHttp() keeps Content-Length on HEAD responses", async () => {
  const server = await serveHttp(
    () => Promise.resolve(new Response(null, { headers: { "content-length": "1234" } })),
    { port: 0 },
  );
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/`, { method: "HEAD" });
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-length"), "1234");
  } finally {
    await server.close();
  }
});

Deno.test("serveHttp() rejects a port out of range", () => {
  let caught: unknown;
  try {
    serveHttp(() => Promise.resolve(new Response()), { port: 70000 });
  } catch (err) {
    caught = err;
  }
  assert(caught instanceof RangeError);
});

const openssl = findPeer("openssl");

Deno.test({
  name: "serveHttp() serves HTTPS with a certificate made by openssl",
  ignore: openssl === undefined,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "ocisign-tls-" });
    try {
      const files = await makeServerCertificate(openssl!, dir);
      const ca = await Deno.readTextFile(files.caPath);
      const cert = await Deno.readTextFile(files.certPath);
      const key = await Deno.readTextFile(files.keyPath);
      const server = await serveHttp(() => Promise.resolve(new Response("secure")), {
        port: 0,
        tls: { cert, key },
      });
      const client = Deno.createHttpClient({ caCerts: [ca] });
      try {
        const res = await fetch(`https://127.0.0.1:${server.port}/`, { client });
        assertEquals(await res.text(), "secure");
      } finally {
        client.close();
        await server.close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
