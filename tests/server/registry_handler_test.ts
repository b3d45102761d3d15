import { assert, assertEquals } from "../_helpers/assert.ts";
import {
  content,
  errorCode,
  imageManifest,
  pushBlob,
  pushImage,
  putManifest,
  serveRegistry,
  startRegistry,
} from "./_fixture.ts";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const EMPTY = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

Deno.test("createRegistryHandler() answers the base endpoint and unknown paths", async () => {
  const reg = await startRegistry();
  try {
    const res = await reg.request("/v2/");
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("docker-distribution-api-version"), "registry/2.0");
    assertEquals(await res.json(), {});
    const missing = await reg.request("/v3/nothing");
    assertEquals(missing.status, 404);
    assertEquals(await errorCode(missing), "UNSUPPORTED");
    const wrong = await reg.request("/v2/", { method: "POST" });
    assertEquals(wrong.status, 405);
    assertEquals(await errorCode(wrong), "UNSUPPORTED");
  } finally {
    await reg.close();
  }
});

Deno.test("createRegistryHandler() asks for credentials when auth refuses", async () => {
  const reg = await startRegistry({
    auth: (req) => req.headers.get("authorization") === `Basic ${btoa("u:p")}`,
  });
  try {
    const denied = await reg.request("/v2/");
    assertEquals(denied.status, 401);
    assertEquals(denied.headers.get("www-authenticate"), 'Basic realm="ocisign"');
    assertEquals(await errorCode(denied), "UNAUTHORIZED");
    const ok = await reg.request("/v2/", { headers: { authorization: `Basic ${btoa("u:p")}` } });
    assertEquals(ok.status, 200);
    await ok.body?.cancel();
  } finally {
    await reg.close();
  }
});

Deno.test("createRegistryHandler() refuses writes when read-only", async () => {
  const reg = await startRegistry({ readOnly: true });
  try {
    const blob = await content("hello");
    const res = await pushBlob(reg, "a/b", blob);
    assertEquals(res.status, 405);
    assertEquals(await errorCode(res), "UNSUPPORTED");
    const get = await reg.request(`/v2/a/b/blobs/${blob.digest}`);
    assertEquals(get.status, 404);
    assertEquals(await errorCode(get), "NAME_UNKNOWN");
  } finally {
    await reg.close();
  }
});

Deno.test("createRegistryHandler() rejects bad names and digests", async () => {
  const reg = await startRegistry();
  try {
    for (
      const path of [
        "/v2/UPPER/tags/list",
        "/v2/a..b/tags/list",
        `/v2/${"a".repeat(300)}/tags/list`,
      ]
    ) {
      const res = await reg.request(path);
      assertEquals(res.status, 400, path);
      assertEquals(await errorCode(res), "NAME_INVALID");
    }
    const reserved = await pushBlob(reg, "a/blobs", await content("x"));
    assertEquals(reserved.status, 400);
    assertEquals(await errorCode(reserved), "NAME_INVALID");
    for (const d of ["sha256:short", "md5:abcd", "sha256:" + "A".repeat(64)]) {
      const res = await reg.request(`/v2/a/b/blobs/${d}`);
      assertEquals(res.status, 400, d);
      assertEquals(await errorCode(res), "DIGEST_INVALID");
    }
    const badManifestDigest = await reg.request("/v2/a/b/manifests/sha256:totallywrong");
    assertEquals(badManifestDigest.status, 400);
    assertEquals(await errorCode(badManifestDigest), "DIGEST_INVALID");
  } finally {
    await reg.close();
  }
});

