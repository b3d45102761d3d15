/**
 * A pull from a registry into a layout directory goes through a file the runtime writes
 * natively, and the file is trusted only once read back against digest and size: a wrong byte,
 * a short body, an over-long body, a stalled or aborted transfer all fail the copy, and leave no
 * blob in `blobs/` and no temporary file in the layout.
 */
import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { within } from "../_helpers/deadline.ts";
import { canMountTmpfs, mount, umount } from "../_helpers/tmpfs.ts";
import { canReceiveFiles } from "../../lib/content/blob_abilities.ts";
import { copy } from "../../lib/copy/copy.ts";
import { LayoutStore } from "../../lib/layout/layout_store.ts";
import type { Fs } from "../../lib/content/fs.ts";
import { StorageError } from "../../lib/errors.ts";
import type { Descriptor } from "../../lib/oci/descriptor.ts";
import { Registry } from "../../lib/registry/registry.ts";
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { type Content, smallImage } from "../registry/_fixtures.ts";
import { type Lie, startLyingProxy } from "../registry/_lying_proxy.ts";
import { serveRegistry } from "../server/_fixture.ts";

const FAST_RETRY = { maxRetries: 1, baseDelayMs: 5, maxDelayMs: 20 };

interface Ctx {
  image: Content[];
  layer: Descriptor;
  /** The layout directory (created). */
  dir: string;
  layout: LayoutStore;
  setLie(l: Lie | undefined): void;
  src(opts?: { timeoutMs?: number }): ReturnType<Registry["repository"]>;
}

/** Hashes a growing file on this thread rather than on a worker. */
const mainThreadFs: Fs = { ...nodeFs, hashGrowingFile: undefined };

async function withPull(fn: (ctx: Ctx) => Promise<void>, fs: Fs = nodeFs): Promise<void> {
  const reg = await serveRegistry();
  const proxy = startLyingProxy(`http://${reg.address}`);
  const root = await Deno.makeTempDir({ prefix: "ocisign-pull-file-" });
  try {
    const image = await smallImage("pull", 300_000);
    const direct = new Registry(reg.address, { plainHttp: true }).repository("src");
    for (const c of image) await direct.push(c.desc, c.bytes);
    await direct.tag(image[2]!.desc, "v1");
    const dir = `${root}/out`;
    const layout = await LayoutStore.open(dir, fs, { create: true, hasher: nodeHasherFactory });
    try {
      assert(canReceiveFiles(layout), "the runtime's Fs writes bodies natively");
      await fn({
        image,
        layer: image[1]!.desc,
        dir,
        layout,
        setLie: (l) => proxy.lie = l,
        src: (opts = {}) =>
          new Registry(proxy.host, { plainHttp: true, retry: FAST_RETRY, ...opts })
            .repository("src"),
      });
    } finally {
      await layout.close();
    }
  } finally {
    await proxy.stop();
    await reg.close();
    await Deno.remove(root, { recursive: true });
  }
}

