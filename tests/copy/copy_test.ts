import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { distributionAvailable, startDistribution } from "../_helpers/distribution.ts";
import { MemoryStore } from "../../lib/content/memory_store.ts";
import { fetchAll } from "../../lib/content/fetch_all.ts";
import { copy } from "../../lib/copy/copy.ts";
import { copyGraph, type CopyProgress } from "../../lib/copy/copy_graph.ts";
import { Registry } from "../../lib/registry/registry.ts";
import { nodeHasherFactory } from "../../lib/runtime/mod.ts";
import type { Descriptor } from "../../lib/oci/descriptor.ts";
import {
  blob,
  type Content,
  index,
  manifest,
  signature,
  smallImage,
} from "../registry/_fixtures.ts";

async function store(contents: Content[]): Promise<MemoryStore> {
  const s = new MemoryStore();
  for (const c of contents) await s.push(c.desc, c.bytes);
  return s;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** An image with a signature, and an SBOM that has its own signature. */
async function signedImage(): Promise<
  { all: Content[]; image: Content[]; sig: Content[]; sbom: Content[]; sbomSig: Content[] }
> {
  const image = await smallImage("app", 4096);
  const subject = image[2]!.desc;
  const sig = await signature(subject, "sig");
  const sbomCfg = await blob("{}", "application/vnd.oci.empty.v1+json");
  const sbomLayer = await blob('{"spdx":true}', "application/spdx+json");
  const sbomManifest = await manifest(sbomCfg.desc, [sbomLayer.desc], {
    artifactType: "application/spdx+json",
    subject,
  });
  const sbom = [sbomCfg, sbomLayer, sbomManifest];
  const sbomSig = await signature(sbomManifest.desc, "sbom-sig");
  return { all: [...image, ...sig, ...sbom, ...sbomSig], image, sig, sbom, sbomSig };
}

Deno.test({
  name: "copy() MemoryStore -> registry -> MemoryStore with referrers (-r)",
  ignore: !distributionAvailable(),
}, async () => {
  const reg = await startDistribution();
  try {
    const g = await signedImage();
    const src = await store(g.all);
    const root = g.image[2]!.desc;
    await src.tag(root, "v1");
    const repo = new Registry(reg.host, { plainHttp: true }).repository("hello-world");
    const events: CopyProgress[] = [];
    const copied = await copy(src, "v1", repo, "v1", {
      referrers: true,
      onProgress: (e) => events.push(e),
    });
    assertEquals(copied.digest, root.digest);
    assertEquals((await repo.resolve("v1")).digest, root.digest);
    const refs = await collect(repo.referrers(root));
    assertEquals(
      refs.map((r) => r.digest).sort(),
      [g.sig[2]!.desc.digest, g.sbom[2]!.desc.digest].sort(),
    );
    assertEquals((await collect(repo.referrers(g.sbom[2]!.desc))).map((r) => r.digest), [
      g.sbomSig[2]!.desc.digest,
    ]);
    assert(events.some((e) => e.phase === "copied" && e.desc.digest === g.image[1]!.desc.digest));
    // Children are copied before their parents.
    const order = events.filter((e) => e.phase === "copied").map((e) => e.desc.digest);
    assert(order.indexOf(g.image[1]!.desc.digest) < order.indexOf(root.digest));

    const back = new MemoryStore();
    const again = await copy(repo, "v1", back, "v1", { referrers: true });
    assertEquals(again.digest, root.digest);
    for (const c of g.all) {
      assertEquals(await fetchAll(back, c.desc, { maxBytes: 1 << 20 }), c.bytes);
    }
    assertEquals((await collect(back.referrers(root))).length, 2);

    // A second copy finds everything in place.
    const second: CopyProgress[] = [];
    await copy(src, "v1", repo, "v1", { referrers: true, onProgress: (e) => second.push(e) });
    assert(second.every((e) => e.phase === "exists" || e.phase === "skipped"));
  } finally {
    await reg.stop();
  }
});

Deno.test("copy() without referrers leaves them behind and reuses the source tag", async () => {
  const g = await signedImage();
  const src = await store(g.all);
  await src.tag(g.image[2]!.desc, "v1");
  const dst = new MemoryStore();
  await copy(src, "v1", dst);
  assertEquals((await dst.resolve("v1")).digest, g.image[2]!.desc.digest);
  assertEquals(await dst.exists(g.sig[2]!.desc), false);
});

async function deepIndex(): Promise<{ contents: Content[]; top: Content }> {
  const contents: Content[] = [];
  let level: Descriptor[] = [];
  for (let i = 0; i < 4; i++) {
    const img = await smallImage(`leaf-${i}`, 64);
    contents.push(...img);
    level.push(img[2]!.desc);
  }
  for (let depth = 0; depth < 5; depth++) {
    const a = await index(level.slice(0, Math.ceil(level.length / 2)).concat(level));
    const b = await index([...level].reverse());
    contents.push(a, b);
    level = [a.desc, b.desc];
  }
  const top = await index(level);
  contents.push(top);
  return { contents, top };
}

Deno.test("copyGraph() with concurrency 1 copies a deep index without deadlock", async () => {
  const { contents, top } = await deepIndex();
  const src = await store(contents);
  const dst = new MemoryStore();
  const events: CopyProgress[] = [];
  await copyGraph(src, dst, top.desc, { concurrency: 1, onProgress: (e) => events.push(e) });
  for (const c of contents) assertEquals(await dst.exists(c.desc), true);
  const copiedDigests = events.filter((e) => e.phase === "copied").map((e) => e.desc.digest);
  assertEquals(new Set(copiedDigests).size, copiedDigests.length, "each node is copied once");
});

Deno.test("copy() selects a platform from an index", async () => {
  const amd = await smallImage("amd64");
  const arm = await smallImage("arm64");
  const idx = await index([
    { ...amd[2]!.desc, platform: { os: "linux", architecture: "amd64" } },
    { ...arm[2]!.desc, platform: { os: "linux", architecture: "arm64", variant: "v8" } },
  ]);
  const src = await store([...amd, ...arm, idx]);
  await src.tag(idx.desc, "multi");
  const dst = new MemoryStore();
  const root = await copy(src, "multi", dst, "arm", { platform: "linux/arm64" });
  assertEquals(root.digest, arm[2]!.desc.digest);
  assertEquals(await dst.exists(amd[1]!.desc), false);
  await assertRejectsCode(
    () => copy(src, "multi", dst, "x", { platform: "windows/amd64" }),
    "ERR_NOT_FOUND",
    "source",
  );
});

Deno.test("copy() names the source when the reference is missing", async () => {
  const err = await assertRejectsCode(
    () => copy(new MemoryStore(), "nope", new MemoryStore(), "nope"),
    "ERR_NOT_FOUND",
    "Error from source",
  );
  assertEquals(err.details?.origin, "source");
});

Deno.test("copyGraph() stops when aborted", async () => {
  const img = await smallImage("abort");
  const src = await store(img);
  const ac = new AbortController();
  ac.abort();
  await assertRejectsCode(
    () => copyGraph(src, new MemoryStore(), img[2]!.desc, { signal: ac.signal }),
    "ERR_ABORTED",
  );
});

Deno.test({
  name: "copy() between repositories of one registry mounts blobs",
  ignore: !distributionAvailable(),
}, async () => {
  const reg = await startDistribution();
  try {
    const seen: string[] = [];
    const registry = new Registry(reg.host, {
      plainHttp: true,
      fetch: (input, init) => {
        seen.push(`${init?.method ?? "GET"} ${new URL(String(input)).search}`);
        return fetch(input, init);
      },
    });
    const a = registry.repository("team/a");
    const g = await signedImage();
    const src = await store(g.all);
    await src.tag(g.image[2]!.desc, "v1");
    await copy(src, "v1", a, "v1", { referrers: true });
    seen.length = 0;
    const b = registry.repository("team/b");
    await copy(a, "v1", b, "v2", { referrers: true, concurrency: 1 });
    assert(seen.some((s) => s.startsWith("POST ?mount=")), JSON.stringify(seen));
    assertEquals(seen.filter((s) => s.startsWith("PUT ?") && s.includes("digest=")).length, 0);
    for (const c of g.all) assertEquals(await b.exists(c.desc), true);
    assertEquals((await collect(b.referrers(g.image[2]!.desc))).length, 2);
  } finally {
    await reg.stop();
  }
});

Deno.test({
  name: "copyGraph() with concurrency 1 pushes a deep index to a registry without deadlock",
  ignore: !distributionAvailable(),
}, async () => {
  const reg = await startDistribution();
  try {
    const { contents, top } = await deepIndex();
    const src = await store(contents);
    const repo = new Registry(reg.host, { plainHttp: true }).repository("deep");
    await copyGraph(src, repo, top.desc, { concurrency: 1 });
    for (const c of contents) assertEquals(await repo.exists(c.desc), true);
    const back = new MemoryStore();
    await copyGraph(repo, back, top.desc, { concurrency: 1 });
    for (const c of contents) assertEquals(await back.exists(c.desc), true);
  } finally {
    await reg.stop();
  }
});

Deno.test({
  name: "copy() streams a large blob between registries in PATCH chunks, or in one PUT by default",
  ignore: !distributionAvailable(),
}, async () => {
  const reg = await startDistribution();
  try {
    const size = 10 * 1024 * 1024 + 123;
    const big = new Uint8Array(size);
    for (let i = 0; i < size; i += 65536) crypto.getRandomValues(big.subarray(i, i + 65536));
    const layer = await blob(big, "application/vnd.oci.image.layer.v1.tar");
    const cfg = await blob("{}", "application/vnd.oci.empty.v1+json");
    const m = await manifest(cfg.desc, [layer.desc]);
    const from = new Registry(reg.host, { plainHttp: true, hasher: nodeHasherFactory });
    const a = from.repository("big/a");
    for (const c of [layer, cfg, m]) await a.push(c.desc, c.bytes);
    await a.tag(m.desc, "v1");
    const patches: number[] = [];
    const to = new Registry(reg.host, {
      plainHttp: true,
      hasher: nodeHasherFactory,
      chunkSize: 4 * 1024 * 1024,
      fetch: (input, init) => {
        if (init?.method === "PATCH") patches.push((init.body as Uint8Array).length);
        return fetch(input, init);
      },
    });
    await copy(a, "v1", to.repository("big/b"), "v1");
    assertEquals(patches, [4 * 1024 * 1024, 4 * 1024 * 1024, size - 8 * 1024 * 1024]);
    assertEquals(await to.repository("big/b").exists(layer.desc), true);

    // By default the blob goes in one streamed PUT, as oras sends it.
    const puts: string[] = [];
    const streaming = new Registry(reg.host, {
      plainHttp: true,
      hasher: nodeHasherFactory,
      fetch: (input, init) => {
        if (init?.method === "PATCH") patches.push(-1);
        if (init?.method === "PUT" && String(input).includes("/blobs/uploads/")) {
          puts.push(init.body instanceof ReadableStream ? "stream" : "bytes");
        }
        return fetch(input, init);
      },
    });
    await copy(a, "v1", streaming.repository("big/c"), "v1");
    assertEquals(puts.filter((p) => p === "stream").length, 2, `PUTs: ${puts.join(", ")}`);
    assertEquals(patches.includes(-1), false);
    assertEquals(await streaming.repository("big/c").exists(layer.desc), true);
  } finally {
    await reg.stop();
  }
});