Deno.test("createRegistryHandler() pushes and pulls blobs with HEAD, GET and ranges", async () => {
  const reg = await startRegistry();
  try {
    const blob = await content("0123456789abcdef");
    const push = await pushBlob(reg, "org/app", blob);
    assertEquals(push.status, 201);
    assertEquals(push.headers.get("location"), `/v2/org/app/blobs/${blob.digest}`);
    assertEquals(push.headers.get("docker-content-digest"), blob.digest);

    const head = await reg.request(`/v2/org/app/blobs/${blob.digest}`, { method: "HEAD" });
    assertEquals(head.status, 200);
    assertEquals(head.headers.get("content-length"), "16");
    assertEquals(head.headers.get("docker-content-digest"), blob.digest);
    assertEquals(head.body, null);

    const get = await reg.request(`/v2/org/app/blobs/${blob.digest}`);
    assertEquals(get.headers.get("accept-ranges"), "bytes");
    assertEquals(await get.text(), "0123456789abcdef");

    const cases: [string, number, string | undefined, string | undefined][] = [
      ["bytes=2-5", 206, "2345", "bytes 2-5/16"],
      ["bytes=10-", 206, "abcdef", "bytes 10-15/16"],
      ["bytes=-3", 206, "def", "bytes 13-15/16"],
      ["bytes=12-100", 206, "cdef", "bytes 12-15/16"],
      ["bytes=5-2", 416, undefined, "bytes */16"],
      ["bytes=16-20", 416, undefined, "bytes */16"],
      ["items=1-2", 200, "0123456789abcdef", undefined],
    ];
    for (const [range, status, body, contentRange] of cases) {
      const res = await reg.request(`/v2/org/app/blobs/${blob.digest}`, { headers: { range } });
      assertEquals(res.status, status, range);
      assertEquals(res.headers.get("content-range") ?? undefined, contentRange, range);
      if (body === undefined) await res.body?.cancel();
      else assertEquals(await res.text(), body, range);
    }

    const missing = await reg.request(`/v2/org/app/blobs/sha256:${"0".repeat(64)}`);
    assertEquals(missing.status, 404);
    assertEquals(await errorCode(missing), "BLOB_UNKNOWN");
  } finally {
    await reg.close();
  }
});

Deno.test("createRegistryHandler() refuses a monolithic upload whose digest does not match", async () => {
  const reg = await startRegistry();
  try {
    const blob = await content("real bytes");
    const other = await content("other bytes");
    const res = await reg.request(`/v2/a/blobs/uploads/?digest=${other.digest}`, {
      method: "POST",
      body: blob.bytes,
    });
    assertEquals(res.status, 400);
    assertEquals(await errorCode(res), "DIGEST_INVALID");
    for (const d of [blob.digest, other.digest]) {
      const head = await reg.request(`/v2/a/blobs/${d}`, { method: "HEAD" });
      assertEquals(head.status, 404);
    }
    // An existing blob is still checked against the upload.
    assertEquals((await pushBlob(reg, "a", other)).status, 201);
    const again = await reg.request(`/v2/a/blobs/uploads/?digest=${other.digest}`, {
      method: "POST",
      body: await content("other bytez").then((c) => c.bytes),
    });
    assertEquals(again.status, 400);
    assertEquals(await errorCode(again), "DIGEST_INVALID");
  } finally {
    await reg.close();
  }
});

Deno.test("createRegistryHandler() mounts blobs across repositories", async () => {
  const reg = await startRegistry();
  try {
    const blob = await content("shared layer");
    assertEquals((await pushBlob(reg, "src/repo", blob)).status, 201);
    const mount = await reg.request(
      `/v2/dst/repo/blobs/uploads/?mount=${blob.digest}&from=src/repo`,
      { method: "POST" },
    );
    assertEquals(mount.status, 201);
    assertEquals(mount.headers.get("location"), `/v2/dst/repo/blobs/${blob.digest}`);
    assertEquals(
      await (await reg.request(`/v2/dst/repo/blobs/${blob.digest}`)).text(),
      "shared layer",
    );

    const missing = await reg.request(
      `/v2/dst/repo/blobs/uploads/?mount=sha256:${"1".repeat(64)}&from=src/repo`,
      { method: "POST" },
    );
    assertEquals(missing.status, 202);
    assert(missing.headers.get("location")!.startsWith("/v2/dst/repo/blobs/uploads/"));
    const noSource = await reg.request(
      `/v2/dst/repo/blobs/uploads/?mount=${blob.digest}&from=nowhere`,
      { method: "POST" },
    );
    assertEquals(noSource.status, 202);
    const cancel = await reg.request(noSource.headers.get("location")!, { method: "DELETE" });
    assertEquals(cancel.status, 204);
  } finally {
    await reg.close();
  }
});

