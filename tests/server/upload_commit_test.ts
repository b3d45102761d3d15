import { assertEquals } from "../_helpers/assert.ts";
import { content, errorCode, startRegistry } from "./_fixture.ts";

Deno.test("a single-part upload is checked as it arrives and moved into the layout, not copied", async () => {
  const reg = await startRegistry();
  try {
    const blob = await content("x".repeat(100_000));
    const post = await reg.request("/v2/app/blobs/uploads/", { method: "POST" });
    assertEquals(post.status, 202);
    const location = post.headers.get("location")!;
    const wrong = `sha256:${"0".repeat(64)}`;
    const bad = await reg.request(`${location}?digest=${wrong}`, {
      method: "PUT",
      body: blob.bytes,
    });
    assertEquals([bad.status, await errorCode(bad)], [400, "DIGEST_INVALID"]);
    assertEquals((await reg.request(`/v2/app/blobs/${wrong}`, { method: "HEAD" })).status, 404);

    const again = await reg.request("/v2/app/blobs/uploads/", { method: "POST" });
    const loc = again.headers.get("location")!;
    const put = await reg.request(`${loc}?digest=${blob.digest}`, {
      method: "PUT",
      body: blob.bytes,
    });
    assertEquals(put.status, 201);
    const file = `${reg.root}/app/blobs/sha256/${blob.digest.slice(7)}`;
    assertEquals(await Deno.readFile(file), blob.bytes);
    assertEquals((await Deno.stat(file)).mode! & 0o777, 0o644);
    // Nothing of the session is left in the upload area.
    const leftovers = [...Deno.readDirSync(`${reg.root}/_uploads`)].filter((e) => e.isDirectory);
    assertEquals(leftovers, []);
    const got = await reg.request(`/v2/app/blobs/${blob.digest}`);
    assertEquals(new Uint8Array(await got.arrayBuffer()), blob.bytes);
  } finally {
    await reg.close();
  }
});
