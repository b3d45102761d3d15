import { fetchAll, MemoryStore, verifyBytes } from "../../lib/content/mod.ts";
import type { Fetcher } from "../../lib/content/mod.ts";
import { MAX_MANIFEST_BYTES } from "../../lib/_internal/limits.ts";
import { pureHasherFactory } from "../../lib/digest/mod.ts";
import type { Descriptor } from "../../lib/oci/descriptor.ts";
import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { blobOf } from "./_fixtures.ts";

function lyingFetcher(bytes: Uint8Array, onRead?: () => void): Fetcher {
  return {
    fetch(_desc: Descriptor): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> {
      onRead?.();
      return Promise.resolve(new Blob([bytes as Uint8Array<ArrayBuffer>]).stream());
    },
  };
}

Deno.test("fetchAll() returns verified bytes from a store", async () => {
  const store = new MemoryStore();
  const b = await blobOf("text/plain", "hello");
  await store.push(b.desc, b.bytes);
  assertEquals(await fetchAll(store, b.desc), b.bytes);
  assertEquals(await fetchAll(store, b.desc, { hasher: pureHasherFactory }), b.bytes);
});

Deno.test("fetchAll() refuses a descriptor over maxBytes before reading", async () => {
  let reads = 0;
  const b = await blobOf("text/plain", "hello");
  await assertRejectsCode(
    () =>
      fetchAll(lyingFetcher(b.bytes, () => reads++), { ...b.desc, size: MAX_MANIFEST_BYTES + 1 }),
    "ERR_SIZE_EXCEEDED",
  );
  await assertRejectsCode(
    () => fetchAll(lyingFetcher(b.bytes, () => reads++), b.desc, { maxBytes: 4 }),
    "ERR_SIZE_EXCEEDED",
  );
  assertEquals(reads, 0);
});

Deno.test("fetchAll() detects too many, too few and wrong bytes", async () => {
  const b = await blobOf("text/plain", "hello");
  await assertRejectsCode(
    () => fetchAll(lyingFetcher(new TextEncoder().encode("hello!")), b.desc),
    "ERR_SIZE_MISMATCH",
  );
  await assertRejectsCode(
    () => fetchAll(lyingFetcher(new TextEncoder().encode("hell")), b.desc),
    "ERR_SIZE_MISMATCH",
  );
  await assertRejectsCode(
    () => fetchAll(lyingFetcher(new TextEncoder().encode("jello")), b.desc),
    "ERR_DIGEST_MISMATCH",
  );
});

Deno.test("fetchAll() honours an aborted signal", async () => {
  const b = await blobOf("text/plain", "hello");
  const ac = new AbortController();
  ac.abort();
  await assertRejectsCode(
    () => fetchAll(lyingFetcher(b.bytes), b.desc, { signal: ac.signal }),
    "ERR_ABORTED",
  );
});

Deno.test("verifyBytes() checks size then digest", async () => {
  const b = await blobOf("text/plain", "abc");
  await verifyBytes(b.bytes, b.desc);
  await assertRejectsCode(() => verifyBytes(b.bytes, { ...b.desc, size: 4 }), "ERR_SIZE_MISMATCH");
  const err = await assertRejectsCode(
    () => verifyBytes(new TextEncoder().encode("abd"), b.desc),
    "ERR_DIGEST_MISMATCH",
  );
  assert.ok(err.message.includes(b.desc.digest));
});
