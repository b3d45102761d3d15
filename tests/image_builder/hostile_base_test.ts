import { assertRejectsCode } from "../_helpers/assert.ts";
import { buildImage } from "../../lib/image_builder/mod.ts";
import type { BaseResolver } from "../../lib/image_builder/mod.ts";
import { writeLayer } from "../../lib/image_builder/layer_writer.ts";
import { MemoryStore } from "../../lib/content/memory_store.ts";
import type { Descriptor } from "../../lib/oci/descriptor.ts";
import { digestBytes } from "../../lib/digest/digest_bytes.ts";
import { nodeFs, nodeHasherFactory, withTempDir, writeFiles } from "./_helpers.ts";

async function pushJson(
  store: MemoryStore,
  mediaType: string,
  value: unknown,
): Promise<Descriptor> {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  const desc = { mediaType, digest: await digestBytes(bytes), size: bytes.length };
  await store.push(desc, bytes);
  return desc;
}

async function lyingBase(): Promise<MemoryStore> {
  const store = new MemoryStore();
  const layer = await writeLayer(
    [{ path: "etc", type: "directory", mode: 0o755, uid: 0, gid: 0, size: 0 }],
    { output: store, hasher: nodeHasherFactory, timestamp: 0 },
  );
  const config = await pushJson(store, "application/vnd.oci.image.config.v1+json", {
    architecture: "amd64",
    os: "linux",
    rootfs: { type: "layers", diff_ids: [`sha256:${"1".repeat(64)}`] },
  });
  const manifest = await pushJson(store, "application/vnd.oci.image.manifest.v1+json", {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config,
    layers: [layer.descriptor],
  });
  await store.tag(manifest, "lying");
  return store;
}

Deno.test("buildImage() refuses a base layer that does not match its diff_id", async () => {
  await withTempDir(async (ctx) => {
    await writeFiles(ctx, { "a.txt": "a" });
    const base = await lyingBase();
    const resolveBase: BaseResolver = () => Promise.resolve({ target: base, reference: "lying" });
    await assertRejectsCode(
      () =>
        buildImage({
          context: ctx,
          dockerfile: "FROM lying\nCOPY a.txt /etc/\n",
          fs: nodeFs,
          output: new MemoryStore(),
          resolveBase,
          hasher: nodeHasherFactory,
        }),
      "ERR_DIGEST_MISMATCH",
    );
  });
});

Deno.test("buildImage() refuses a base manifest over 4 MiB before reading it", async () => {
  await withTempDir(async (ctx) => {
    const store = new MemoryStore();
    const huge: Descriptor = {
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      digest: `sha256:${"2".repeat(64)}`,
      size: 5 * 1024 * 1024,
    };
    const target = {
      resolve: () => Promise.resolve(huge),
      fetch: (d: Descriptor) => store.fetch(d),
      exists: (d: Descriptor) => store.exists(d),
    };
    await assertRejectsCode(
      () =>
        buildImage({
          context: ctx,
          dockerfile: "FROM huge\n",
          fs: nodeFs,
          output: new MemoryStore(),
          resolveBase: () => Promise.resolve({ target, reference: "huge" }),
          hasher: nodeHasherFactory,
        }),
      "ERR_SIZE_EXCEEDED",
    );
  });
});
