import { assert, assertEquals } from "../_helpers/assert.ts";
import { content, errorCode, pushImage, serveRegistry } from "./_fixture.ts";

/** Sends raw bytes over TCP and returns what the server answered before closing (or a timeout). */
async function raw(
  port: number,
  request: string,
  { closeAfterSend = false } = {},
): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(request));
    if (closeAfterSend) {
      await conn.closeWrite();
    }
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
      const text = new TextDecoder().decode(chunks.reduce((a, b) => new Uint8Array([...a, ...b])));
      // One complete response is enough.
      const head = text.indexOf("\r\n\r\n");
      if (head >= 0) {
        const m = /content-length: (\d+)/i.exec(text.slice(0, head));
        if (m && text.length >= head + 4 + Number(m[1])) return text;
      }
    }
    return new TextDecoder().decode(
      chunks.reduce((a, b) => new Uint8Array([...a, ...b]), new Uint8Array()),
    );
  } finally {
    try {
      conn.close();
    } catch {
      // Already closed by the server.
    }
  }
}

Deno.test("registry over a socket: push and pull with fetch", async () => {
  const reg = await serveRegistry();
  try {
    const base = `http://${reg.address}`;
    const blob = await content("over the wire");
    const post = await fetch(`${base}/v2/net/repo/blobs/uploads/`, { method: "POST" });
    assertEquals(post.status, 202);
    const location = new URL(post.headers.get("location")!, base);
    location.searchParams.set("digest", blob.digest);
    const put = await fetch(location, { method: "PUT", body: blob.bytes });
    assertEquals(put.status, 201);
    const head = await fetch(`${base}/v2/net/repo/blobs/${blob.digest}`, { method: "HEAD" });
    assertEquals(head.headers.get("content-length"), String(blob.bytes.length));
    assertEquals(
      await (await fetch(`${base}/v2/net/repo/blobs/${blob.digest}`)).text(),
      "over the wire",
    );
    const ranged = await fetch(`${base}/v2/net/repo/blobs/${blob.digest}`, {
      headers: { range: "bytes=5-7" },
    });
    assertEquals(ranged.status, 206);
    assertEquals(ranged.headers.get("content-length"), "3");
    assertEquals(await ranged.text(), "the");
  } finally {
    await reg.close();
  }
});

Deno.test("registry over a socket: a huge Content-Length claim is refused before the body", async () => {
  const reg = await serveRegistry({ limits: { maxBlobBytes: 1024 * 1024 } });
  try {
    await pushImage(reg, "a", "v1");
    const manifest = await raw(
      reg.server.port,
      "PUT /v2/a/manifests/v2 HTTP/1.1\r\nHost: x\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\n" +
        "Content-Length: 999999999999\r\n\r\n{",
    );
    assert(manifest.startsWith("HTTP/1.1 413"), manifest.slice(0, 100));
    assert(manifest.includes("SIZE_INVALID"));
    const blob = await raw(
      reg.server.port,
      `POST /v2/a/blobs/uploads/?digest=sha256:${"6".repeat(64)} HTTP/1.1\r\nHost: x\r\n` +
        "Content-Length: 999999999999\r\n\r\nabc",
    );
    assert(blob.startsWith("HTTP/1.1 413"), blob.slice(0, 100));
    const list = await fetch(`http://${reg.address}/v2/a/tags/list`);
    assertEquals(await list.json(), { name: "a", tags: ["v1"] });
  } finally {
    await reg.close();
  }
});

Deno.test("registry over a socket: an upload cut off halfway leaves nothing visible", async () => {
  const reg = await serveRegistry();
  try {
    const base = `http://${reg.address}`;
    const post = await fetch(`${base}/v2/a/blobs/uploads/`, { method: "POST" });
    const location = post.headers.get("location")!;
    const digest = `sha256:${"7".repeat(64)}`;
    await raw(
      reg.server.port,
      `PUT ${location}?digest=${digest} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n` +
        "z".repeat(5000),
      { closeAfterSend: true },
    );
    // The server has seen the body end early; the session holds no bytes and the blob is absent.
    for (let i = 0; i < 50; i++) {
      const status = await fetch(new URL(location, base));
      await status.body?.cancel();
      if (status.status === 204 || status.status === 404) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const head = await fetch(`${base}/v2/a/blobs/${digest}`, { method: "HEAD" });
    assertEquals(head.status, 404);
    const status = await fetch(new URL(location, base));
    if (status.status === 204) assertEquals(status.headers.get("range"), "0-0");
    await status.body?.cancel();
    const partial: string[] = [];
    for await (const e of Deno.readDir(`${reg.root}/a/blobs`)) partial.push(e.name);
    assertEquals(partial, []);
  } finally {
    await reg.close();
  }
});

Deno.test("registry over a socket: garbage requests get errors and the server keeps working", async () => {
  const reg = await serveRegistry();
  try {
    const garbage = await raw(reg.server.port, "\x00\x01GARBAGE \x7f\r\n\r\n", {
      closeAfterSend: true,
    });
    assert(garbage === "" || garbage.startsWith("HTTP/1.1 4"), garbage.slice(0, 60));
    const base = `http://${reg.address}`;
    const paths = [
      "/v2/../../etc/passwd/manifests/x",
      "/v2/%ZZ/manifests/latest",
      "/v2/a/manifests/%00",
      "/v2/a/manifests/sha256%3Anothex",
      "/v2/a/blobs/uploads/not-a-session",
      `/v2/${"a/".repeat(200)}b/tags/list`,
    ];
    for (const path of paths) {
      const res = await fetch(`${base}${path}`);
      assert(res.status >= 400 && res.status < 500, `${path}: ${res.status}`);
      assert((await errorCode(res)) !== undefined, path);
    }
    const badJson = await fetch(`${base}/v2/a/manifests/v1`, {
      method: "PUT",
      body: new Uint8Array([0xff, 0xfe, 0x00]),
      headers: { "content-type": "application/vnd.oci.image.manifest.v1+json" },
    });
    assertEquals(badJson.status, 400);
    assertEquals(await errorCode(badJson), "MANIFEST_INVALID");
    const ok = await fetch(`${base}/v2/`);
    assertEquals(ok.status, 200);
    await ok.body?.cancel();
  } finally {
    await reg.close();
  }
});
