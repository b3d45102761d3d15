import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import bcrypt from "bcryptjs";
import { htpasswdAuth, parseHtpasswd } from "../../lib/cli/serve/htpasswd.ts";
import { Registry } from "../../lib/registry/registry.ts";
import { staticCredentials } from "../../lib/registry/credentials.ts";
import { MemoryStore } from "../../lib/content/memory_store.ts";
import { fetchAll } from "../../lib/content/fetch_all.ts";
import { copy } from "../../lib/copy/copy.ts";
import { LayoutStore } from "../../lib/layout/layout_store.ts";
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { type Content, smallImage } from "./_fixtures.ts";
import { type Lie, startLyingProxy } from "./_lying_proxy.ts";
import { serveRegistry } from "../server/_fixture.ts";

const FAST_RETRY = { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 20 };

async function withLyingRegistry(
  fn: (
    ctx: {
      image: Content[];
      proxyHost: string;
      directHost: string;
      setLie(l: Lie | undefined): void;
      drop(n: number): void;
      remainingDrops(): number;
    },
  ) => Promise<void>,
): Promise<void> {
  // ocisign's own registry, in-process, so that these run everywhere
  const reg = await serveRegistry();
  const proxy = startLyingProxy(`http://${reg.address}`);
  try {
    const image = await smallImage("lies", 200_000);
    const direct = new Registry(reg.address, { plainHttp: true }).repository("src");
    for (const c of image) await direct.push(c.desc, c.bytes);
    await direct.tag(image[2]!.desc, "v1");
    await fn({
      image,
      proxyHost: proxy.host,
      directHost: reg.address,
      setLie: (l) => proxy.lie = l,
      drop: (n) => proxy.dropConnections = n,
      remainingDrops: () => proxy.dropConnections,
    });
  } finally {
    await proxy.stop();
    await reg.close();
  }
}

