/**
 * Content takes no detours: a manifest copied from a registry into a layout is hashed once (by
 * the registry fetch), not again by `fetchAll` and the layout; blobs are hashed once (the
 * layout reads back the file the runtime wrote);
 * and `copy -r` of an index reads the index from the source once.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { distributionAvailable, startDistribution } from "../_helpers/distribution.ts";
import { canReceiveFiles } from "../../lib/content/blob_abilities.ts";
import { MemoryStore } from "../../lib/content/memory_store.ts";
import type { Op } from "../../lib/content/storage.ts";
import { copy } from "../../lib/copy/copy.ts";
import type { DigestAlgorithm, HasherFactory } from "../../lib/digest/mod.ts";
import { openLayout } from "../../lib/layout/open_layout.ts";
import type { Descriptor } from "../../lib/oci/descriptor.ts";
import { Registry } from "../../lib/registry/registry.ts";
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { index, smallImage } from "../registry/_fixtures.ts";

/** A hasher factory that counts the hashers it makes (all on this thread). */
function counting(): { factory: HasherFactory; made: () => number } {
  let n = 0;
  return {
    factory: (a: DigestAlgorithm) => {
      n++;
      return nodeHasherFactory(a);
    },
    made: () => n,
  };
}

/** Runs `fn` counting WebCrypto one-shot digests (what `verifyBytes` uses without a hasher). */
async function countingSubtleDigests(fn: () => Promise<void>): Promise<number> {
  const subtle = crypto.subtle as SubtleCrypto & { digest: SubtleCrypto["digest"] };
  const original = subtle.digest;
  let n = 0;
  Object.defineProperty(subtle, "digest", {
    configurable: true,
    value: (...args: Parameters<SubtleCrypto["digest"]>) => {
      n++;
      return original.apply(subtle, args);
    },
  });
  try {
    await fn();
  } finally {
    delete (subtle as { digest?: unknown }).digest;
  }
  return n;
}

Deno.test({
  name: "copy() registry -> layout hashes each node once, the manifest included",
  ignore: !distributionAvailable(),
}, async () => {
  const reg = await startDistribution();
  const dir = await Deno.makeTempDir({ prefix: "ocisign-hash-once-" });
  try {
    const image = await smallImage("once", 200_000);
    const mem = new MemoryStore();
    for (const c of image) await mem.push(c.desc, c.bytes);
    await mem.tag(image[2]!.desc, "v1");
    await copy(mem, "v1", new Registry(reg.host, { plainHttp: true }).repository("once"), "v1");

    const fromRegistry = counting();
    const intoLayout = counting();
    const repo = new Registry(reg.host, { plainHttp: true, hasher: fromRegistry.factory })
      .repository("once");
    // Files hashed on a worker thread count as hashed by the layout too.
    let scans = 0;
    const fs = {
      ...nodeFs,
      hashGrowingFile: (...args: Parameters<NonNullable<typeof nodeFs.hashGrowingFile>>) => {
        scans++;
        return nodeFs.hashGrowingFile!(...args);
      },
    };
    const layout = await openLayout(`${dir}/once`, fs, {
      create: true,
      hasher: intoLayout.factory,
    });
    try {
      const digests = await countingSubtleDigests(async () => {
        await copy(repo, "v1", layout, "v1");
      });
      // The manifest: one digest, at the registry fetch.
      assertEquals(digests, 1);
      // The config and the layer: written natively to files by the layout, which hashes each
      // file once before moving it into blobs/; the registry fetch hands the bytes over unhashed.
      assertEquals(canReceiveFiles(layout), true);
      assertEquals(fromRegistry.made(), 0);
      assertEquals(intoLayout.made() + scans, 2);
      await layout.commit();
    } finally {
      await layout.close();
    }
    // What the layout holds is what was pushed.
    const reopened = await openLayout(`${dir}/once`, nodeFs, { hasher: nodeHasherFactory });
    try {
      for (const c of image) {
        const got = new Uint8Array(await new Response(await reopened.fetch(c.desc)).arrayBuffer());
        assertEquals(got, c.bytes);
      }
    } finally {
      await reopened.close();
    }
  } finally {
    await reg.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

/** A memory store that counts the fetches of each digest. */
class CountingStore extends MemoryStore {
  readonly fetches = new Map<string, number>();
  override fetch(desc: Descriptor, opts: Op = {}) {
    this.fetches.set(desc.digest, (this.fetches.get(desc.digest) ?? 0) + 1);
    return super.fetch(desc, opts);
  }
}

Deno.test("copy() with referrers reads an index root from the source once", async () => {
  const amd = await smallImage("amd-once");
  const arm = await smallImage("arm-once");
  const idx = await index([amd[2]!.desc, arm[2]!.desc]);
  const src = new CountingStore();
  for (const c of [...amd, ...arm, idx]) await src.push(c.desc, c.bytes);
  await src.tag(idx.desc, "multi");
  const dst = new MemoryStore();
  await copy(src, "multi", dst, "multi", { referrers: true });
  assertEquals(src.fetches.get(idx.desc.digest), 1);
  assertEquals(await dst.exists(arm[1]!.desc), true);
  // When the destination has the index already, the copy skips it and reads it for its list.
  const again = new CountingStore();
  for (const c of [...amd, ...arm, idx]) await again.push(c.desc, c.bytes);
  await again.tag(idx.desc, "multi");
  await copy(again, "multi", dst, "multi", { referrers: true });
  assertEquals(again.fetches.get(idx.desc.digest), 1);
});
