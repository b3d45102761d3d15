/**
 * The Target conformance suite over every store: MemoryStore, a layout directory (opened as
 * the CLI opens it, `autoSave: false`), a layout tar, and a registry Repository against
 * ocisign's in-process registry.
 */
import { MemoryStore } from "../../lib/content/memory_store.ts";
import { copy } from "../../lib/copy/copy.ts";
import { LayoutStore } from "../../lib/layout/layout_store.ts";
import { LayoutTar } from "../../lib/layout/layout_tar.ts";
import { Registry } from "../../lib/registry/registry.ts";
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { createLayoutRepositoryProvider, createRegistryHandler } from "../../lib/server/mod.ts";
import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { blobOf, jsonBlob } from "./_fixtures.ts";
import { type OpenedStore, targetSuite } from "./target_suite.ts";

const hasher = nodeHasherFactory;

/** Flips one byte of the first copy of `bytes` in every file under `root`, in place. */
async function corruptUnder(root: string, bytes: Uint8Array): Promise<void> {
  let hits = 0;
  const visit = async (dir: string): Promise<void> => {
    for await (const e of Deno.readDir(dir)) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory) await visit(path);
      else if (e.isFile) hits += await corruptFile(path, bytes) ? 1 : 0;
    }
  };
  const st = await Deno.stat(root);
  if (st.isDirectory) await visit(root);
  else hits += await corruptFile(root, bytes) ? 1 : 0;
  assert.ok(hits > 0, `no stored copy of the content under ${root}`);
}

async function corruptFile(path: string, bytes: Uint8Array): Promise<boolean> {
  const data = await Deno.readFile(path);
  search: for (let i = 0; i + bytes.length <= data.length; i++) {
    for (let j = 0; j < bytes.length; j++) if (data[i + j] !== bytes[j]) continue search;
    data[i + bytes.length - 1] = data[i + bytes.length - 1]! ^ 1;
    const file = await Deno.open(path, { write: true });
    try {
      await file.write(data);
    } finally {
      file.close();
    }
    return true;
  }
  return false;
}

async function tempDir(): Promise<{ dir: string; dispose: () => Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-target-suite-" });
  return { dir, dispose: () => Deno.remove(dir, { recursive: true }) };
}

targetSuite({
  name: "MemoryStore",
  stagesUntilCommit: false,
  abilities: {
    mounter: false,
    rangeFetcher: true,
    untagger: true,
    committer: false,
    closer: false,
  },
  corruptible: false,
  open(): Promise<OpenedStore> {
    const store = new MemoryStore();
    return Promise.resolve({
      store,
      reopen: () => Promise.resolve(store),
      dispose: () => Promise.resolve(),
    });
  },
});

targetSuite({
  name: "LayoutStore",
  stagesUntilCommit: true,
  abilities: {
    mounter: false,
    rangeFetcher: true,
    untagger: true,
    committer: true,
    closer: true,
  },
  corruptible: true,
  async open(): Promise<OpenedStore> {
    const tmp = await tempDir();
    const path = `${tmp.dir}/img`;
    const opts = { hasher, autoSave: false };
    return {
      store: await LayoutStore.open(path, nodeFs, { ...opts, create: true }),
      reopen: () => LayoutStore.open(path, nodeFs, opts),
      corrupt: (bytes) => corruptUnder(`${path}/blobs`, bytes),
      dispose: tmp.dispose,
    };
  },
});

targetSuite({
  name: "LayoutTar",
  stagesUntilCommit: true,
  abilities: {
    mounter: false,
    rangeFetcher: true,
    untagger: true,
    committer: true,
    closer: true,
  },
  corruptible: true,
  async open(): Promise<OpenedStore> {
    const tmp = await tempDir();
    const path = `${tmp.dir}/img.tar`;
    return {
      store: await LayoutTar.open(path, nodeFs, { hasher, create: true }),
      reopen: () => LayoutTar.open(path, nodeFs, { hasher }),
      corrupt: (bytes) => corruptUnder(path, bytes),
      dispose: tmp.dispose,
    };
  },
});

