import { assert, assertEquals } from "../_helpers/assert.ts";
import { content, errorCode, startRegistry } from "./_fixture.ts";
import type { TestRegistry } from "./_fixture.ts";

async function startUpload(reg: TestRegistry, name: string): Promise<string> {
  const res = await reg.request(`/v2/${name}/blobs/uploads/`, { method: "POST" });
  assertEquals(res.status, 202);
  assertEquals(res.headers.get("range"), "0-0");
  const location = res.headers.get("location");
  assert(location !== null && location.startsWith(`/v2/${name}/blobs/uploads/`));
  return location;
}

function patch(
  reg: TestRegistry,
  location: string,
  body: Uint8Array<ArrayBuffer>,
  range?: string,
): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/octet-stream" };
  if (range !== undefined) headers["content-range"] = range;
  return reg.request(location, { method: "PATCH", body, headers });
}

async function uploadDirs(reg: TestRegistry): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(`${reg.root}/_uploads`)) names.push(e.name);
  return names;
}

Deno.test("chunked uploads: in-order chunks, 416 for a bad order, status and final PUT", async () => {
  const reg = await startRegistry();
  try {
    const blob = await content("first chunk|second chunk|third");
    const [a, b, c] = [blob.bytes.slice(0, 12), blob.bytes.slice(12, 25), blob.bytes.slice(25)];
    const location = await startUpload(reg, "org/app");

    const outOfOrder = await patch(reg, location, b, "12-24");
    assertEquals(outOfOrder.status, 416);
    assertEquals(outOfOrder.headers.get("range"), "0-0");
    assertEquals(await errorCode(outOfOrder), "BLOB_UPLOAD_INVALID");

    const first = await patch(reg, location, a, "0-11");
    assertEquals(first.status, 202);
    assertEquals(first.headers.get("range"), "0-11");
    assertEquals(first.headers.get("location"), location);

    const repeated = await patch(reg, location, a, "0-11");
    assertEquals(repeated.status, 416);
    assertEquals(repeated.headers.get("range"), "0-11");
    await repeated.body?.cancel();

    const status = await reg.request(location);
    assertEquals(status.status, 204);
    assertEquals(status.headers.get("range"), "0-11");
    assertEquals(status.headers.get("location"), location);

    const second = await patch(reg, location, b, "12-24");
    assertEquals(second.status, 202);
    assertEquals(second.headers.get("range"), "0-24");

    const visibleEarly = await reg.request(`/v2/org/app/blobs/${blob.digest}`, { method: "HEAD" });
    assertEquals(visibleEarly.status, 404);

    const done = await reg.request(`${location}?digest=${blob.digest}`, {
      method: "PUT",
      body: c,
      headers: { "content-range": "25-29" },
    });
    assertEquals(done.status, 201);
    assertEquals(done.headers.get("location"), `/v2/org/app/blobs/${blob.digest}`);
    assertEquals(
      await (await reg.request(`/v2/org/app/blobs/${blob.digest}`)).text(),
      "first chunk|second chunk|third",
    );
    assertEquals(await uploadDirs(reg), []);
    const closed = await reg.request(location);
    assertEquals(closed.status, 404);
    assertEquals(await errorCode(closed), "BLOB_UPLOAD_UNKNOWN");
  } finally {
    await reg.close();
  }
});

Deno.test("streamed uploads: PATCH without Content-Range, then PUT with an empty body", async () => {
  const reg = await startRegistry();
  try {
    const blob = await content(new Uint8Array(300_000).map((_, i) => i % 251));
    const location = await startUpload(reg, "a");
    const stream = new Blob([blob.bytes]).stream();
    const res = await reg.request(location, { method: "PATCH", body: stream });
    assertEquals(res.status, 202);
    assertEquals(res.headers.get("range"), `0-${blob.bytes.length - 1}`);
    const put = await reg.request(`${location}?digest=${blob.digest}`, { method: "PUT" });
    assertEquals(put.status, 201);
    const got = new Uint8Array(
      await (await reg.request(`/v2/a/blobs/${blob.digest}`)).arrayBuffer(),
    );
    assertEquals(got, blob.bytes);
  } finally {
    await reg.close();
  }
});

Deno.test("uploads: a wrong final digest, a length mismatch and a cancelled session leave nothing", async () => {
  const reg = await startRegistry();
  try {
    const blob = await content("some bytes");
    const location = await startUpload(reg, "a");
    const mismatch = await patch(reg, location, blob.bytes, "0-99");
    assertEquals(mismatch.status, 400);
    assertEquals(await errorCode(mismatch), "SIZE_INVALID");
    assertEquals((await reg.request(location)).headers.get("range"), "0-0");

    assertEquals((await patch(reg, location, blob.bytes)).status, 202);
    const wrong = await reg.request(`${location}?digest=sha256:${"5".repeat(64)}`, {
      method: "PUT",
    });
    assertEquals(wrong.status, 400);
    assertEquals(await errorCode(wrong), "DIGEST_INVALID");
    assertEquals((await reg.request(`/v2/a/blobs/${blob.digest}`, { method: "HEAD" })).status, 404);

    const noDigest = await startUpload(reg, "a");
    const missing = await reg.request(noDigest, { method: "PUT" });
    assertEquals(missing.status, 400);
    assertEquals(await errorCode(missing), "DIGEST_INVALID");

    const cancelled = await startUpload(reg, "a");
    assertEquals((await patch(reg, cancelled, blob.bytes)).status, 202);
    assertEquals((await reg.request(cancelled, { method: "DELETE" })).status, 204);
    const after = await patch(reg, cancelled, blob.bytes);
    assertEquals(after.status, 404);
    assertEquals(await errorCode(after), "BLOB_UPLOAD_UNKNOWN");

    const otherRepo = await reg.request(noDigest.replace("/v2/a/", "/v2/b/"));
    assertEquals(otherRepo.status, 404);
    await otherRepo.body?.cancel();
    assertEquals((await reg.request(noDigest, { method: "DELETE" })).status, 204);
    assertEquals(await uploadDirs(reg), []);
  } finally {
    await reg.close();
  }
});

