/**
 * The layout store's blob abilities (size by digest, ranged reads, taking over a verified file),
 * and the fallbacks over a store that has none of them.
 */
import { canIngestFiles, canStatBlobs, readStoredRange } from "../../lib/content/blob_abilities.ts";
import { isRangeFetcher } from "../../lib/content/storage.ts";
import { MemoryStore } from "../../lib/content/memory_store.ts";
import { LayoutStore } from "../../lib/layout/mod.ts";
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { blobOf } from "../content/_fixtures.ts";
import { MANIFEST, withTempDir } from "./_image.ts";

const LAYER = "application/vnd.oci.image.layer.v1.tar";

function open(path: string): Promise<LayoutStore> {
  return LayoutStore.open(path, nodeFs, { hasher: nodeHasherFactory, create: true });
}

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(stream).text();
}

Deno.test("LayoutStore tells blob sizes and reads ranges, through a symlinked blob too", async () => {
  await withTempDir(async (tmp) => {
    const layout = await open(`${tmp}/img`);
    assert(canStatBlobs(layout) && isRangeFetcher(layout) && canIngestFiles(layout));
    const blob = await blobOf(LAYER, "0123456789");
    assertEquals(await layout.statBlob(blob.desc.digest), undefined);
    await layout.push(blob.desc, blob.bytes);
    assertEquals(await layout.statBlob(blob.desc.digest), 10);
    assertEquals(await text(await layout.fetchRange(blob.desc, { offset: 3, length: 4 })), "3456");

    const file = `${tmp}/img/blobs/sha256/${blob.desc.digest.slice(7)}`;
    await Deno.rename(file, `${tmp}/elsewhere`);
    await Deno.symlink(`${tmp}/elsewhere`, file);
    assertEquals(await layout.statBlob(blob.desc.digest), 10);
    assertEquals(await text(await layout.fetchRange(blob.desc, { offset: 8, length: 2 })), "89");

    await assertRejectsCode(
      () => layout.fetchRange({ ...blob.desc, size: 11 }, { offset: 0, length: 1 }),
      "ERR_SIZE_MISMATCH",
    );
    await assertRejectsCode(
      () => layout.fetchRange(blob.desc, { offset: 5, length: 6 }),
      "ERR_INVALID_INPUT",
    );
    await assertRejectsCode(() => layout.statBlob("sha256:nothex"), "ERR_INVALID_DIGEST");
  });
});

Deno.test("LayoutStore.ingestVerifiedFile() moves a file into blobs/ and checks its size", async () => {
  await withTempDir(async (tmp) => {
    const layout = await open(`${tmp}/img`);
    const blob = await blobOf(LAYER, "uploaded bytes");
    await Deno.writeFile(`${tmp}/part`, blob.bytes.slice(1));
    await assertRejectsCode(
      () => layout.ingestVerifiedFile(blob.desc, `${tmp}/part`),
      "ERR_SIZE_MISMATCH",
    );
    assertEquals(await layout.exists(blob.desc), false);

    await Deno.writeFile(`${tmp}/part`, blob.bytes);
    const inode = (await Deno.stat(`${tmp}/part`)).ino;
    await layout.ingestVerifiedFile(blob.desc, `${tmp}/part`);
    const stored = `${tmp}/img/blobs/sha256/${blob.desc.digest.slice(7)}`;
    // Moved, not copied.
    assertEquals((await Deno.stat(stored)).ino, inode);
    assertEquals(await Deno.stat(`${tmp}/part`).catch(() => undefined), undefined);
    assertEquals(await text(await layout.fetch(blob.desc)), "uploaded bytes");

    // A blob already present stays; the file is removed.
    await Deno.writeFile(`${tmp}/again`, blob.bytes);
    await layout.ingestVerifiedFile(blob.desc, `${tmp}/again`);
    assertEquals((await Deno.stat(stored)).ino, inode);
    assertEquals(await Deno.stat(`${tmp}/again`).catch(() => undefined), undefined);

    const manifest = await blobOf(MANIFEST, "{}");
    await Deno.writeFile(`${tmp}/manifest`, manifest.bytes);
    let refused: unknown;
    await layout.ingestVerifiedFile(manifest.desc, `${tmp}/manifest`).catch((e) => (refused = e));
    assert(refused instanceof TypeError);
  });
});

Deno.test("readStoredRange() falls back to a verified fetch cut to the range", async () => {
  const store = new MemoryStore();
  const blob = await blobOf(LAYER, "abcdefghij".repeat(1000));
  await store.push(blob.desc, blob.bytes);
  assertEquals(
    await text(await readStoredRange(store, blob.desc, { offset: 9_995, length: 5 })),
    "fghij",
  );
  assertEquals(
    (await text(await readStoredRange(store, blob.desc, { offset: 0, length: 10_000 }))).length,
    10_000,
  );
  // A store whose stream comes in small chunks is cut across them.
  const chunked = {
    fetch: async () =>
      (await store.fetch(blob.desc)).pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            for (let i = 0; i < chunk.length; i += 7) controller.enqueue(chunk.subarray(i, i + 7));
          },
        }),
      ),
  } as Pick<MemoryStore, "fetch">;
  assertEquals(
    await text(await readStoredRange(chunked, blob.desc, { offset: 18, length: 15 })),
    "ijabcdefghijabc",
  );
  await assertRejectsCode(
    () => readStoredRange(store, blob.desc, { offset: 9_999, length: 2 }),
    "ERR_INVALID_INPUT",
  );
});