/** ocisign's registry over a temporary directory, called in-process; `seen` logs requests. */
function inProcessRegistry(root: string, seen: string[] = []): Registry {
  const handler = createRegistryHandler({
    repositories: createLayoutRepositoryProvider({ root, fs: nodeFs, hasher }),
    hasher,
  });
  return new Registry("registry.test", {
    plainHttp: true,
    hasher,
    fetch: (input, init) => {
      const request = new Request(input, init);
      seen.push(`${request.method} ${new URL(request.url).search}`);
      return handler(request);
    },
  });
}

targetSuite({
  name: "Repository",
  stagesUntilCommit: false,
  abilities: {
    mounter: true,
    rangeFetcher: true,
    untagger: true,
    committer: false,
    closer: false,
  },
  corruptible: true,
  async open(): Promise<OpenedStore> {
    const tmp = await tempDir();
    const open = () => inProcessRegistry(tmp.dir).repository("suite/app");
    return {
      store: open(),
      reopen: () => Promise.resolve(open()),
      corrupt: (bytes) => corruptUnder(tmp.dir, bytes),
      dispose: tmp.dispose,
    };
  },
});

Deno.test("Repository: copy() between two repositories of one registry mounts blobs", async () => {
  const tmp = await tempDir();
  try {
    const seen: string[] = [];
    const registry = inProcessRegistry(tmp.dir, seen);
    const a = registry.repository("team/a");
    const config = await jsonBlob("application/vnd.oci.image.config.v1+json", { os: "linux" });
    const layer = await blobOf("application/vnd.oci.image.layer.v1.tar", "mounted layer");
    const manifest = await jsonBlob("application/vnd.oci.image.manifest.v1+json", {
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: config.desc,
      layers: [layer.desc],
    });
    for (const b of [config, layer, manifest]) await a.push(b.desc, b.bytes);
    await a.tag(manifest.desc, "v1");
    seen.length = 0;
    const b = registry.repository("team/b");
    assertEquals(b.mountSourceFor(a), "team/a");
    assertEquals(b.mountSourceFor(inProcessRegistry(tmp.dir).repository("team/a")), undefined);
    await copy(a, "v1", b, "v1");
    assertEquals(seen.filter((s) => s.startsWith("POST ?mount=")).length, 2, seen.join("\n"));
    assertEquals(seen.filter((s) => s.startsWith("PUT ?") && s.includes("digest=")), []);
    for (const c of [config, layer, manifest]) assertEquals(await b.exists(c.desc), true);
    assertEquals((await b.resolve("v1")).digest, manifest.desc.digest);
  } finally {
    await tmp.dispose();
  }
});

Deno.test("Repository.fetchRange() verifies and cuts a whole blob from a registry that ignores Range", async () => {
  const tmp = await tempDir();
  try {
    const handler = createRegistryHandler({
      repositories: createLayoutRepositoryProvider({ root: tmp.dir, fs: nodeFs, hasher }),
      hasher,
    });
    const statuses: number[] = [];
    const repo = new Registry("registry.test", {
      plainHttp: true,
      hasher,
      fetch: async (input, init) => {
        const request = new Request(input, init);
        request.headers.delete("range");
        const res = await handler(request);
        statuses.push(res.status);
        return res;
      },
    }).repository("suite/norange");
    const blob = await blobOf("application/octet-stream", "0123456789abcdef");
    await repo.push(blob.desc, blob.bytes);
    statuses.length = 0;
    const part = await repo.fetchRange(blob.desc, { offset: 3, length: 4 });
    assertEquals(new TextDecoder().decode(await new Response(part).bytes()), "3456");
    assertEquals(statuses, [200]);
    // The whole body is verified: a changed byte after the range still fails the read.
    await corruptUnder(tmp.dir, blob.bytes);
    const changed = await repo.fetchRange(blob.desc, { offset: 0, length: 2 });
    await assertRejectsCode(() => new Response(changed).bytes(), "ERR_DIGEST_MISMATCH");
  } finally {
    await tmp.dispose();
  }
});
