import { fetchAll, MemoryStore } from "../../lib/content/mod.ts";
import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { blobOf, jsonBlob } from "./_fixtures.ts";

const MANIFEST = "application/vnd.oci.image.manifest.v1+json";

async function image(store: MemoryStore) {
  const config = await jsonBlob("application/vnd.oci.image.config.v1+json", { os: "linux" });
  const layer = await blobOf("application/vnd.oci.image.layer.v1.tar", "layer");
  const manifest = await jsonBlob(MANIFEST, {
    schemaVersion: 2,
    mediaType: MANIFEST,
    config: config.desc,
    layers: [layer.desc],
  });
  for (const b of [config, layer, manifest]) await store.push(b.desc, b.bytes);
  return manifest;
}

Deno.test("MemoryStore pushes, fetches, tags, resolves and lists tags", async () => {
  const store = new MemoryStore();
  const m = await image(store);
  await store.tag(m.desc, "v2");
  await store.tag(m.desc, "v1");
  assertEquals((await store.resolve("v1")).digest, m.desc.digest);
  assertEquals(await store.resolve(m.desc.digest), m.desc);
  assertEquals(await fetchAll(store, m.desc), m.bytes);
  assertEquals(await Array.fromAsync(store.tags()), ["v1", "v2"]);
  assert.ok(await store.exists(m.desc));
  await assertRejectsCode(() => store.resolve("nope"), "ERR_NOT_FOUND");
  await assertRejectsCode(() => store.tag(m.desc, ""), "ERR_INVALID_REFERENCE");
});

Deno.test("MemoryStore verifies pushes against the descriptor", async () => {
  const store = new MemoryStore();
  const b = await blobOf("text/plain", "hello");
  await assertRejectsCode(
    () => store.push(b.desc, new TextEncoder().encode("jello")),
    "ERR_DIGEST_MISMATCH",
  );
  await assertRejectsCode(
    () => store.push(b.desc, new Blob(["hello!"]).stream()),
    "ERR_SIZE_MISMATCH",
  );
  await assertRejectsCode(
    () => store.push({ ...b.desc, digest: "sha256:nope" }, b.bytes),
    "ERR_INVALID_DIGEST",
  );
  const notJson = await blobOf(MANIFEST, "not json");
  await assertRejectsCode(() => store.push(notJson.desc, notJson.bytes), "ERR_INVALID_MANIFEST");
  assertEquals(await store.exists(b.desc), false);
  await assertRejectsCode(() => store.fetch(b.desc), "ERR_NOT_FOUND");
  await assertRejectsCode(() => store.tag(b.desc, "x"), "ERR_NOT_FOUND");
});

Deno.test("MemoryStore lists referrers by subject with an artifactType filter", async () => {
  const store = new MemoryStore();
  const m = await image(store);
  const empty = await blobOf("application/vnd.oci.empty.v1+json", "{}");
  await store.push(empty.desc, empty.bytes);
  const sig = await jsonBlob(MANIFEST, {
    schemaVersion: 2,
    mediaType: MANIFEST,
    config: { ...empty.desc, mediaType: "application/vnd.cncf.notary.signature" },
    layers: [empty.desc],
    subject: m.desc,
    annotations: { "io.cncf.notary.x509chain.thumbprint#S256": "[]" },
  });
  const sbom = await jsonBlob(MANIFEST, {
    schemaVersion: 2,
    mediaType: MANIFEST,
    artifactType: "application/spdx+json",
    config: empty.desc,
    layers: [empty.desc],
    subject: m.desc,
  });
  await store.push(sig.desc, sig.bytes);
  await store.push(sbom.desc, sbom.bytes);
  const all = await Array.fromAsync(store.referrers(m.desc));
  assertEquals(all.map((d) => d.digest).sort(), [sig.desc.digest, sbom.desc.digest].sort());
  const sigs = await Array.fromAsync(
    store.referrers(m.desc, { artifactType: "application/vnd.cncf.notary.signature" }),
  );
  assertEquals(sigs, [{
    mediaType: MANIFEST,
    digest: sig.desc.digest,
    size: sig.desc.size,
    artifactType: "application/vnd.cncf.notary.signature",
    annotations: { "io.cncf.notary.x509chain.thumbprint#S256": "[]" },
  }]);
});

Deno.test("MemoryStore.delete() removes content and its tags", async () => {
  const store = new MemoryStore();
  const m = await image(store);
  await store.tag(m.desc, "v1");
  await store.delete(m.desc);
  assertEquals(await store.exists(m.desc), false);
  assertEquals(await Array.fromAsync(store.tags()), []);
  await assertRejectsCode(() => store.delete(m.desc), "ERR_NOT_FOUND");
});
