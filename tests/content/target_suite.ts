/**
 * One conformance suite for every store behind the Target contract (lib/content/storage.ts):
 * the same behaviour tests, registered once per store by {@linkcode targetSuite}. Blobs are a
 * few bytes each, so the suite stays in the default test run.
 *
 * @module
 */
import type { Bytes } from "../../lib/_internal/bytes.ts";
import { fetchAll } from "../../lib/content/fetch_all.ts";
import {
  type GraphTarget,
  isCloser,
  isCommitter,
  isMounter,
  isRangeFetcher,
  isUntagger,
  type RangeFetcher,
  type TagLister,
  type Untagger,
} from "../../lib/content/storage.ts";
import type { Descriptor } from "../../lib/oci/descriptor.ts";
import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { type Blob, blobOf, jsonBlob } from "./_fixtures.ts";

/** A store under test. */
export type Store = GraphTarget & TagLister;

/** One opened store and what the suite may do to it. */
export interface OpenedStore {
  /** The store. */
  store: Store;
  /**
   * Opens the same storage again, as another process would see it (after `commit`/`close` of
   * the first handle); the same object for a store that lives in memory.
   */
  reopen(): Promise<Store>;
  /**
   * Flips one byte of stored content in place, behind the store's back; absent for stores the
   * suite cannot reach from outside.
   */
  corrupt?(bytes: Uint8Array): Promise<void>;
  /** Removes what the store left behind. */
  dispose(): Promise<void>;
}

/** How the suite opens one kind of store. */
export interface StoreFactory {
  /** Names the store in test names. */
  name: string;
  /** Opens a new, empty store. */
  open(): Promise<OpenedStore>;
  /** Changes are visible to `reopen` only after `commit()` (layouts opened as the CLI does). */
  stagesUntilCommit: boolean;
  /** The optional abilities the store has, as its type guards must find them. */
  abilities: {
    mounter: boolean;
    rangeFetcher: boolean;
    untagger: boolean;
    committer: boolean;
    closer: boolean;
  };
  /** Whether `open()` gives a `corrupt` function. */
  corruptible: boolean;
}

const MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const INDEX = "application/vnd.oci.image.index.v1+json";
const CONFIG = "application/vnd.oci.image.config.v1+json";
const LAYER = "application/vnd.oci.image.layer.v1.tar";
const SIGNATURE = "application/vnd.cncf.notary.signature";
const SBOM = "application/vnd.example.sbom";

interface Image {
  config: Blob;
  layer: Blob;
  manifest: Blob;
}

async function image(name: string): Promise<Image> {
  const config = await jsonBlob(CONFIG, { os: "linux", name });
  const layer = await blobOf(LAYER, `layer of ${name} ${crypto.randomUUID()}`);
  const manifest = await jsonBlob(MANIFEST, {
    schemaVersion: 2,
    mediaType: MANIFEST,
    config: config.desc,
    layers: [layer.desc],
  });
  return { config, layer, manifest };
}

async function pushImage(store: Store, img: Image): Promise<void> {
  for (const b of [img.config, img.layer, img.manifest]) await store.push(b.desc, b.bytes);
}

/** An artifact manifest whose subject is `subject`, of `artifactType`. */
async function referrer(
  store: Store,
  subject: Descriptor,
  artifactType: string,
): Promise<Descriptor> {
  const empty = await blobOf("application/vnd.oci.empty.v1+json", "{}");
  await store.push(empty.desc, empty.bytes);
  const m = await jsonBlob(MANIFEST, {
    schemaVersion: 2,
    mediaType: MANIFEST,
    artifactType,
    config: empty.desc,
    layers: [empty.desc],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
  });
  await store.push(m.desc, m.bytes);
  return m.desc;
}

/** Reads `desc` through `fetch`, whether the failure comes from `fetch` or from the stream. */
async function readAll(store: Store, desc: Descriptor): Promise<Bytes> {
  return await fetchAll(store, desc, { maxBytes: 1 << 20 });
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  return await Array.fromAsync(it);
}

async function finish(store: Store, commit: boolean): Promise<void> {
  if (commit && isCommitter(store)) await store.commit();
  if (isCloser(store)) await store.close();
}

/**
 * Registers the conformance tests for one kind of store.
 *
 * @param factory Opens the stores.
 */
