/**
 * What the registry answers when its storage cannot do what a request needs: a layout whose lock
 * another process holds (503 and a retry that then works), a full or read-only file system (507,
 * 500), and a tag that `index.json` gives to two manifests (409). Each answer is a spec error body
 * that says what happened without naming the server's paths.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { canMountTmpfs, fill, mount, umount } from "../_helpers/tmpfs.ts";
import type { Fs } from "../../lib/content/fs.ts";
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { createLayoutRepositoryProvider, createRegistryHandler } from "../../lib/server/mod.ts";
import type { RequestLogEntry } from "../../lib/server/mod.ts";
import {
  content,
  imageManifest,
  pushBlob,
  pushImage,
  putManifest,
  type TestRegistry,
} from "./_fixture.ts";

/** A registry over layouts under `root`, whose lock waits last `lockWaitMs`. */
function registryAt(root: string, lockWaitMs = 120_000): TestRegistry {
  const fs: Fs = {
    ...nodeFs,
    lock: (path, opts) => nodeFs.lock(path, { ...opts, waitMs: lockWaitMs }),
  };
  const log: RequestLogEntry[] = [];
  const handler = createRegistryHandler({
    repositories: createLayoutRepositoryProvider({ root, fs, hasher: nodeHasherFactory }),
    hasher: nodeHasherFactory,
    log: (e) => log.push(e),
  });
  return {
    root,
    handler,
    log,
    request: (path, init) => handler(new Request(`http://registry.test${path}`, init)),
    close: () => Deno.remove(root, { recursive: true }),
  };
}

async function spec(res: Response): Promise<{ status: number; code?: string; message: string }> {
  const body = await res.json() as { errors: { code: string; message: string }[] };
  return { status: res.status, code: body.errors[0]?.code, message: body.errors[0]!.message };
}

Deno.test("a push while another process holds the layout's lock is answered 503, and works on retry", async () => {
  const reg = registryAt(await Deno.makeTempDir({ prefix: "ocisign-locked-" }), 300);
  try {
    const { config, layer, manifest } = await pushImage(reg, "app", "v1");
    const lock = await nodeFs.lock(`${reg.root}/app/.ocisign.lock`);
    const again = await imageManifest(config, [layer], { annotations: { n: "2" } });
    let res: Response;
    try {
      res = await putManifest(reg, "app", "v2", again);
      assertEquals(res.headers.get("retry-after"), "10");
      const err = await spec(res);
      assertEquals([err.status, err.code], [503, "UNAVAILABLE"]);
      assert.match(err.message, /lock; retry/);
      assert(!err.message.includes(reg.root), err.message);
    } finally {
      await lock.release();
    }
    assertEquals((await putManifest(reg, "app", "v2", again)).status, 201);
    const tags = await (await reg.request("/v2/app/tags/list")).json();
    assertEquals(tags.tags, ["v1", "v2"]);
    assertEquals(
      (await reg.request("/v2/app/manifests/v1")).headers.get("docker-content-digest"),
      manifest.digest,
    );
  } finally {
    await reg.close();
  }
});

Deno.test("a tag that index.json gives to two manifests is answered 409 naming both digests", async () => {
  const reg = registryAt(await Deno.makeTempDir({ prefix: "ocisign-ambiguous-" }));
  try {
    const one = await pushImage(reg, "dup", "v1", "one");
    const two = await pushImage(reg, "dup", "other", "two");
    const indexPath = `${reg.root}/dup/index.json`;
    const index = JSON.parse(await Deno.readTextFile(indexPath));
    for (const m of index.manifests) {
      m.annotations = { "org.opencontainers.image.ref.name": "v1" };
    }
    await Deno.writeTextFile(indexPath, JSON.stringify(index));
    for (const method of ["GET", "HEAD", "DELETE"]) {
      const res = await reg.request("/v2/dup/manifests/v1", { method });
      assertEquals(res.status, 409, method);
      if (method === "HEAD") continue;
      const err = await spec(res);
      assertEquals(err.code, "MANIFEST_UNKNOWN");
      assert(
        err.message.includes(one.manifest.digest) && err.message.includes(two.manifest.digest),
      );
      assert(!err.message.includes(reg.root), err.message);
    }
    // By digest, each is still served.
    const byDigest = await reg.request(`/v2/dup/manifests/${two.manifest.digest}`);
    assertEquals(new Uint8Array(await byDigest.arrayBuffer()), two.manifest.bytes);
  } finally {
    await reg.close();
  }
});

Deno.test({
  name: "a push to a full or read-only file system is answered 507 or 500 with what to do",
  // Mounting a small tmpfs needs root on Linux; elsewhere this cannot run.
  ignore: !canMountTmpfs(),
  fn: async () => {
    const small = await Deno.makeTempDir({ prefix: "ocisign-full-" });
    mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", small);
    const reg = registryAt(`${small}/root`);
    try {
      await Deno.mkdir(reg.root);
      await pushImage(reg, "app", "v1");
      await fill(small);
      const blob = await content(new Uint8Array(64 * 1024).fill(7));
      const full = await spec(await pushBlob(reg, "app", blob));
      assertEquals([full.status, full.code], [507, "UNKNOWN"]);
      assert.match(full.message, /storage is full/);
      assert(!full.message.includes(small), full.message);
      assert.match(reg.log.at(-1)?.error ?? "", /no space left/);
      await Deno.remove(`${small}/filler`);

      mount("-o", "remount,ro", small);
      const ro = await spec(await pushBlob(reg, "app", blob));
      assertEquals([ro.status, ro.code], [500, "UNKNOWN"]);
      assert.match(ro.message, /read-only/);
      // Reads still work.
      assertEquals((await reg.request("/v2/app/manifests/v1")).status, 200);
      mount("-o", "remount,rw", small);
      assertEquals((await pushBlob(reg, "app", blob)).status, 201);
    } finally {
      await umount(small);
      await Deno.remove(small, { recursive: true });
    }
  },
});