Deno.test("createRegistryHandler() stores manifests byte for byte and serves them by tag and digest", async () => {
  const reg = await startRegistry();
  try {
    const { manifest } = await pushImage(reg, "org/app", "v1");
    for (const ref of ["v1", manifest.digest]) {
      const res = await reg.request(`/v2/org/app/manifests/${ref}`, {
        headers: { accept: OCI_MANIFEST },
      });
      assertEquals(res.status, 200, ref);
      assertEquals(res.headers.get("content-type"), OCI_MANIFEST);
      assertEquals(res.headers.get("docker-content-digest"), manifest.digest);
      assertEquals(new Uint8Array(await res.arrayBuffer()), manifest.bytes);
      const head = await reg.request(`/v2/org/app/manifests/${ref}`, { method: "HEAD" });
      assertEquals(head.headers.get("content-length"), String(manifest.bytes.length));
      assertEquals(head.headers.get("docker-content-digest"), manifest.digest);
    }
    const missing = await reg.request("/v2/org/app/manifests/v2");
    assertEquals(missing.status, 404);
    assertEquals(await errorCode(missing), "MANIFEST_UNKNOWN");
    const noRepo = await reg.request("/v2/other/manifests/v1");
    assertEquals(noRepo.status, 404);
    assertEquals(await errorCode(noRepo), "NAME_UNKNOWN");
  } finally {
    await reg.close();
  }
});

Deno.test("createRegistryHandler() validates manifests on push", async () => {
  const reg = await startRegistry({ limits: { maxManifestBytes: 2048 } });
  try {
    const config = await content("{}");
    const layer = await content("layer");
    const manifest = await imageManifest(config, [layer]);

    const unknownBlobs = await putManifest(reg, "a", "v1", manifest);
    assertEquals(unknownBlobs.status, 400);
    assertEquals(await errorCode(unknownBlobs), "MANIFEST_BLOB_UNKNOWN");

    await pushBlob(reg, "a", config);
    await pushBlob(reg, "a", layer);
    const badJson = await putManifest(reg, "a", "v1", await content("{not json"));
    assertEquals(badJson.status, 400);
    assertEquals(await errorCode(badJson), "MANIFEST_INVALID");

    const mismatch = await putManifest(reg, "a", "v1", manifest, OCI_INDEX);
    assertEquals(mismatch.status, 400);
    assertEquals(await errorCode(mismatch), "MANIFEST_INVALID");

    const wrongDigest = await putManifest(reg, "a", `sha256:${"2".repeat(64)}`, manifest);
    assertEquals(wrongDigest.status, 400);
    assertEquals(await errorCode(wrongDigest), "DIGEST_INVALID");

    const big = await imageManifest(config, [layer], { annotations: { pad: "x".repeat(4000) } });
    const tooBig = await putManifest(reg, "a", "big", big);
    assertEquals(tooBig.status, 413);
    assertEquals(await errorCode(tooBig), "SIZE_INVALID");

    const badTag = await putManifest(reg, "a", ".hidden", manifest);
    assertEquals(badTag.status, 400);
    await badTag.body?.cancel();

    const ok = await putManifest(reg, "a", manifest.digest, manifest);
    assertEquals(ok.status, 201);
    assertEquals(ok.headers.get("docker-content-digest"), manifest.digest);
    assertEquals(ok.headers.get("location"), `/v2/a/manifests/${manifest.digest}`);
    assertEquals(ok.headers.get("oci-subject"), null);

    const index = await content(JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [{
        mediaType: OCI_MANIFEST,
        digest: manifest.digest,
        size: manifest.bytes.length,
      }],
    }));
    assertEquals((await putManifest(reg, "a", "multi", index, OCI_INDEX)).status, 201);
    const dangling = await content(JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [{ mediaType: OCI_MANIFEST, digest: `sha256:${"3".repeat(64)}`, size: 10 }],
    }));
    const danglingRes = await putManifest(reg, "a", "dangling", dangling, OCI_INDEX);
    assertEquals(danglingRes.status, 400);
    assertEquals(await errorCode(danglingRes), "MANIFEST_BLOB_UNKNOWN");
  } finally {
    await reg.close();
  }
});