export function targetSuite(factory: StoreFactory): void {
  const test = (
    name: string,
    fn: (opened: OpenedStore) => Promise<void>,
    ignore = false,
  ): void => {
    Deno.test({
      name: `${factory.name}: ${name}`,
      ignore,
      async fn() {
        const opened = await factory.open();
        try {
          await fn(opened);
        } finally {
          await finish(opened.store, false).catch(() => {});
          await opened.dispose();
        }
      },
    });
  };

  test("optional abilities are found by interface", ({ store }) => {
    const found = {
      mounter: isMounter(store),
      rangeFetcher: isRangeFetcher(store),
      untagger: isUntagger(store),
      committer: isCommitter(store),
      closer: isCloser(store),
    };
    assertEquals(found, factory.abilities);
    return Promise.resolve();
  });

  test("push, exists and fetch give back the bytes; absent content is not found", async ({ store }) => {
    const img = await image("push");
    assertEquals(await store.exists(img.layer.desc), false);
    await assertRejectsCode(() => readAll(store, img.layer.desc), "ERR_NOT_FOUND");
    await pushImage(store, img);
    for (const b of [img.config, img.layer, img.manifest]) {
      assert.ok(await store.exists(b.desc), b.desc.mediaType);
      assertEquals(await readAll(store, b.desc), b.bytes);
      assertEquals(await store.exists({ ...b.desc, size: b.desc.size + 1 }), false);
    }
    // Pushing present content again is accepted.
    await store.push(img.layer.desc, img.layer.bytes);
  });

  test("push refuses a body whose digest or size differs, and stores nothing", async ({ store }) => {
    const good = await blobOf(LAYER, `good ${crypto.randomUUID()}`);
    const forged = new Uint8Array(good.bytes);
    forged[0] = forged[0]! ^ 1;
    await assertRejectsCode(() => store.push(good.desc, forged), "ERR_DIGEST_MISMATCH");
    const longer = new Uint8Array([...good.bytes, 0x21]);
    await assertRejectsCode(() => store.push(good.desc, longer), "ERR_SIZE_MISMATCH");
    const shorter = good.bytes.subarray(1);
    await assertRejectsCode(() => store.push(good.desc, shorter), "ERR_SIZE_MISMATCH");
    assertEquals(await store.exists(good.desc), false);
    const manifest = (await image("forged")).manifest;
    const bad = new Uint8Array(manifest.bytes);
    bad[bad.length - 1] = 0x20;
    await assertRejectsCode(() => store.push(manifest.desc, bad), "ERR_DIGEST_MISMATCH");
    assertEquals(await store.exists(manifest.desc), false);
    await assertRejectsCode(() => store.resolve(manifest.desc.digest), "ERR_NOT_FOUND");
  });

  test("fetch refuses a descriptor of another size", async ({ store }) => {
    const img = await image("size");
    await pushImage(store, img);
    for (const b of [img.layer, img.manifest]) {
      await assertRejectsCode(
        () => readAll(store, { ...b.desc, size: b.desc.size + 3 }),
        "ERR_SIZE_MISMATCH",
      );
    }
  });

  // A store kept in memory cannot be changed from outside.
  test("fetch detects content changed behind the store's back", async (opened) => {
    const { store } = opened;
    const img = await image("corrupt");
    await pushImage(store, img);
    await finish(store, true);
    await opened.corrupt!(img.layer.bytes);
    const again = await opened.reopen();
    opened.store = again;
    await assertRejectsCode(() => readAll(again, img.layer.desc), "ERR_DIGEST_MISMATCH");
  }, !factory.corruptible);

  test("resolve: a tag gives the tagged manifest, a manifest digest a plain descriptor, a blob digest nothing", async ({ store }) => {
    const img = await image("resolve");
    await pushImage(store, img);
    await assertRejectsCode(() => store.resolve("v1"), "ERR_NOT_FOUND");
    await store.tag(img.manifest.desc, "v1");
    const tagged = await store.resolve("v1");
    assertEquals(
      { mediaType: tagged.mediaType, digest: tagged.digest, size: tagged.size },
      img.manifest.desc,
    );
    assertEquals(await store.resolve(img.manifest.desc.digest), img.manifest.desc);
    await assertRejectsCode(() => store.resolve(img.config.desc.digest), "ERR_NOT_FOUND");
    await assertRejectsCode(() => store.resolve(img.layer.desc.digest), "ERR_NOT_FOUND");
    const absent = await blobOf(MANIFEST, "absent");
    await assertRejectsCode(() => store.resolve(absent.desc.digest), "ERR_NOT_FOUND");
    // An index and the manifest inside it.
    const index = await jsonBlob(INDEX, {
      schemaVersion: 2,
      mediaType: INDEX,
      manifests: [img.manifest.desc],
    });
    await store.push(index.desc, index.bytes);
    await store.tag(index.desc, "all");
    assertEquals((await store.resolve("all")).mediaType, INDEX);
    assertEquals(await store.resolve(index.desc.digest), index.desc);
  });

  test("tag moves between manifests; tags are listed in order", async ({ store }) => {
    const a = await image("a");
    const b = await image("b");
    await pushImage(store, a);
    await pushImage(store, b);
    await store.tag(a.manifest.desc, "v2");
    await store.tag(a.manifest.desc, "v1");
    await store.tag(b.manifest.desc, "latest");
    assertEquals(await collect(store.tags()), ["latest", "v1", "v2"]);
    await store.tag(b.manifest.desc, "v1");
    assertEquals((await store.resolve("v1")).digest, b.manifest.desc.digest);
    assertEquals((await store.resolve("v2")).digest, a.manifest.desc.digest);
    // The manifest that lost the tag stays.
    assertEquals(await store.resolve(a.manifest.desc.digest), a.manifest.desc);
    assertEquals(await collect(store.tags()), ["latest", "v1", "v2"]);
    const absent = await image("absent");
    await assertRejectsCode(() => store.tag(absent.manifest.desc, "v3"), "ERR_NOT_FOUND");
  });

  test("untag removes the tag and keeps the manifest", async (opened) => {
    const store = opened.store as Store & Untagger;
    const img = await image("untag");
    await pushImage(store, img);
    await store.tag(img.manifest.desc, "v1");
    await store.tag(img.manifest.desc, "keep");
    await store.untag("v1");
    await assertRejectsCode(() => store.resolve("v1"), "ERR_NOT_FOUND");
    assertEquals(await collect(store.tags()), ["keep"]);
    assertEquals(await store.resolve(img.manifest.desc.digest), img.manifest.desc);
    assertEquals(await readAll(store, img.manifest.desc), img.manifest.bytes);
    await assertRejectsCode(() => store.untag("v1"), "ERR_NOT_FOUND");
  }, !factory.abilities.untagger);

  test("referrers lists manifests with this subject, filtered by artifactType", async ({ store }) => {
    const img = await image("referred");
    await pushImage(store, img);
    const other = await image("other");
    await pushImage(store, other);
    assertEquals(await collect(store.referrers(img.manifest.desc)), []);
    const sig = await referrer(store, img.manifest.desc, SIGNATURE);
    const sbom = await referrer(store, img.manifest.desc, SBOM);
    await referrer(store, other.manifest.desc, SIGNATURE);
    const all = await collect(store.referrers(img.manifest.desc));
    assertEquals(all.map((d) => d.digest).sort(), [sig.digest, sbom.digest].sort());
    const bySig = all.find((d) => d.digest === sig.digest)!;
    assertEquals(
      { mediaType: bySig.mediaType, size: bySig.size, artifactType: bySig.artifactType },
      { mediaType: MANIFEST, size: sig.size, artifactType: SIGNATURE },
    );
    const filtered = await collect(store.referrers(img.manifest.desc, { artifactType: SBOM }));
    assertEquals(filtered.map((d) => d.digest), [sbom.digest]);
    assertEquals(
      await collect(store.referrers(img.manifest.desc, { artifactType: "application/none" })),
      [],
    );
  });

  test("fetchRange gives part of a blob and refuses a range outside it", async (opened) => {
    const store = opened.store as Store & RangeFetcher;
    const blob = await blobOf(LAYER, `0123456789 ${crypto.randomUUID()}`);
    await store.push(blob.desc, blob.bytes);
    const part = await store.fetchRange(blob.desc, { offset: 2, length: 5 });
    assertEquals(new TextDecoder().decode(await new Response(part).bytes()), "23456");
    const empty = await store.fetchRange(blob.desc, { offset: 4, length: 0 });
    assertEquals((await new Response(empty).bytes()).length, 0);
    await assertRejectsCode(
      () => store.fetchRange(blob.desc, { offset: blob.desc.size - 1, length: 2 }),
      "ERR_INVALID_INPUT",
    );
    // Stored, not staged: read from the committed file.
    await finish(store, true);
    const again = (opened.store = await opened.reopen()) as Store & RangeFetcher;
    const tail = await again.fetchRange(blob.desc, { offset: 8, length: blob.desc.size - 8 });
    assertEquals(await new Response(tail).bytes(), blob.bytes.subarray(8));
    const absent = await blobOf(LAYER, "absent");
    await assertRejectsCode(
      async () =>
        await new Response(await again.fetchRange(absent.desc, { offset: 0, length: 1 })).bytes(),
      "ERR_NOT_FOUND",
    );
  }, !factory.abilities.rangeFetcher);

  test("commit makes changes visible to a new handle; close without commit drops them", async (opened) => {
    const { store } = opened;
    const img = await image("commit");
    await pushImage(store, img);
    await store.tag(img.manifest.desc, "kept");
    await finish(store, true);
    const second = await opened.reopen();
    opened.store = second;
    assertEquals((await second.resolve("kept")).digest, img.manifest.desc.digest);
    assertEquals(await readAll(second, img.layer.desc), img.layer.bytes);
    await second.tag(img.manifest.desc, "dropped");
    await finish(second, false);
    const third = await opened.reopen();
    opened.store = third;
    if (factory.stagesUntilCommit) {
      await assertRejectsCode(() => third.resolve("dropped"), "ERR_NOT_FOUND");
    } else {
      assertEquals((await third.resolve("dropped")).digest, img.manifest.desc.digest);
    }
    assertEquals((await third.resolve("kept")).digest, img.manifest.desc.digest);
  });
}