Deno.test("uploads: a body that dies halfway leaves no bytes and the session resumable", async () => {
  const reg = await startRegistry();
  try {
    const blob = await content("abcdefghij");
    const location = await startUpload(reg, "a");
    let sent = 0;
    const dying = new ReadableStream<Uint8Array>({
      pull(controller): void {
        if (sent === 0) {
          sent = 5;
          controller.enqueue(blob.bytes.slice(0, 5));
        } else {
          controller.error(new Error("connection reset"));
        }
      },
    });
    const res = await reg.request(location, { method: "PATCH", body: dying });
    assertEquals(res.status, 400);
    assertEquals(await errorCode(res), "BLOB_UPLOAD_INVALID");
    assertEquals((await reg.request(location)).headers.get("range"), "0-0");
    const sessionDir = `${reg.root}/_uploads/${location.split("/").pop()}`;
    const parts: string[] = [];
    for await (const e of Deno.readDir(sessionDir)) parts.push(e.name);
    assertEquals(parts, []);

    assertEquals((await patch(reg, location, blob.bytes, "0-9")).status, 202);
    const put = await reg.request(`${location}?digest=${blob.digest}`, { method: "PUT" });
    assertEquals(put.status, 201);
  } finally {
    await reg.close();
  }
});

Deno.test("uploads: concurrent pushes of the same blob all succeed and store it once", async () => {
  const reg = await startRegistry();
  try {
    const blob = await content(crypto.getRandomValues(new Uint8Array(64 * 1024)));
    const results = await Promise.all(Array.from({ length: 8 }, async (_, i) => {
      if (i % 2 === 0) {
        const res = await reg.request(`/v2/a/blobs/uploads/?digest=${blob.digest}`, {
          method: "POST",
          body: blob.bytes,
        });
        return res.status;
      }
      const location = await startUpload(reg, "a");
      const res = await reg.request(`${location}?digest=${blob.digest}`, {
        method: "PUT",
        body: blob.bytes,
      });
      return res.status;
    }));
    assertEquals(results, Array(8).fill(201));
    const got = new Uint8Array(
      await (await reg.request(`/v2/a/blobs/${blob.digest}`)).arrayBuffer(),
    );
    assertEquals(got, blob.bytes);
    assertEquals(await uploadDirs(reg), []);
  } finally {
    await reg.close();
  }
});

Deno.test("uploads: the session limit gives 429 TOOMANYREQUESTS", async () => {
  const reg = await startRegistry({ limits: { maxUploadSessions: 2 } });
  try {
    const first = await startUpload(reg, "a");
    await startUpload(reg, "a");
    const third = await reg.request("/v2/a/blobs/uploads/", { method: "POST" });
    assertEquals(third.status, 429);
    assertEquals(third.headers.get("retry-after"), "1");
    assertEquals(await errorCode(third), "TOOMANYREQUESTS");
    assertEquals((await reg.request(first, { method: "DELETE" })).status, 204);
    await startUpload(reg, "a");
  } finally {
    await reg.close();
  }
});

Deno.test("uploads: idle sessions expire with their bytes", async () => {
  let now = 1_000_000;
  const reg = await startRegistry({ limits: { uploadIdleTimeoutMs: 20 }, now: () => now });
  try {
    const location = await startUpload(reg, "a");
    assertEquals((await patch(reg, location, new Uint8Array([1, 2, 3]))).status, 202);
    now += 20;
    assertEquals((await patch(reg, location, new Uint8Array([4]))).status, 202, "idle for 20 ms");
    now += 21;
    const res = await patch(reg, location, new Uint8Array([4]));
    assertEquals(res.status, 404);
    assertEquals(await errorCode(res), "BLOB_UPLOAD_UNKNOWN");
    assertEquals(await uploadDirs(reg), []);
  } finally {
    await reg.close();
  }
});

Deno.test("uploads: blobs over maxBlobBytes are refused with 413", async () => {
  const reg = await startRegistry({ limits: { maxBlobBytes: 10 } });
  try {
    const big = await content("0123456789ABCDEF");
    const declared = await reg.request(`/v2/a/blobs/uploads/?digest=${big.digest}`, {
      method: "POST",
      body: big.bytes,
    });
    assertEquals(declared.status, 413);
    assertEquals(await errorCode(declared), "SIZE_INVALID");
    const location = await startUpload(reg, "a");
    const streamed = await reg.request(location, {
      method: "PATCH",
      body: new Blob([big.bytes]).stream(),
    });
    assertEquals(streamed.status, 413);
    await streamed.body?.cancel();
    assertEquals((await reg.request(`/v2/a/blobs/${big.digest}`, { method: "HEAD" })).status, 404);
  } finally {
    await reg.close();
  }
});
