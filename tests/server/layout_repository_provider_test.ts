import { assert, assertEquals } from "../_helpers/assert.ts";
import { assertRejectsCode } from "../_helpers/assert.ts";
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { createLayoutRepositoryProvider, createRegistryHandler } from "../../lib/server/mod.ts";
import {
  content,
  errorCode,
  imageManifest,
  pushBlob,
  pushImage,
  putManifest,
  startRegistry,
} from "./_fixture.ts";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

Deno.test("createLayoutRepositoryProvider() creates a layout on first push only", async () => {
  const root = await Deno.makeTempDir({ prefix: "ocisign-provider-" });
  try {
    const provider = createLayoutRepositoryProvider({
      root,
      fs: nodeFs,
      hasher: nodeHasherFactory,
    });
    assertEquals(await provider.get("org/app"), undefined);
    const [a, b] = await Promise.all([
      provider.get("org/app", { create: true }),
      provider.get("org/app", { create: true }),
    ]);
    assert(a !== undefined && a === b);
    assertEquals(
      await Deno.readTextFile(`${root}/org/app/oci-layout`),
      '{"imageLayoutVersion":"1.0.0"}',
    );
    assert((await Deno.stat(`${root}/org/app/index.json`)).isFile);
    assert((await provider.get("org/app")) === a);
    // A nested repository may not take a name that is part of its parent's layout.
    for (const name of ["org/blobs", "org/app/index.json", "x/oci-layout"]) {
      await assertRejectsCode(() => provider.get(name, { create: true }), "ERR_INVALID_REFERENCE");
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("createLayoutRepositoryProvider() serves layouts that were on disk before the server", async () => {
  const reg = await startRegistry();
  try {
    const img = await pushImage(reg, "pre/made", "v1");
    // A fresh provider and handler over the same directory, as after a restart.
    const repositories = createLayoutRepositoryProvider({ root: reg.root, fs: nodeFs });
    const handler = createRegistryHandler({ repositories });
    const res = await handler(new Request("http://registry.test/v2/pre/made/manifests/v1"));
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("docker-content-digest"), img.manifest.digest);
    assertEquals(new Uint8Array(await res.arrayBuffer()), img.manifest.bytes);
    const tags = await handler(new Request("http://registry.test/v2/pre/made/tags/list"));
    assertEquals(await tags.json(), { name: "pre/made", tags: ["v1"] });
  } finally {
    await reg.close();
  }
});

Deno.test("tag delete keeps the manifest and its other tags", async () => {
  const reg = await startRegistry();
  try {
    const { manifest } = await pushImage(reg, "a", "v1");
    for (const t of ["v2", "v3"]) {
      assertEquals((await putManifest(reg, "a", t, manifest)).status, 201);
    }
    assertEquals((await reg.request("/v2/a/manifests/v2", { method: "DELETE" })).status, 202);
    assertEquals(await (await reg.request("/v2/a/tags/list")).json(), {
      name: "a",
      tags: ["v1", "v3"],
    });
    const byDigest = await reg.request(`/v2/a/manifests/${manifest.digest}`);
    assertEquals(new Uint8Array(await byDigest.arrayBuffer()), manifest.bytes);
    const index = JSON.parse(await Deno.readTextFile(`${reg.root}/a/index.json`)) as {
      manifests: { digest: string; annotations?: Record<string, string> }[];
    };
    const names = index.manifests.map((m) => m.annotations?.["org.opencontainers.image.ref.name"])
      .sort();
    assertEquals(names, ["v1", "v3"]);
    const missing = await reg.request("/v2/a/manifests/v2", { method: "DELETE" });
    assertEquals(missing.status, 404);
    assertEquals(await errorCode(missing), "MANIFEST_UNKNOWN");
  } finally {
    await reg.close();
  }
});

Deno.test("a manifest uploaded only as a blob is served by digest as a manifest", async () => {
  const reg = await startRegistry();
  try {
    const { config, layer } = await pushImage(reg, "a", "v1");
    const other = await content(JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        digest: config.digest,
        size: config.bytes.length,
      },
      layers: [{
        mediaType: "application/vnd.oci.image.layer.v1.tar",
        digest: layer.digest,
        size: layer.bytes.length,
      }],
      annotations: { only: "as a blob" },
    }));
    assertEquals((await pushBlob(reg, "a", other)).status, 201);
    const res = await reg.request(`/v2/a/manifests/${other.digest}`);
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-type"), OCI_MANIFEST);
    assertEquals(new Uint8Array(await res.arrayBuffer()), other.bytes);
    const notManifest = await reg.request(`/v2/a/manifests/${layer.digest}`);
    assertEquals(notManifest.status, 404);
    assertEquals(await errorCode(notManifest), "MANIFEST_UNKNOWN");
  } finally {
    await reg.close();
  }
});

Deno.test("a layout whose blob is a symbolic link is served through the link", async () => {
  const reg = await startRegistry();
  const outside = await Deno.makeTempDir({ prefix: "ocisign-linked-blob-" });
  try {
    const { config, layer, manifest } = await pushImage(reg, "linked", "v1");
    const file = `${reg.root}/linked/blobs/sha256/${layer.digest.slice(7)}`;
    await Deno.rename(file, `${outside}/layer`);
    await Deno.symlink(`${outside}/layer`, file);

    const head = await reg.request(`/v2/linked/blobs/${layer.digest}`, { method: "HEAD" });
    assertEquals([head.status, head.headers.get("content-length")], [
      200,
      String(layer.bytes.length),
    ]);
    const got = await reg.request(`/v2/linked/blobs/${layer.digest}`);
    assertEquals(new Uint8Array(await got.arrayBuffer()), layer.bytes);
    const ranged = await reg.request(`/v2/linked/blobs/${layer.digest}`, {
      headers: { range: "bytes=1-3" },
    });
    assertEquals(ranged.status, 206);
    assertEquals(new Uint8Array(await ranged.arrayBuffer()), layer.bytes.slice(1, 4));
    // A manifest that references the linked blob is accepted.
    const again = await imageManifest(config, [layer], { annotations: { again: "yes" } });
    assertEquals((await putManifest(reg, "linked", "v2", again)).status, 201);
    const pulled = await reg.request("/v2/linked/manifests/v1");
    assertEquals(pulled.headers.get("docker-content-digest"), manifest.digest);
    await pulled.body?.cancel();
  } finally {
    await reg.close();
    await Deno.remove(outside, { recursive: true });
  }
});
