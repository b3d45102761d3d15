import { createHash } from "node:crypto";
import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import type { Fs } from "../../lib/content/fs.ts";
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { createFsUploadStore } from "../../lib/server/fs_upload_store.ts";
import type { UploadStore } from "../../lib/server/repository.ts";

const ID = "0b6c9a52-0c3a-4f0e-9d6a-1d2c3b4a5f60";

/** The ways a part gets hashed: the hashing thread, or this thread when there is none. */
const HASHING: { name: string; fs: Fs }[] = [
  { name: "on the hashing thread", fs: nodeFs },
  // A file system whose hashing thread declines late (as `denoFs` once did): it resolves undefined.
  {
    name: "on this thread (no worker)",
    fs: { ...nodeFs, hashGrowingFile: () => Promise.resolve(undefined!) },
  },
  { name: "on this thread (no hashGrowingFile)", fs: { ...nodeFs, hashGrowingFile: undefined } },
];

function bytes(size: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed * 17 + (i >>> 9)) & 0xff;
  return out;
}

/** `data` as a body in chunks of `chunk` bytes, then `end` (close by default). */
function body(
  data: Uint8Array,
  chunk: number,
  end: (c: ReadableStreamDefaultController<Uint8Array>) => void = (c) => c.close(),
): ReadableStream<Uint8Array> {
  let off = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller): void {
      if (off >= data.length) return end(controller);
      controller.enqueue(data.slice(off, off + chunk));
      off += chunk;
    },
  });
}

/** The store's `writeHashedPart`, which these stores must have. */
function writePart(
  store: UploadStore,
  index: number,
  data: ReadableStream<Uint8Array>,
  opts: Parameters<NonNullable<UploadStore["writeHashedPart"]>>[3],
): Promise<{ size: number; hex: string }> {
  const part = store.writeHashedPart?.(ID, index, data, opts);
  assert.ok(part !== undefined, "the store hashes parts as it writes them");
  return part;
}

async function sessionFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(`${dir}/${ID}`)) names.push(e.name);
  return names.sort();
}

async function withStore(
  fs: Fs,
  fn: (store: UploadStore, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-hashed-part-test-" });
  try {
    const store = createFsUploadStore(fs, dir, nodeHasherFactory);
    await store.create(ID);
    await fn(store, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

for (const { name, fs } of HASHING) {
  Deno.test(`a hashed upload part, ${name}: stored whole and hashed right`, async () => {
    await withStore(fs, async (store, dir) => {
      const data = bytes(5 * 1024 * 1024 + 123, 1);
      const part = await writePart(store, 0, body(data, 64 * 1024), {
        maxBytes: data.length,
        exact: true,
        algorithm: "sha256",
      });
      assertEquals(part, {
        size: data.length,
        hex: createHash("sha256").update(data).digest("hex"),
      });
      assertEquals(await Deno.readFile(store.partFile!(ID, 0)), data);
      assertEquals(await sessionFiles(dir), ["0"]);

      const streamed = bytes(1000, 2);
      const second = await writePart(store, 1, body(streamed, 100), {
        maxBytes: 10_000,
        algorithm: "sha512",
      });
      assertEquals(second, {
        size: 1000,
        hex: createHash("sha512").update(streamed).digest("hex"),
      });
      assertEquals(await sessionFiles(dir), ["0", "1"]);
    });
  });

  Deno.test(`a hashed upload part, ${name}: a body that is too long, too short, fails or is aborted leaves nothing`, async () => {
    await withStore(fs, async (store, dir) => {
      const data = bytes(3 * 1024 * 1024, 3);
      const opts = { maxBytes: data.length - 1, algorithm: "sha256" as const };
      await assertRejectsCode(
        () => writePart(store, 0, body(data, 256 * 1024), opts),
        "ERR_SIZE_EXCEEDED",
      );
      assertEquals(await sessionFiles(dir), []);

      await assertRejectsCode(
        () =>
          writePart(store, 0, body(data, 256 * 1024), {
            ...opts,
            maxBytes: data.length + 1,
            exact: true,
          }),
        "ERR_SIZE_MISMATCH",
      );
      assertEquals(await sessionFiles(dir), []);

      const reset = new Error("connection reset");
      let caught: unknown;
      try {
        await writePart(store, 0, body(data, 256 * 1024, (c) => c.error(reset)), {
          ...opts,
          maxBytes: data.length * 2,
        });
      } catch (err) {
        caught = err;
      }
      assert.equal(caught, reset, "the body's own error, not a file error");
      assertEquals(await sessionFiles(dir), []);

      const abort = new AbortController();
      const stalling = body(data.subarray(0, 1024 * 1024), 64 * 1024, () => abort.abort());
      let aborted: unknown;
      try {
        await writePart(store, 0, stalling, {
          ...opts,
          maxBytes: data.length,
          signal: abort.signal,
        });
      } catch (err) {
        aborted = err;
      }
      assert.ok(aborted !== undefined, "an aborted upload fails");
      assertEquals(await sessionFiles(dir), []);
    });
  });
}

Deno.test("a store without a hasher or without native body writes has no writeHashedPart", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-hashed-part-test-" });
  try {
    assertEquals(createFsUploadStore(nodeFs, dir).writeHashedPart, undefined);
    const noNative = { ...nodeFs, writeBodyFile: undefined };
    assertEquals(createFsUploadStore(noNative, dir, nodeHasherFactory).writeHashedPart, undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