Deno.test("copy() from a registry that flips a blob byte fails and stores nothing", async () => {
  await withLyingRegistry(async ({ image, proxyHost, directHost, setLie }) => {
    const layer = image[1]!.desc;
    setLie({ kind: "flip", digest: layer.digest });
    const src = new Registry(proxyHost, { plainHttp: true, retry: FAST_RETRY }).repository("src");
    // the fetched stream itself fails at its end, whoever reads it
    const read = async () => {
      for await (const _ of await src.fetch(layer)) { /* drain */ }
    };
    await assertRejectsCode(read, "ERR_DIGEST_MISMATCH");
    const mem = new MemoryStore();
    const err = await assertRejectsCode(
      () => copy(src, "v1", mem, "v1"),
      "ERR_DIGEST_MISMATCH",
      "Error from source",
    );
    assertEquals(err.details?.origin, "source");
    assertEquals(await mem.exists(layer), false);
    // Registry to registry: the destination never receives the bad blob either.
    const dst = new Registry(directHost, { plainHttp: true }).repository("dst");
    await assertRejectsCode(() => copy(src, "v1", dst, "v1"), "ERR_DIGEST_MISMATCH");
    assertEquals(await dst.exists(layer), false);
    // Chunked uploads stop before the final PUT as well.
    const chunked = new Registry(directHost, { plainHttp: true, chunkSize: 50_000 }).repository(
      "dst2",
    );
    await assertRejectsCode(() => copy(src, "v1", chunked, "v1"), "ERR_DIGEST_MISMATCH");
    assertEquals(await chunked.exists(layer), false);
    // A layout destination trusts the source's verifying stream instead of hashing again, and
    // still keeps nothing of it.
    const dir = await Deno.makeTempDir({ prefix: "ocisign-lying-" });
    try {
      const layout = await LayoutStore.open(`${dir}/out`, nodeFs, {
        create: true,
        hasher: nodeHasherFactory,
      });
      await assertRejectsCode(() => copy(src, "v1", layout, "v1"), "ERR_DIGEST_MISMATCH");
      assertEquals(await layout.exists(layer), false);
      await assertRejectsCode(() => layout.resolve("v1"), "ERR_NOT_FOUND");
      await layout.close();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("copy() from a registry that truncates a blob fails with a size mismatch", async () => {
  await withLyingRegistry(async ({ image, proxyHost, setLie }) => {
    setLie({ kind: "truncate", digest: image[1]!.desc.digest });
    const src = new Registry(proxyHost, { plainHttp: true, retry: FAST_RETRY }).repository("src");
    const mem = new MemoryStore();
    await assertRejectsCode(() => copy(src, "v1", mem, "v1"), "ERR_SIZE_MISMATCH");
    assertEquals(await mem.exists(image[1]!.desc), false);
  });
});

Deno.test("Repository.fetch() cross-checks Docker-Content-Digest", async () => {
  await withLyingRegistry(async ({ image, proxyHost, setLie }) => {
    setLie({ kind: "digest-header", digest: image[1]!.desc.digest });
    const src = new Registry(proxyHost, { plainHttp: true }).repository("src");
    await assertRejectsCode(() => src.fetch(image[1]!.desc), "ERR_DIGEST_MISMATCH");
  });
});

Deno.test("copy() retries 500 answers and dropped connections, then succeeds", async () => {
  await withLyingRegistry(async ({ image, proxyHost, setLie, drop, remainingDrops }) => {
    setLie({ kind: "fail", digest: image[1]!.desc.digest, times: 2 });
    drop(2);
    const src = new Registry(proxyHost, { plainHttp: true, retry: FAST_RETRY }).repository("src");
    const mem = new MemoryStore();
    await copy(src, "v1", mem, "v1");
    assertEquals(await fetchAll(mem, image[1]!.desc, { maxBytes: 1 << 20 }), image[1]!.bytes);
    assertEquals(remainingDrops(), 0);
  });
});

Deno.test("copy() gives up after bounded retries with a clear registry error", async () => {
  await withLyingRegistry(async ({ image, proxyHost, setLie }) => {
    setLie({ kind: "fail", digest: image[1]!.desc.digest, times: 100 });
    const src = new Registry(proxyHost, { plainHttp: true, retry: FAST_RETRY }).repository("src");
    const err = await assertRejectsCode(
      () => copy(src, "v1", new MemoryStore(), "v1"),
      "ERR_REGISTRY",
      "try again later",
    );
    assertEquals(err.details?.status, 500);
    assertEquals(err.details?.origin, "source");
  });
});

Deno.test("copy() restarts a blob upload the destination drops, and gives up after a bound", async () => {
  await withLyingRegistry(async ({ image, directHost, proxyHost, setLie }) => {
    const src = new Registry(directHost, { plainHttp: true }).repository("src");
    const layer = image[1]!.desc;
    setLie({ kind: "fail-upload", digest: layer.digest, times: 2 });
    const dst = new Registry(proxyHost, { plainHttp: true, retry: FAST_RETRY }).repository("dst");
    await copy(src, "v1", dst, "v1");
    assertEquals(await fetchAll(dst, layer, { maxBytes: 1 << 20 }), image[1]!.bytes);

    setLie({ kind: "fail-upload", digest: layer.digest, times: 100 });
    const other = new Registry(proxyHost, { plainHttp: true, retry: FAST_RETRY }).repository(
      "other",
    );
    const err = await assertRejectsCode(() => copy(src, "v1", other, "v1"), "ERR_REGISTRY");
    assertEquals(err.details?.origin, "destination");
    assertEquals(await other.exists(layer), false);
    await assertRejectsCode(() => other.resolve("v1"), "ERR_NOT_FOUND");
  });
});

Deno.test("copy() fails clearly when the connection is cut mid-blob", async () => {
  await withLyingRegistry(async ({ image, proxyHost, setLie }) => {
    setLie({ kind: "cut", digest: image[1]!.desc.digest });
    const src = new Registry(proxyHost, { plainHttp: true, retry: FAST_RETRY }).repository("src");
    const mem = new MemoryStore();
    const err = await copy(src, "v1", mem, "v1").then(() => undefined, (e: unknown) => e);
    assert(err instanceof Error, "copy must fail");
    assert(/source/.test(err.message), err.message);
    assertEquals(await mem.exists(image[1]!.desc), false);
  });
});

Deno.test("Repository drops Authorization on a redirect that leaves the registry origin", async () => {
  const entry = `carol:${bcrypt.hashSync("pw-carol-1", 4)}`;
  const reg = await serveRegistry({ auth: htpasswdAuth(parseHtpasswd(entry)) });
  const basic = `Basic ${btoa("carol:pw-carol-1")}`;
  const proxy = startLyingProxy(`http://${reg.address}`, basic);
  try {
    const repo = new Registry(proxy.host, {
      plainHttp: true,
      credentials: staticCredentials({ username: "carol", password: "pw-carol-1" }),
    }).repository("app");
    const image = await smallImage("redirect");
    for (const c of image) await repo.push(c.desc, c.bytes);
    proxy.lie = { kind: "redirect", digest: image[1]!.desc.digest };
    assertEquals(await fetchAll(repo, image[1]!.desc, { maxBytes: 1 << 20 }), image[1]!.bytes);
    assertEquals(proxy.hits, 1);
    assertEquals(proxy.redirectAuth, [""]);
  } finally {
    await proxy.stop();
    await reg.close();
  }
});

Deno.test("Repository.fetch() times out on a registry that never answers", async () => {
  await withLyingRegistry(async ({ image, proxyHost, setLie }) => {
    setLie({ kind: "hang", digest: image[1]!.desc.digest });
    const src = new Registry(proxyHost, {
      plainHttp: true,
      timeoutMs: 200,
      retry: { maxRetries: 1, baseDelayMs: 5 },
    }).repository("src");
    await assertRejectsCode(() => src.fetch(image[1]!.desc), "ERR_TIMEOUT", "did not answer");
  });
});
