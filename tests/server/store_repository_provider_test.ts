/**
 * The registry over stores that are not layout directories: MemoryStores, a store with nothing
 * but the Target contract (no blob abilities, no untag), a layout tar, in-process and over a
 * socket with oras.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";
import { MemoryStore } from "../../lib/content/memory_store.ts";
import { digestBytes } from "../../lib/digest/digest_bytes.ts";
import { LayoutTar } from "../../lib/layout/mod.ts";
import { serveHttp } from "../../lib/runtime/http_server.ts";
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { pushImage as pushTinyImage } from "../layout/_image.ts";
import {
  createRegistryHandler,
  createStoreRepositoryProvider,
  type ServableStore,
} from "../../lib/server/mod.ts";
import {
  content,
  errorCode,
  imageManifest,
  pushImage,
  putManifest,
  type TestRegistry,
} from "./_fixture.ts";

const OCTET = "application/octet-stream";

/** A registry whose repositories are the stores `wrap` makes of fresh MemoryStores. */
function memoryRegistry(
  wrap: (store: MemoryStore) => ServableStore = (s) => s,
): TestRegistry & { stores: Map<string, MemoryStore> } {
  const stores = new Map<string, MemoryStore>();
  const wrapped = new Map<string, ServableStore>();
  const repositories = createStoreRepositoryProvider({
    open(name, opts) {
      if (!wrapped.has(name) && opts.create === true) {
        const store = new MemoryStore();
        stores.set(name, store);
        wrapped.set(name, wrap(store));
      }
      return Promise.resolve(wrapped.get(name));
    },
  });
  const handler = createRegistryHandler({ repositories, hasher: nodeHasherFactory });
  return {
    root: "",
    stores,
    handler,
    log: [],
    request: (path, init) => handler(new Request(`http://registry.test${path}`, init)),
    close: () => Promise.resolve(),
  };
}

/** Only the Target contract, tag listing, referrers, delete and blob sizes: no other ability. */
function bare(store: MemoryStore): ServableStore {
  return {
    fetch: (d, o) => store.fetch(d, o),
    exists: (d, o) => store.exists(d, o),
    push: (d, b, o) => store.push(d, b, o),
    resolve: (r, o) => store.resolve(r, o),
    tag: (d, r, o) => store.tag(d, r, o),
    tags: (o) => store.tags(o),
    referrers: (s, o) => store.referrers(s, o),
    delete: (d, o) => store.delete(d, o),
    statBlob: (d, o) => store.statBlob(d, o),
  };
}

Deno.test("a registry over MemoryStores takes pushes, chunked uploads and mounts, and serves ranges and referrers", async () => {
  const reg = memoryRegistry();
  const { config, layer, manifest } = await pushImage(reg, "org/app", "v1");
  const store = reg.stores.get("org/app")!;
  // The content is in the MemoryStore itself.
  assert(await store.exists({ mediaType: OCTET, digest: layer.digest, size: layer.bytes.length }));
  assertEquals((await store.resolve("v1")).digest, manifest.digest);

  const got = await reg.request("/v2/org/app/manifests/v1");
  assertEquals(got.headers.get("docker-content-digest"), manifest.digest);
  assertEquals(new Uint8Array(await got.arrayBuffer()), manifest.bytes);
  const head = await reg.request(`/v2/org/app/blobs/${config.digest}`, { method: "HEAD" });
  assertEquals([head.status, head.headers.get("content-length")], [
    200,
    String(config.bytes.length),
  ]);
  const ranged = await reg.request(`/v2/org/app/blobs/${layer.digest}`, {
    headers: { range: "bytes=2-5" },
  });
  assertEquals(ranged.status, 206);
  assertEquals(new Uint8Array(await ranged.arrayBuffer()), layer.bytes.slice(2, 6));

  // A chunked upload, then a mount into another repository.
  const big = await content("chunk-".repeat(5000));
  const post = await reg.request("/v2/org/app/blobs/uploads/", { method: "POST" });
  const location = post.headers.get("location")!;
  const half = 12_000;
  const patch = await reg.request(location, {
    method: "PATCH",
    body: big.bytes.slice(0, half),
    headers: { "content-range": `0-${half - 1}` },
  });
  assertEquals(patch.status, 202);
  const put = await reg.request(`${location}?digest=${big.digest}`, {
    method: "PUT",
    body: big.bytes.slice(half),
  });
  assertEquals(put.status, 201);
  const mount = await reg.request(
    `/v2/org/other/blobs/uploads/?mount=${big.digest}&from=org/app`,
    { method: "POST" },
  );
  assertEquals(mount.status, 201);
  const mounted = await reg.request(`/v2/org/other/blobs/${big.digest}`);
  assertEquals(new Uint8Array(await mounted.arrayBuffer()), big.bytes);

  // A referrer of the image.
  const subject = {
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    digest: manifest.digest,
    size: manifest.bytes.length,
  };
  const sig = await imageManifest(config, [layer], {
    artifactType: "application/example",
    subject,
  });
  assertEquals((await putManifest(reg, "org/app", sig.digest, sig)).status, 201);
  const listing = await reg.request(`/v2/org/app/referrers/${manifest.digest}`);
  const body = await listing.json() as { manifests: { digest: string }[] };
  assertEquals(body.manifests.map((m) => m.digest), [sig.digest]);

  // A wrong digest leaves nothing behind.
  const wrong = `sha256:${"0".repeat(64)}`;
  const bad = await reg.request(`/v2/org/app/blobs/uploads/?digest=${wrong}`, {
    method: "POST",
    body: big.bytes,
  });
  assertEquals([bad.status, await errorCode(bad)], [400, "DIGEST_INVALID"]);
  assertEquals((await reg.request(`/v2/org/app/blobs/${wrong}`, { method: "HEAD" })).status, 404);

  assertEquals(
    (await reg.request(`/v2/org/app/manifests/${manifest.digest}`, { method: "DELETE" })).status,
    202,
  );
  assertEquals((await reg.request("/v2/org/app/manifests/v1")).status, 404);
});