Deno.test("createRegistryHandler() lists tags with n, last and Link", async () => {
  const reg = await startRegistry();
  try {
    const { manifest } = await pushImage(reg, "a", "t1");
    for (const tag of ["t3", "t2", "t4"]) {
      const res = await putManifest(reg, "a", tag, manifest);
      assertEquals(res.status, 201);
    }
    assertEquals(await (await reg.request("/v2/a/tags/list")).json(), {
      name: "a",
      tags: ["t1", "t2", "t3", "t4"],
    });
    const page = await reg.request("/v2/a/tags/list?n=2");
    assertEquals(await page.json(), { name: "a", tags: ["t1", "t2"] });
    assertEquals(page.headers.get("link"), '</v2/a/tags/list?n=2&last=t2>; rel="next"');
    const next = await reg.request("/v2/a/tags/list?n=2&last=t2");
    assertEquals(await next.json(), { name: "a", tags: ["t3", "t4"] });
    assertEquals(next.headers.get("link"), null);
    const lastOnly = await reg.request("/v2/a/tags/list?last=t3");
    assertEquals(await lastOnly.json(), { name: "a", tags: ["t4"] });
    const zero = await reg.request("/v2/a/tags/list?n=0");
    assertEquals(await zero.json(), { name: "a", tags: [] });
    assertEquals(zero.headers.get("link"), null);
    const bad = await reg.request("/v2/a/tags/list?n=-1");
    assertEquals(bad.status, 400);
    await bad.body?.cancel();
    const unknown = await reg.request("/v2/nope/tags/list");
    assertEquals(unknown.status, 404);
    assertEquals(await errorCode(unknown), "NAME_UNKNOWN");
  } finally {
    await reg.close();
  }
});

Deno.test("createRegistryHandler() lists referrers with the artifactType filter", async () => {
  const reg = await startRegistry();
  try {
    const { manifest: subject } = await pushImage(reg, "a", "v1");
    const subjectDesc = {
      mediaType: OCI_MANIFEST,
      digest: subject.digest,
      size: subject.bytes.length,
    };
    assertEquals((await pushBlob(reg, "a", await content("{}"))).status, 201);
    const empty = { mediaType: "application/vnd.oci.empty.v1+json", digest: EMPTY, size: 2 };
    const sig = await content(JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: "application/vnd.example.sig",
      config: empty,
      layers: [empty],
      subject: subjectDesc,
      annotations: { "org.example.kind": "signature" },
    }));
    const sbom = await content(JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: "application/vnd.example.sbom", digest: EMPTY, size: 2 },
      layers: [empty],
      subject: subjectDesc,
    }));
    for (const m of [sig, sbom]) {
      const res = await putManifest(reg, "a", m.digest, m);
      assertEquals(res.status, 201);
      assertEquals(res.headers.get("oci-subject"), subject.digest);
    }
    const all = await reg.request(`/v2/a/referrers/${subject.digest}`);
    assertEquals(all.headers.get("content-type"), OCI_INDEX);
    const body = await all.json() as {
      manifests: { digest: string; artifactType?: string; annotations?: unknown }[];
    };
    assertEquals(body.manifests.length, 2);
    const bySig = body.manifests.find((m) => m.digest === sig.digest)!;
    assertEquals(bySig, {
      mediaType: OCI_MANIFEST,
      digest: sig.digest,
      size: sig.bytes.length,
      artifactType: "application/vnd.example.sig",
      annotations: { "org.example.kind": "signature" },
    });
    assertEquals(
      body.manifests.find((m) => m.digest === sbom.digest)?.artifactType,
      "application/vnd.example.sbom",
    );

    const filtered = await reg.request(
      `/v2/a/referrers/${subject.digest}?artifactType=application/vnd.example.sbom`,
    );
    assertEquals(filtered.headers.get("oci-filters-applied"), "artifactType");
    const fbody = await filtered.json() as { manifests: { digest: string }[] };
    assertEquals(fbody.manifests.map((m) => m.digest), [sbom.digest]);

    for (
      const path of [
        `/v2/a/referrers/sha256:${"4".repeat(64)}`,
        `/v2/never/pushed/referrers/${subject.digest}`,
      ]
    ) {
      const none = await reg.request(path);
      assertEquals(none.status, 200, path);
      assertEquals(await none.json(), { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
    }
    const bad = await reg.request("/v2/a/referrers/sha256:nope");
    assertEquals(bad.status, 400);
    assertEquals(await errorCode(bad), "DIGEST_INVALID");
  } finally {
    await reg.close();
  }
});

