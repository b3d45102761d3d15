/**
 * The client against ocisign's own embedded registry (which, unlike Distribution 2.8, has the
 * referrers API and paginates tags), called in-process through the injectable `fetch`.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { createLayoutRepositoryProvider, createRegistryHandler } from "../../lib/server/mod.ts";
import { Registry, type RegistryOptions } from "../../lib/registry/registry.ts";
import { referrersTag } from "../../lib/registry/referrers_tag.ts";
import { signature, smallImage } from "./_fixtures.ts";

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function withEmbedded(
  fn: (open: (o?: RegistryOptions) => Registry) => Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "ocisign-embedded-" });
  try {
    const handler = createRegistryHandler({
      repositories: createLayoutRepositoryProvider({
        root,
        fs: nodeFs,
        hasher: nodeHasherFactory,
      }),
      hasher: nodeHasherFactory,
    });
    const inProcess = (input: Request | URL | string, init?: RequestInit): Promise<Response> =>
      handler(new Request(input, init));
    await fn((o = {}) =>
      new Registry("registry.test", { plainHttp: true, fetch: inProcess, ...o })
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("Repository detects the referrers API (OCI-Subject) and lists through it", async () => {
  await withEmbedded(async (open) => {
    const repo = open({ hasher: nodeHasherFactory }).repository("app");
    const image = await smallImage("api");
    for (const c of image) await repo.push(c.desc, c.bytes);
    const subject = image[2]!.desc;
    const sig = await signature(subject, "api-sig");
    for (const c of sig) await repo.push(c.desc, c.bytes);
    assertEquals(repo.referrersSupported, true);
    const listed = await collect(
      repo.referrers(subject, { artifactType: "application/vnd.cncf.notary.signature" }),
    );
    assertEquals(listed.map((d) => d.digest), [sig[2]!.desc.digest]);
    assertEquals(await collect(repo.referrers(subject, { artifactType: "application/none" })), []);
    // No fallback tag was written.
    assertEquals((await collect(repo.tags())).includes(referrersTag(subject.digest)), false);
    // A fresh client detects the API by querying it.
    const fresh = open().repository("app");
    assertEquals((await collect(fresh.referrers(subject))).length, 1);
    assertEquals(fresh.referrersSupported, true);
  });
});

Deno.test("Repository with referrers forced to the tag schema writes and reads the fallback index", async () => {
  await withEmbedded(async (open) => {
    const repo = open({ referrers: "tag" }).repository("forced");
    const image = await smallImage("forced");
    for (const c of image) await repo.push(c.desc, c.bytes);
    const sig = await signature(image[2]!.desc, "t");
    for (const c of sig) await repo.push(c.desc, c.bytes);
    const tags = await collect(repo.tags());
    assertEquals(tags.includes(referrersTag(image[2]!.desc.digest)), true);
    assertEquals((await collect(repo.referrers(image[2]!.desc))).map((d) => d.digest), [
      sig[2]!.desc.digest,
    ]);
  });
});

Deno.test("Repository.tags() follows Link pagination", async () => {
  await withEmbedded(async (open) => {
    const repo = open({ tagPageSize: 2 }).repository("paged");
    const image = await smallImage("paged");
    for (const c of image) await repo.push(c.desc, c.bytes);
    const names = ["e", "a", "d", "b", "c"];
    for (const t of names) await repo.tag(image[2]!.desc, t);
    assertEquals(await collect(repo.tags()), ["a", "b", "c", "d", "e"]);
  });
});
