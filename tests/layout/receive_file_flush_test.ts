/**
 * A blob received as a file is flushed while it grows (so that the flush after its last byte
 * has little left to write), and a failure of any of those flushes fails the blob: nothing in
 * `blobs/`, no temporary directory.
 */
import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import type { Fs } from "../../lib/content/fs.ts";
import type { Bytes } from "../../lib/_internal/bytes.ts";
import { digestBytes } from "../../lib/digest/digest_bytes.ts";
import { StorageError } from "../../lib/errors.ts";
import { LayoutStore } from "../../lib/layout/layout_store.ts";
import type { Descriptor } from "../../lib/oci/descriptor.ts";
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";

const MIB = 1024 * 1024;
const CHUNKS = 40;

/** A layout file system whose flushes are logged, and fail while `failing()` says so. */
function flushLogDisk(flushes: number[], failing: () => boolean): Fs {
  return {
    ...nodeFs,
    syncFile: async (path) => {
      flushes.push((await Deno.stat(path)).size);
      if (failing()) throw new StorageError(`Cannot flush ${path}: EIO: i/o error`);
      await nodeFs.syncFile!(path);
    },
  };
}

/** 40 MiB in 1 MiB chunks; the body stays open until `release` resolves. */
async function heldBody(release: Promise<void>) {
  const chunk = new Uint8Array(MIB);
  crypto.getRandomValues(chunk.subarray(0, 65536));
  const whole = new Uint8Array(CHUNKS * MIB);
  for (let i = 0; i < CHUNKS; i++) whole.set(chunk, i * MIB);
  const desc: Descriptor = {
    mediaType: "application/vnd.oci.image.layer.v1.tar",
    digest: await digestBytes(whole),
    size: whole.length,
  };
  let sent = 0;
  const body = new ReadableStream<Bytes>({
    async pull(controller) {
      if (sent === CHUNKS) {
        await release;
        controller.close();
        return;
      }
      controller.enqueue(chunk.slice());
      sent++;
    },
  }, { highWaterMark: 0 });
  return { desc, body };
}

/** Every entry under `dir` whose name starts with a dot (temporary directories). */
async function hidden(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).filter((n) =>
    n.startsWith(".")
  );
}

async function withLayout(fs: Fs, fn: (layout: LayoutStore, dir: string) => Promise<void>) {
  const root = await Deno.makeTempDir({ prefix: "ocisign-flush-ahead-" });
  const layout = await LayoutStore.open(`${root}/out`, fs, {
    create: true,
    hasher: nodeHasherFactory,
  });
  try {
    await fn(layout, `${root}/out`);
  } finally {
    await layout.close();
    await Deno.remove(root, { recursive: true });
  }
}

/** Resolves once `flushes` holds an entry (a flush started), within 20 s. */
async function firstFlush(flushes: number[]): Promise<void> {
  for (let i = 0; i < 2000 && flushes.length === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert(flushes.length > 0, "no flush while the file grew");
}

Deno.test("LayoutStore.receiveFile() flushes a file while it grows, then once whole", async () => {
  const flushes: number[] = [];
  await withLayout(flushLogDisk(flushes, () => false), async (layout, dir) => {
    let release!: () => void;
    const { desc, body } = await heldBody(new Promise((resolve) => release = resolve));
    const receiving = layout.receiveFile(desc, body);
    // The body is still open: only a flush ahead of its end can have started.
    await firstFlush(flushes);
    release();
    await receiving;
    assert(flushes[0]! >= 32 * MIB, `flushed at ${flushes[0]} bytes`);
    assertEquals(flushes.at(-1), desc.size, "the last flush sees the whole file");
    assertEquals(await layout.exists(desc), true);
    assertEquals(await hidden(dir), []);
  });
});

Deno.test("LayoutStore.receiveFile() fails when a flush before the end fails, keeping nothing", async () => {
  const flushes: number[] = [];
  // Only the flush while the body is open fails; the one after the last byte would succeed.
  let open = true;
  await withLayout(flushLogDisk(flushes, () => open), async (layout, dir) => {
    let release!: () => void;
    const { desc, body } = await heldBody(new Promise((resolve) => release = resolve));
    const receiving = layout.receiveFile(desc, body);
    receiving.catch(() => {});
    await firstFlush(flushes);
    open = false;
    release();
    await assertRejectsCode(() => receiving, "ERR_STORAGE", "EIO");
    assertEquals(await layout.exists(desc), false);
    assertEquals(await hidden(dir), []);
  });
});