Deno.test("createRegistryHandler() deletes tags, manifests and blobs", async () => {
  const reg = await startRegistry();
  try {
    const { manifest, layer } = await pushImage(reg, "a", "v1");
    assertEquals((await putManifest(reg, "a", "v2", manifest)).status, 201);

    const untag = await reg.request("/v2/a/manifests/v1", { method: "DELETE" });
    assertEquals(untag.status, 202);
    assertEquals(await (await reg.request("/v2/a/tags/list")).json(), { name: "a", tags: ["v2"] });
    assertEquals((await reg.request("/v2/a/manifests/v1", { method: "HEAD" })).status, 404);
    assertEquals(
      (await reg.request(`/v2/a/manifests/${manifest.digest}`, { method: "HEAD" })).status,
      200,
    );

    const del = await reg.request(`/v2/a/manifests/${manifest.digest}`, { method: "DELETE" });
    assertEquals(del.status, 202);
    assertEquals(
      (await reg.request(`/v2/a/manifests/${manifest.digest}`, { method: "HEAD" })).status,
      404,
    );
    assertEquals((await reg.request("/v2/a/manifests/v2", { method: "HEAD" })).status, 404);
    assertEquals(await (await reg.request("/v2/a/tags/list")).json(), { name: "a", tags: [] });
    const again = await reg.request(`/v2/a/manifests/${manifest.digest}`, { method: "DELETE" });
    assertEquals(again.status, 404);
    assertEquals(await errorCode(again), "MANIFEST_UNKNOWN");

    assertEquals(
      (await reg.request(`/v2/a/blobs/${layer.digest}`, { method: "DELETE" })).status,
      202,
    );
    const gone = await reg.request(`/v2/a/blobs/${layer.digest}`);
    assertEquals(gone.status, 404);
    assertEquals(await errorCode(gone), "BLOB_UNKNOWN");
    const goneAgain = await reg.request(`/v2/a/blobs/${layer.digest}`, { method: "DELETE" });
    assertEquals(goneAgain.status, 404);
    await goneAgain.body?.cancel();
  } finally {
    await reg.close();
  }
});

Deno.test("createRegistryHandler() logs one entry per request", async () => {
  const reg = await startRegistry();
  try {
    const blob = await content("logged");
    await pushBlob(reg, "a", blob);
    const res = await reg.request(`/v2/a/blobs/${blob.digest}`);
    assertEquals(await res.text(), "logged");
    await (await reg.request("/v2/a/blobs/sha256:bad")).body?.cancel();
    assertEquals(reg.log.map((e) => [e.method, e.path, e.status, e.bytes]), [
      ["POST", "/v2/a/blobs/uploads/", 201, 0],
      ["GET", `/v2/a/blobs/${blob.digest}`, 200, 6],
      ["GET", "/v2/a/blobs/sha256:bad", 400, reg.log[2]!.bytes],
    ]);
    assert(reg.log.every((e) => typeof e.ms === "number" && e.ms >= 0));
  } finally {
    await reg.close();
  }
});

