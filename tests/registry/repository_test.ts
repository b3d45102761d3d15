import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { distributionAvailable, startDistribution } from "../_helpers/distribution.ts";
import { Registry } from "../../lib/registry/registry.ts";
import { referrersTag } from "../../lib/registry/referrers_tag.ts";
import { fetchAll } from "../../lib/content/fetch_all.ts";
import { blob, type Content, index, signature, smallImage } from "./_fixtures.ts";
import type { Repository } from "../../lib/registry/repository.ts";

async function pushAll(repo: Repository, contents: Content[]): Promise<void> {
  for (const c of contents) await repo.push(c.desc, c.bytes);
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

Deno.test({
  name: "Repository push, resolve, fetch, tag, tags and delete against Distribution",
  ignore: !distributionAvailable(),
}, async () => {
  const reg = await startDistribution();
  try {
    const registry = new Registry(reg.host, { plainHttp: true });
    await registry.ping();
    const repo = registry.repository("test/hello");
    const image = await smallImage("one");
    const [cfg, layer, m] = image as [Content, Content, Content];
    assertEquals(await repo.exists(layer.desc), false);
    await pushAll(repo, image);
    assertEquals(await repo.exists(layer.desc), true);
    assertEquals(await repo.exists(m.desc), true);
    await repo.tag(m.desc, "v1");
    const resolved = await repo.resolve("v1");
    assertEquals(resolved, m.desc);
    assertEquals(await repo.resolve(m.desc.digest), m.desc);
    assertEquals(await fetchAll(repo, m.desc), m.bytes);
    assertEquals(await fetchAll(repo, layer.desc, { maxBytes: 1 << 20 }), layer.bytes);
    assertEquals(await fetchAll(repo, cfg.desc), cfg.bytes);
    const fetched = await repo.fetchManifest("v1");
    assertEquals(fetched.descriptor, m.desc);
    await repo.tag(m.desc, "v2");
    await repo.tag(m.desc, "a0");
    assertEquals(await collect(repo.tags()), ["a0", "v1", "v2"]);
    const paged = new Registry(reg.host, { plainHttp: true, tagPageSize: 1 }).repository(
      "test/hello",
    );
    assertEquals(await collect(paged.tags()), ["a0", "v1", "v2"]);
    await repo.delete(m.desc);
    await assertRejectsCode(() => repo.resolve("v1"), "ERR_NOT_FOUND");
    assertEquals(await repo.exists(m.desc), false);
    await repo.delete(layer.desc);
    assertEquals(await repo.exists(layer.desc), false);
    await assertRejectsCode(() => repo.fetch(layer.desc), "ERR_NOT_FOUND");
  } finally {
    await reg.stop();
  }
});

Deno.test({
  name: "Repository.push() uploads large blobs in PATCH chunks",
  ignore: !distributionAvailable(),
}, async () => {
  const reg = await startDistribution();
  try {
    const repo = new Registry(reg.host, { plainHttp: true, chunkSize: 1000 }).repository("chunks");
    const bytes = new Uint8Array(4500);
    crypto.getRandomValues(bytes);
    const b = await blob(bytes);
    await repo.push(b.desc, new Blob([bytes]).stream());
    assertEquals(await fetchAll(repo, b.desc, { maxBytes: 1 << 20 }), b.bytes);
    const wrong = await blob(new Uint8Array(3000));
    await assertRejectsCode(
      () => repo.push(wrong.desc, new Blob([new Uint8Array(2999)]).stream()),
      "ERR_SIZE_MISMATCH",
    );
    assertEquals(await repo.exists(wrong.desc), false);
  } finally {
    await reg.stop();
  }
});

Deno.test({
  name: "Repository.push() refuses a body that does not match its descriptor",
  ignore: !distributionAvailable(),
}, async () => {
  const reg = await startDistribution();
  try {
    const repo = new Registry(reg.host, { plainHttp: true }).repository("bad");
    const b = await blob("hello");
    await assertRejectsCode(
      () => repo.push(b.desc, new TextEncoder().encode("hellO")),
      "ERR_DIGEST_MISMATCH",
    );
    assertEquals(await repo.exists(b.desc), false);
  } finally {
    await reg.stop();
  }
});

Deno.test({
  name: "Repository.mount() mounts a blob across repositories",
  ignore: !distributionAvailable(),
}, async () => {
  const reg = await startDistribution();
  try {
    const registry = new Registry(reg.host, { plainHttp: true });
    const a = registry.repository("a");
    const b = registry.repository("b");
    const x = await blob("mount me");
    await a.push(x.desc, x.bytes);
    assertEquals(await b.mount(x.desc, "a"), "mounted");
    assertEquals(await fetchAll(b, x.desc), x.bytes);
    const y = await blob("not in a");
    assertEquals(
      await b.mount(y.desc, "a", { getContent: () => Promise.resolve(y.bytes) }),
      "uploaded",
    );
    assertEquals(await b.exists(y.desc), true);
  } finally {
    await reg.stop();
  }
});

Deno.test({
  name: "Repository.referrers() falls back to the tag schema on Distribution 2.8",
  ignore: !distributionAvailable(),
}, async () => {
  const reg = await startDistribution();
  try {
    const warnings: string[] = [];
    const repo = new Registry(reg.host, { plainHttp: true, onWarning: (w) => warnings.push(w) })
      .repository("refs");
    const image = await smallImage("subject");
    await pushAll(repo, image);
    const subject = image[2]!.desc;
    assertEquals(await collect(repo.referrers(subject)), []);
    assertEquals(repo.referrersSupported, false);
    const sig1 = await signature(subject, "one");
    const sig2 = await signature(subject, "two");
    await pushAll(repo, sig1);
    await pushAll(repo, sig2);
    await repo.push(sig2[2]!.desc, sig2[2]!.bytes);
    const listed = await collect(repo.referrers(subject));
    assertEquals(listed.map((d) => d.digest), [sig1[2]!.desc.digest, sig2[2]!.desc.digest]);
    assertEquals(listed[0]!.artifactType, "application/vnd.cncf.notary.signature");
    assertEquals(listed[0]!.annotations?.["io.cncf.notary.x509chain.thumbprint#S256"], '["one"]');
    assertEquals(
      (await collect(repo.referrers(subject, { artifactType: "application/other" }))).length,
      0,
    );
    assertEquals((await collect(repo.tags())).includes(referrersTag(subject.digest)), true);
    // The superseded index was deleted: only the current one remains reachable by digest.
    assertEquals(warnings, []);
    await repo.delete(sig1[2]!.desc);
    assertEquals((await collect(repo.referrers(subject))).map((d) => d.digest), [
      sig2[2]!.desc.digest,
    ]);
    await repo.delete(sig2[2]!.desc);
    assertEquals(await collect(repo.referrers(subject)), []);
    // A fresh client detects the missing API too.
    const fresh = new Registry(reg.host, { plainHttp: true }).repository("refs");
    assertEquals(await collect(fresh.referrers(subject)), []);
  } finally {
    await reg.stop();
  }
});

Deno.test({
  name: "Repository referrers index updates are serialised under concurrency",
  ignore: !distributionAvailable(),
}, async () => {
  const reg = await startDistribution();
  try {
    const repo = new Registry(reg.host, { plainHttp: true }).repository("race");
    const image = await smallImage("s");
    await pushAll(repo, image);
    const subject = image[2]!.desc;
    const sigs = await Promise.all(["a", "b", "c", "d"].map((t) => signature(subject, t)));
    for (const s of sigs) await pushAll(repo, s.slice(0, 2));
    await Promise.all(sigs.map((s) => repo.push(s[2]!.desc, s[2]!.bytes)));
    const listed = await collect(repo.referrers(subject));
    assertEquals(listed.length, 4);
  } finally {
    await reg.stop();
  }
});

Deno.test({
  name: "Repository refuses manifests over 4 MiB and checks index media types",
  ignore: !distributionAvailable(),
}, async () => {
  const reg = await startDistribution();
  try {
    const repo = new Registry(reg.host, { plainHttp: true }).repository("big");
    await assertRejectsCode(
      () =>
        repo.fetch({
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: "sha256:" + "0".repeat(64),
          size: 5 * 1024 * 1024,
        }),
      "ERR_SIZE_EXCEEDED",
    );
    const image = await smallImage("x");
    await pushAll(repo, image);
    const idx = await index([image[2]!.desc]);
    await repo.pushReference(idx.desc, idx.bytes, "multi");
    const got = await repo.resolve("multi");
    assertEquals(got.mediaType, "application/vnd.oci.image.index.v1+json");
    assert(got.digest === idx.desc.digest);
  } finally {
    await reg.stop();
  }
});

Deno.test({
  name: "Repository warns when the outdated referrers index cannot be deleted",
  ignore: !distributionAvailable(),
}, async () => {
  const reg = await startDistribution({ deleteEnabled: false });
  try {
    const warnings: string[] = [];
    const repo = new Registry(reg.host, { plainHttp: true, onWarning: (w) => warnings.push(w) })
      .repository("nodelete");
    const image = await smallImage("nodelete");
    await pushAll(repo, image);
    const subject = image[2]!.desc;
    await pushAll(repo, await signature(subject, "first"));
    assertEquals(warnings, []);
    await pushAll(repo, await signature(subject, "second"));
    assertEquals(warnings.length, 1);
    assert(warnings[0]!.includes("garbage collection may be required"), warnings[0]);
    assertEquals((await collect(repo.referrers(subject))).length, 2);
  } finally {
    await reg.stop();
  }
});