Deno.test("a store with only the Target contract and blob sizes is served, and answers tag deletes with 405", async () => {
  const reg = memoryRegistry(bare);
  const { layer, manifest } = await pushImage(reg, "plain", "v1");
  const full = await reg.request(`/v2/plain/blobs/${layer.digest}`);
  assertEquals(new Uint8Array(await full.arrayBuffer()), layer.bytes);
  const tail = await reg.request(`/v2/plain/blobs/${layer.digest}`, {
    headers: { range: `bytes=${layer.bytes.length - 3}-` },
  });
  assertEquals(tail.status, 206);
  assertEquals(new Uint8Array(await tail.arrayBuffer()), layer.bytes.slice(-3));
  const untag = await reg.request("/v2/plain/manifests/v1", { method: "DELETE" });
  assertEquals([untag.status, await errorCode(untag)], [405, "UNSUPPORTED"]);
  assertEquals(
    (await reg.request("/v2/plain/manifests/v1")).headers.get("docker-content-digest"),
    manifest.digest,
  );
});

Deno.test("a layout tar is served read-only: manifests, blobs and ranges", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-serve-tar-" });
  try {
    const setup = await LayoutTar.open(`${dir}/img.tar`, nodeFs, { create: true });
    const img = await pushTinyImage(setup, "v1", "tarred");
    await setup.commit();
    await setup.close();
    const tar = await LayoutTar.open(`${dir}/img.tar`, nodeFs, { hasher: nodeHasherFactory });
    const handler = createRegistryHandler({
      repositories: createStoreRepositoryProvider({
        open: (name) => Promise.resolve(name === "tarred" ? tar : undefined),
      }),
      readOnly: true,
    });
    const get = (path: string, init?: RequestInit) =>
      handler(new Request(`http://registry.test/v2/tarred/${path}`, init));
    const manifest = await get("manifests/v1");
    assertEquals(manifest.headers.get("docker-content-digest"), img.manifest.digest);
    await manifest.body?.cancel();
    const layer = new Uint8Array(await (await get(`blobs/${img.layer.digest}`)).arrayBuffer());
    assertEquals([layer.length, await digestBytes(layer)], [img.layer.size, img.layer.digest]);
    const head = await get(`blobs/${img.config.digest}`, { method: "HEAD" });
    assertEquals(head.headers.get("content-length"), String(img.config.size));
    const ranged = await get(`blobs/${img.layer.digest}`, { headers: { range: "bytes=0-1" } });
    assertEquals(new Uint8Array(await ranged.arrayBuffer()), layer.slice(0, 2));
    assertEquals((await get(`blobs/sha256:${"1".repeat(64)}`, { method: "HEAD" })).status, 404);
    await tar.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const oras = findPeer("oras");

Deno.test({
  name: "oras pushes to and pulls from a registry over MemoryStores",
  ignore: oras === undefined,
  fn: async () => {
    const reg = memoryRegistry();
    const server = await serveHttp(reg.handler, { hostname: "127.0.0.1", port: 0 });
    const work = await Deno.makeTempDir({ prefix: "ocisign-memory-serve-" });
    try {
      const host = `127.0.0.1:${server.port}`;
      await Deno.writeTextFile(`${work}/hello.txt`, "hello from memory\n");
      const push = await runPeer(
        oras!,
        ["push", "--plain-http", `${host}/mem/app:v1`, "hello.txt:text/plain"],
        { cwd: work },
      );
      assertEquals(push.code, 0, push.stderr);
      const pull = await runPeer(oras!, [
        "pull",
        "--plain-http",
        `${host}/mem/app:v1`,
        "-o",
        `${work}/out`,
      ]);
      assertEquals(pull.code, 0, pull.stderr);
      assertEquals(await Deno.readTextFile(`${work}/out/hello.txt`), "hello from memory\n");
      assertEquals(await collect(reg.stores.get("mem/app")!.tags()), ["v1"]);
    } finally {
      await server.close();
      await Deno.remove(work, { recursive: true });
    }
  },
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