Deno.test("createRegistryHandler() tags a push by digest with ?tag= and answers OCI-Tag", async () => {
  const reg = await startRegistry();
  try {
    const { manifest } = await pushImage(reg, "a", "v1");
    const res = await reg.request(`/v2/a/manifests/${manifest.digest}?tag=x&tag=y`, {
      method: "PUT",
      body: manifest.bytes,
      headers: { "content-type": OCI_MANIFEST },
    });
    assertEquals(res.status, 201);
    assertEquals(res.headers.get("oci-tag"), "x, y");
    assertEquals(await (await reg.request("/v2/a/tags/list")).json(), {
      name: "a",
      tags: ["v1", "x", "y"],
    });
    const onTag = await reg.request("/v2/a/manifests/z?tag=w", {
      method: "PUT",
      body: manifest.bytes,
      headers: { "content-type": OCI_MANIFEST },
    });
    assertEquals(onTag.status, 400);
    assertEquals(await errorCode(onTag), "MANIFEST_INVALID");
  } finally {
    await reg.close();
  }
});

Deno.test("createRegistryHandler() logs a body of known length when the server says it was sent, passing it on untouched", async () => {
  const reg = await startRegistry();
  try {
    const blob = await content("sent whole");
    await pushBlob(reg, "a", blob);
    const path = `/v2/a/blobs/${blob.digest}`;
    for (const [outcome, bytes] of [["sent", 10], ["client gone", 0]] as const) {
      let settle!: (sent: boolean) => void;
      const completed = new Promise<void>((resolve, reject) => {
        settle = (sent) => sent ? resolve() : reject(new Error("The client disconnected"));
      });
      const before = reg.log.length;
      const res = await reg.handler(new Request(`http://registry.test${path}`), {
        remoteAddress: "127.0.0.1:1",
        completed,
      });
      assertEquals(await res.text(), "sent whole");
      // Read to the end, yet not logged until the server reports the outcome.
      assertEquals(reg.log.length, before, outcome);
      settle(outcome === "sent");
      await completed.catch(() => {});
      await Promise.resolve();
      assertEquals(reg.log.slice(before).map((e) => [e.path, e.status, e.bytes]), [
        [path, 200, bytes],
      ], outcome);
    }
  } finally {
    await reg.close();
  }
});

Deno.test("serveHttp() under Deno sends a whole layout blob and logs its full length", async () => {
  const reg = await serveRegistry();
  try {
    const bytes = Uint8Array.from({ length: 3 * 65536 + 17 }, (_, i) => (i * 7919) % 251);
    const blob = await content(bytes);
    assertEquals((await pushBlob(reg, "a", blob)).status, 201);
    const path = `/v2/a/blobs/${blob.digest}`;
    const res = await fetch(`http://${reg.address}${path}`);
    assertEquals(res.headers.get("content-length"), String(bytes.length));
    assertEquals(new Uint8Array(await res.arrayBuffer()), bytes);
    const part = await fetch(`http://${reg.address}${path}`, { headers: { range: "bytes=0-9" } });
    assertEquals(part.status, 206);
    assertEquals(new Uint8Array(await part.arrayBuffer()), bytes.subarray(0, 10));
    for (let i = 0; i < 50 && reg.log.filter((e) => e.path === path).length < 2; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assertEquals(reg.log.filter((e) => e.path === path).map((e) => [e.status, e.bytes]), [
      [200, bytes.length],
      [206, 10],
    ]);
  } finally {
    await reg.close();
  }
});