/** Every path under `dir`, relative to it. */
async function tree(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${dir}/${prefix}`)) {
    const rel = `${prefix}${e.name}`;
    out.push(rel);
    if (e.isDirectory) out.push(...await tree(dir, `${rel}/`));
  }
  return out.sort();
}

/** Fails unless the layout holds nothing but its own files and the blobs in `kept`. */
async function assertClean(dir: string, kept: Descriptor[]): Promise<void> {
  const blobs = kept.map((d) => `blobs/sha256/${d.digest.slice("sha256:".length)}`);
  const expected = ["blobs", "index.json", "oci-layout", ...blobs].sort();
  // `blobs/sha256` exists once a first blob was written.
  assertEquals((await tree(dir)).filter((p) => p !== "blobs/sha256"), expected);
}

Deno.test("copy() registry -> layout through files: the same bytes, progress to the end", async () => {
  await withPull(async ({ image, dir, layout, src }) => {
    const last = new Map<string, number>();
    await copy(src(), "v1", layout, "v1", {
      onBytes: (desc, bytes) => last.set(desc.digest, bytes),
    });
    for (const c of image) {
      const got = new Uint8Array(await new Response(await layout.fetch(c.desc)).arrayBuffer());
      assertEquals(got, c.bytes);
    }
    // Blobs report their bytes up to their size (the manifest goes through push).
    assertEquals(last.get(image[0]!.desc.digest), image[0]!.desc.size);
    assertEquals(last.get(image[1]!.desc.digest), image[1]!.desc.size);
    await assertClean(dir, image.map((c) => c.desc));
    // A blob gets a plain file's mode, as any other blob the layout writes.
    const st = await Deno.stat(`${dir}/blobs/sha256/${image[1]!.desc.digest.slice(7)}`);
    assertEquals((st.mode ?? 0) & 0o077, 0o644 & ~Deno.umask() & 0o077);
  });
});

for (
  const [kind, what] of [
    ["chunked", "a body without Content-Length"],
    ["redirect", "a blob redirected to another origin"],
  ] as const
) {
  Deno.test(`copy() registry -> layout through files takes ${what}`, async () => {
    await withPull(async ({ image, layer, dir, layout, setLie, src }) => {
      setLie({ kind, digest: layer.digest });
      await copy(src(), "v1", layout, "v1");
      const got = new Uint8Array(await new Response(await layout.fetch(layer)).arrayBuffer());
      assertEquals(got, image[1]!.bytes);
      await assertClean(dir, image.map((c) => c.desc));
    });
  });
}

for (
  const [kind, code] of [
    ["flip-sized", "ERR_DIGEST_MISMATCH"],
    ["flip", "ERR_DIGEST_MISMATCH"],
    ["cut", undefined],
    ["truncate", "ERR_SIZE_MISMATCH"],
    ["overlong", "ERR_SIZE_MISMATCH"],
    ["overlong-sized", "ERR_SIZE_MISMATCH"],
  ] as const
) {
  const what = {
    "flip-sized": "a wrong byte in a body of the right length",
    "flip": "a wrong byte with no Content-Length",
    "cut": "a body cut short of its Content-Length",
    "truncate": "a short body with no Content-Length",
    "overlong": "an over-long body with no Content-Length",
    "overlong-sized": "an over-long body and Content-Length",
  }[kind];
  for (const [hashing, fs] of [["a worker", nodeFs], ["the main thread", mainThreadFs]] as const) {
    Deno.test(`copy() registry -> layout fails on ${what}, keeping nothing (hashed on ${hashing})`, async () => {
      await withPull(async ({ image, layer, dir, layout, setLie, src }) => {
        setLie({ kind, digest: layer.digest });
        const err = await copy(src(), "v1", layout, "v1").then(() => undefined, (e: unknown) => e);
        assert(err instanceof Error, "the copy must fail");
        if (code !== undefined) assertEquals((err as { code?: string }).code, code);
        assertEquals((err as { details?: { origin?: string } }).details?.origin, "source");
        assertEquals(await layout.exists(layer), false);
        await assertRejectsCode(() => layout.resolve("v1"), "ERR_NOT_FOUND");
        // The config (copied before or beside the layer) may stay: complete, verified blobs.
        const kept = (await layout.exists(image[0]!.desc)) ? [image[0]!.desc] : [];
        await assertClean(dir, kept);
      }, fs);
    });
  }
}

Deno.test("copy() registry -> layout times out on a body that stalls mid-way, keeping nothing", async () => {
  await withPull(async ({ layer, dir, layout, setLie, src }) => {
    setLie({ kind: "stall", path: `/blobs/${layer.digest}`, after: 100_000 });
    const err = await within(
      assertRejectsCode(() => copy(src({ timeoutMs: 400 }), "v1", layout, "v1"), "ERR_TIMEOUT"),
      30_000,
      "the idle timeout",
    );
    assert(err.message.includes("OCISIGN_REGISTRY_TIMEOUT"), err.message);
    assertEquals(await layout.exists(layer), false);
    const tmp = (await tree(dir)).filter((p) => p.includes(".ocisign-ingest-"));
    assertEquals(tmp, []);
  });
});

Deno.test("copy() registry -> layout: flushing the file is no wait for the registry", async () => {
  await withPull(async ({ layer, dir, setLie, src }) => {
    // A disk slower than the registry timeout: only a check of the bytes may fail the copy.
    const slowDisk: Fs = {
      ...nodeFs,
      syncFile: async (path) => {
        await new Promise((resolve) => setTimeout(resolve, 500));
        await nodeFs.syncFile!(path);
      },
    };
    const layout = await LayoutStore.open(`${dir}-slow`, slowDisk, {
      create: true,
      hasher: nodeHasherFactory,
    });
    try {
      setLie({ kind: "flip-sized", digest: layer.digest });
      await assertRejectsCode(
        () => copy(src({ timeoutMs: 300 }), "v1", layout, "v1"),
        "ERR_DIGEST_MISMATCH",
      );
      setLie(undefined);
      await copy(src({ timeoutMs: 300 }), "v1", layout, "v1");
      assertEquals(await layout.exists(layer), true);
    } finally {
      await layout.close();
    }
  });
});

Deno.test("copy() registry -> layout aborted mid-transfer keeps nothing", async () => {
  await withPull(async ({ layer, dir, layout, setLie, src }) => {
    setLie({ kind: "stall", path: `/blobs/${layer.digest}`, after: 100_000 });
    const ac = new AbortController();
    const copying = copy(src(), "v1", layout, "v1", { signal: ac.signal });
    setTimeout(() => ac.abort(), 300);
    await within(assertRejectsCode(() => copying, "ERR_ABORTED"), 30_000, "the abort");
    assertEquals(await layout.exists(layer), false);
    const tmp = (await tree(dir)).filter((p) => p.includes(".ocisign-ingest-"));
    assertEquals(tmp, []);
  });
});

Deno.test({
  name:
    "copy() registry -> layout on a full file system fails as the destination's, keeping nothing",
  // Mounting a small tmpfs needs root on Linux; elsewhere this cannot run.
  ignore: !canMountTmpfs(),
  fn: async () => {
    await withPull(async ({ layer, dir, src }) => {
      const small = `${dir}-small`;
      await Deno.mkdir(small);
      // Room for the layout and the config, not for the 300 kB layer.
      mount("-t", "tmpfs", "-o", "size=128k", "tmpfs", small);
      try {
        const layout = await LayoutStore.open(`${small}/out`, nodeFs, {
          create: true,
          hasher: nodeHasherFactory,
        });
        try {
          const err = await assertRejectsCode(
            () => copy(src(), "v1", layout, "v1"),
            "ERR_STORAGE",
            "no space left on the device",
          );
          assertEquals(err.details?.origin, "destination");
          assertEquals(await layout.exists(layer), false);
          const tmp = (await tree(`${small}/out`)).filter((p) => p.includes(".ocisign-ingest-"));
          assertEquals(tmp, []);
        } finally {
          await layout.close();
        }
      } finally {
        await umount(small);
      }
    });
  },
});

/** A layout file system whose flush waits `delayMs` (then fails with `fail`), logging events. */
function loggingDisk(log: string[], delayMs: number, fail?: (path: string) => boolean): Fs {
  return {
    ...nodeFs,
    writeBodyFile: (path, body, opts) => {
      log.push(`write ${path}`);
      return nodeFs.writeBodyFile!(path, body, opts);
    },
    syncFile: async (path) => {
      log.push(`sync+ ${path}`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (fail?.(path)) {
        log.push(`sync! ${path}`);
        // As the runtime's Fs reports a failed fdatasync.
        throw new StorageError(`Cannot flush ${path}: EIO: i/o error`, {
          details: { errno: "EIO" },
        });
      }
      await nodeFs.syncFile!(path);
      log.push(`sync- ${path}`);
    },
    rename: async (from, to) => {
      await nodeFs.rename(from, to);
      log.push(`in ${to.slice(to.lastIndexOf("/") + 1)}`);
    },
  };
}

Deno.test("copy() registry -> layout: a blob's flush frees its slot, a manifest waits for its blobs", async () => {
  await withPull(async ({ image, dir, src }) => {
    const log: string[] = [];
    const layout = await LayoutStore.open(`${dir}-flush`, loggingDisk(log, 400), {
      create: true,
      hasher: nodeHasherFactory,
    });
    try {
      // One slot: the second blob can start only once the first gives its slot back.
      await copy(src(), "v1", layout, "v1", { concurrency: 1 });
      const writes = log.flatMap((e, i) => e.startsWith("write ") ? [i] : []);
      assertEquals(writes.length, 2, log.join("\n"));
      const firstFile = log[writes[0]!]!.slice("write ".length);
      const firstSynced = log.indexOf(`sync- ${firstFile}`);
      assert(
        writes[1]! < firstSynced,
        `the second download waited for a flush:\n${log.join("\n")}`,
      );
      const placed = (c: Content) => log.indexOf(`in ${c.desc.digest.slice(7)}`);
      const [config, layer, manifest] = image.map(placed);
      assert(config! >= 0 && layer! >= 0, log.join("\n"));
      assert(manifest! > config! && manifest! > layer!, `a manifest before its blobs:\n${log}`);
      await assertClean(`${dir}-flush`, image.map((c) => c.desc));
    } finally {
      await layout.close();
    }
  });
});

Deno.test("copy() registry -> layout fails when a flush fails after its slot was freed, keeping nothing", async () => {
  await withPull(async ({ image, layer, dir, src }) => {
    const log: string[] = [];
    let synced = 0;
    // The first flush fails, late: by then the other blob's download has started.
    const disk = loggingDisk(log, 300, () => ++synced === 1);
    const out = `${dir}-eio`;
    const layout = await LayoutStore.open(out, disk, { create: true, hasher: nodeHasherFactory });
    try {
      const err = await assertRejectsCode(
        () => copy(src(), "v1", layout, "v1", { concurrency: 1 }),
        "ERR_STORAGE",
      );
      assertEquals(err.details?.origin, "destination");
      assert(log.some((e) => e.startsWith("sync!")), log.join("\n"));
      assertEquals(await layout.exists(image[2]!.desc), false);
      await assertRejectsCode(() => layout.resolve("v1"), "ERR_NOT_FOUND");
      // No temporary directory, no manifest; a blob is there only if it was flushed whole.
      const kept = [image[0]!.desc, layer].filter((d) => log.includes(`in ${d.digest.slice(7)}`));
      assertEquals(kept.length <= 1, true, log.join("\n"));
      await assertClean(out, kept);
    } finally {
      await layout.close();
    }
  });
});
