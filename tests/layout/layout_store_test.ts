import { fetchAll } from "../../lib/content/fetch_all.ts";
import { LayoutStore, OCI_LAYOUT_HEADER } from "../../lib/layout/mod.ts";
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { blobOf, jsonBlob } from "../content/_fixtures.ts";
import {
  INDEX,
  listTree,
  MANIFEST,
  pushArtifact,
  pushImage,
  pushSignature,
  withTempDir,
} from "./_image.ts";

const REF_NAME = "org.opencontainers.image.ref.name";

function open(path: string, create = false): Promise<LayoutStore> {
  return LayoutStore.open(path, nodeFs, { hasher: nodeHasherFactory, create });
}

async function readIndex(dir: string): Promise<{ manifests: Array<Record<string, unknown>> }> {
  return JSON.parse(await Deno.readTextFile(`${dir}/index.json`));
}

Deno.test("LayoutStore.open() creates oci-layout, blobs/ and an empty index.json", async () => {
  await withTempDir(async (tmp) => {
    const layout = await open(`${tmp}/img`, true);
    assertEquals(await Deno.readTextFile(`${tmp}/img/oci-layout`), OCI_LAYOUT_HEADER);
    assertEquals(await readIndex(`${tmp}/img`), {
      schemaVersion: 2,
      mediaType: INDEX,
      manifests: [],
    } as unknown as { manifests: [] });
    assertEquals((await Deno.stat(`${tmp}/img/blobs`)).isDirectory, true);
    assertEquals(layout.manifests(), []);
  });
});

Deno.test("LayoutStore.open() with create restores a missing oci-layout and keeps index.json", async () => {
  await withTempDir(async (tmp) => {
    const dir = `${tmp}/img`;
    const img = await pushImage(await open(dir, true), "v1");
    for (const autoSave of [true, false]) {
      await Deno.remove(`${dir}/oci-layout`);
      const layout = await LayoutStore.open(dir, nodeFs, {
        hasher: nodeHasherFactory,
        create: true,
        autoSave,
      });
      assertEquals((await layout.resolve("v1")).digest, img.manifest.digest);
      await layout.close();
      assertEquals(await Deno.readTextFile(`${dir}/oci-layout`), OCI_LAYOUT_HEADER);
      assertEquals((await open(dir).then((l) => l.resolve("v1"))).digest, img.manifest.digest);
    }
  });
});

Deno.test("LayoutStore records every pushed manifest, tags with ref.name and resolves", async () => {
  await withTempDir(async (tmp) => {
    const dir = `${tmp}/img`;
    const layout = await open(dir, true);
    const img = await pushImage(layout, "v1");
    const sig = await pushSignature(layout, img.manifest);
    const index = await readIndex(dir);
    assertEquals(index.manifests.length, 2);
    assertEquals(index.manifests[0], { ...img.manifest, annotations: { [REF_NAME]: "v1" } });
    assertEquals(index.manifests[1], sig);
    assertEquals(await layout.resolve("v1"), {
      ...img.manifest,
      annotations: { [REF_NAME]: "v1" },
    });
    assertEquals(await layout.resolve(sig.digest), sig);
    assertEquals(await Array.fromAsync(layout.tags()), ["v1"]);
    await assertRejectsCode(() => layout.resolve("v2"), "ERR_NOT_FOUND", "v1");

    // Re-tagging moves the tag; the old manifest stays as an untagged entry.
    const other = await pushImage(layout, undefined, "other");
    await layout.tag(other.manifest, "v1");
    assertEquals((await layout.resolve("v1")).digest, other.manifest.digest);
    const after = (await readIndex(dir)).manifests;
    assertEquals(after.length, 3);
    assert.ok(after.some((e) => e.digest === img.manifest.digest && e.annotations === undefined));
    assertEquals(
      after.filter((e) => (e.annotations as Record<string, string>)?.[REF_NAME] === "v1").length,
      1,
    );

    // Reopening sees the same state.
    const again = await open(dir);
    assertEquals((await again.resolve("v1")).digest, other.manifest.digest);
    assertEquals(again.manifests().length, 3);
    assertEquals(
      await fetchAll(again, img.manifest),
      await Deno.readFile(`${dir}/blobs/sha256/${img.manifest.digest.slice(7)}`),
    );
  });
});

Deno.test("LayoutStore.referrers() scans reachable manifests for subject, with artifactType filter", async () => {
  await withTempDir(async (tmp) => {
    const dir = `${tmp}/img`;
    const layout = await open(dir, true);
    const img = await pushImage(layout, "v1");
    const sig = await pushSignature(layout, img.manifest);
    const sbom = await pushArtifact(layout, img.manifest, "application/spdx+json");
    const all = await Array.fromAsync(layout.referrers(img.manifest));
    assertEquals(all.map((d) => d.digest).sort(), [sig.digest, sbom.digest].sort());
    const sigs = await Array.fromAsync(
      layout.referrers(img.manifest, { artifactType: "application/vnd.cncf.notary.signature" }),
    );
    assertEquals(sigs.length, 1);
    assertEquals(sigs[0]!.digest, sig.digest);
    assertEquals(sigs[0]!.annotations, { "io.cncf.notary.x509chain.thumbprint#S256": '["00"]' });
    const sboms = await Array.fromAsync(
      layout.referrers(img.manifest, { artifactType: "application/spdx+json" }),
    );
    assertEquals(sboms.map((d) => d.artifactType), ["application/spdx+json"]);

    // A referrer that sits only in blobs/ (not reachable from index.json) is invisible.
    const hidden = await jsonBlob(MANIFEST, {
      schemaVersion: 2,
      mediaType: MANIFEST,
      artifactType: "x/hidden",
      config: img.config,
      layers: [],
      subject: img.manifest,
    });
    await Deno.writeFile(`${dir}/blobs/sha256/${hidden.desc.digest.slice(7)}`, hidden.bytes);
    const reopened = await open(dir);
    assertEquals((await Array.fromAsync(reopened.referrers(img.manifest))).length, 2);
  });
});

Deno.test("LayoutStore resolves digests inside nested indexes (buildx shape)", async () => {
  await withTempDir(async (tmp) => {
    const dir = `${tmp}/img`;
    const layout = await open(dir, true);
    const img = await pushImage(layout);
    const nested = await jsonBlob(INDEX, {
      schemaVersion: 2,
      mediaType: INDEX,
      manifests: [{ ...img.manifest, platform: { architecture: "amd64", os: "linux" } }],
    });
    await layout.push(nested.desc, nested.bytes);
    // As buildx writes it: index.json lists only the nested index, named by ref.name.
    await Deno.writeTextFile(
      `${dir}/index.json`,
      JSON.stringify({
        schemaVersion: 2,
        manifests: [{
          ...nested.desc,
          annotations: {
            "io.containerd.image.name": "docker.io/library/hello:latest",
            [REF_NAME]: "latest",
          },
        }],
      }),
    );
    const reopened = await open(dir);
    assertEquals((await reopened.resolve("latest")).digest, nested.desc.digest);
    assertEquals(
      (await reopened.resolve("docker.io/library/hello:latest")).digest,
      nested.desc.digest,
    );
    assertEquals(await reopened.resolve(img.manifest.digest), {
      mediaType: MANIFEST,
      digest: img.manifest.digest,
      size: img.manifest.size,
    });
    const sig = await pushSignature(reopened, img.manifest);
    const refs = await Array.fromAsync(reopened.referrers(img.manifest));
    assertEquals(refs.map((r) => r.digest), [sig.digest]);
    // A manifest blob not listed anywhere resolves with its own media type.
    const loose = await jsonBlob(MANIFEST, {
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: img.config,
      layers: [],
    });
    await Deno.writeFile(`${dir}/blobs/sha256/${loose.desc.digest.slice(7)}`, loose.bytes);
    assertEquals(await reopened.resolve(loose.desc.digest), loose.desc);
    await assertRejectsCode(() => reopened.resolve(img.layer.digest), "ERR_NOT_FOUND");
  });
});

Deno.test("LayoutStore detects a changed blob byte and a truncated blob on read", async () => {
  await withTempDir(async (tmp) => {
    const dir = `${tmp}/img`;
    const layout = await open(dir, true);
    const img = await pushImage(layout, "v1");
    const configPath = `${dir}/blobs/sha256/${img.config.digest.slice(7)}`;
    const bytes = await Deno.readFile(configPath);
    bytes[0] = bytes[0]! ^ 1;
    await Deno.writeFile(configPath, bytes);
    await assertRejectsCode(() => fetchAll(layout, img.config), "ERR_DIGEST_MISMATCH");
    await assertRejectsCode(
      async () => await new Response(await layout.fetch(img.config)).arrayBuffer(),
      "ERR_DIGEST_MISMATCH",
    );
    const layerPath = `${dir}/blobs/sha256/${img.layer.digest.slice(7)}`;
    await Deno.truncate(layerPath, img.layer.size - 1);
    await assertRejectsCode(() => layout.fetch(img.layer), "ERR_SIZE_MISMATCH");
    // The whole read (no stream) that fetchAll uses checks the same.
    await assertRejectsCode(() => layout.fetchWhole(img.config), "ERR_DIGEST_MISMATCH");
    await assertRejectsCode(() => layout.fetchWhole(img.layer), "ERR_SIZE_MISMATCH");
    await Deno.remove(configPath);
    await assertRejectsCode(() => layout.fetchWhole(img.config), "ERR_NOT_FOUND");
    assertEquals(await layout.exists(img.layer), false);
  });
});

Deno.test("LayoutStore.open() refuses broken layouts with clear errors", async () => {
  await withTempDir(async (tmp) => {
    const dir = `${tmp}/img`;
    await assertRejectsCode(() => open(dir), "ERR_NOT_FOUND");
    await open(dir, true);
    await Deno.writeTextFile(`${dir}/index.json`, "{not json");
    await assertRejectsCode(() => open(dir), "ERR_INVALID_LAYOUT", "index.json");
    await Deno.writeTextFile(
      `${dir}/index.json`,
      '{"schemaVersion":2,"manifests":[{"digest":"sha256:00"}]}',
    );
    await assertRejectsCode(() => open(dir), "ERR_INVALID_LAYOUT");
    await Deno.writeTextFile(`${dir}/index.json`, " ".repeat(4 * 1024 * 1024 + 1));
    await assertRejectsCode(() => open(dir), "ERR_INVALID_LAYOUT", "limit");
    await Deno.writeTextFile(`${dir}/index.json`, '{"schemaVersion":2,"manifests":[]}');
    await Deno.writeTextFile(`${dir}/oci-layout`, '{"imageLayoutVersion":"2.0.0"}');
    await assertRejectsCode(() => open(dir), "ERR_INVALID_LAYOUT", "2.0.0");
    await Deno.remove(`${dir}/oci-layout`);
    await assertRejectsCode(() => open(dir), "ERR_INVALID_LAYOUT", "oci-layout");
    await Deno.writeTextFile(`${dir}/oci-layout`, OCI_LAYOUT_HEADER);
    await Deno.remove(`${dir}/blobs`, { recursive: true });
    await assertRejectsCode(() => open(dir), "ERR_INVALID_LAYOUT", "blobs");
  });
});

Deno.test("LayoutStore refuses manifests over 4 MiB and invalid manifests", async () => {
  await withTempDir(async (tmp) => {
    const dir = `${tmp}/img`;
    const layout = await open(dir, true);
    const img = await pushImage(layout);
    const big = await jsonBlob(MANIFEST, {
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: img.config,
      layers: [],
      annotations: { pad: "x".repeat(4 * 1024 * 1024) },
    });
    const before = await listTree(dir);
    await assertRejectsCode(() => layout.push(big.desc, big.bytes), "ERR_SIZE_EXCEEDED");
    const bad = await blobOf(MANIFEST, '{"schemaVersion":2,"config":{}}');
    await assertRejectsCode(() => layout.push(bad.desc, bad.bytes), "ERR_INVALID_MANIFEST");
    assertEquals(await listTree(dir), before);
    // A big manifest placed in the layout by someone else is refused on read.
    await Deno.writeFile(`${dir}/blobs/sha256/${big.desc.digest.slice(7)}`, big.bytes);
    await assertRejectsCode(() => fetchAll(layout, big.desc), "ERR_SIZE_EXCEEDED");
  });
});

Deno.test("LayoutStore leaves the layout unchanged after a failed or aborted push", async () => {
  await withTempDir(async (tmp) => {
    const dir = `${tmp}/img`;
    const layout = await open(dir, true);
    await pushImage(layout, "v1");
    const before = await listTree(dir);
    const indexBefore = await Deno.readTextFile(`${dir}/index.json`);
    const blob = await blobOf("application/octet-stream", new Uint8Array(300_000).fill(7));

    // The body fails half way.
    const failing = new ReadableStream<Uint8Array>({
      start(c): void {
        c.enqueue(blob.bytes.subarray(0, 100_000));
        c.error(new Error("connection reset"));
      },
    });
    let failed = false;
    await layout.push(blob.desc, failing).catch(() => (failed = true));
    assert.ok(failed);

    // The signal fires half way.
    const ac = new AbortController();
    let sent = 0;
    const slow = new ReadableStream<Uint8Array>({
      pull(c): void {
        if (sent >= blob.bytes.length) return c.close();
        c.enqueue(blob.bytes.subarray(sent, sent + 50_000));
        sent += 50_000;
        if (sent >= 100_000) ac.abort();
      },
    });
    await assertRejectsCode(
      () => layout.push(blob.desc, slow, { signal: ac.signal }),
      "ERR_ABORTED",
    );

    // Wrong content.
    await assertRejectsCode(
      () => layout.push(blob.desc, new Uint8Array(300_000)),
      "ERR_DIGEST_MISMATCH",
    );

    assertEquals(await listTree(dir), before);
    assertEquals(await Deno.readTextFile(`${dir}/index.json`), indexBefore);
    assertEquals(await layout.exists(blob.desc), false);
  });
});

Deno.test("LayoutStore serialises concurrent index.json updates", async () => {
  await withTempDir(async (tmp) => {
    const dir = `${tmp}/img`;
    const layout = await open(dir, true);
    const img = await pushImage(layout, "v1");
    const sigs = await Promise.all(
      Array.from({ length: 20 }, (_, i) => pushSignature(layout, img.manifest, `sig-${i}`)),
    );
    const reopened = await open(dir);
    const digests = reopened.manifests().map((d) => d.digest);
    for (const s of sigs) assert.ok(digests.includes(s.digest));
    assertEquals((await Array.fromAsync(reopened.referrers(img.manifest))).length, 20);
  });
});

Deno.test("LayoutStore.delete() removes the blob and its index.json entries", async () => {
  await withTempDir(async (tmp) => {
    const dir = `${tmp}/img`;
    const layout = await open(dir, true);
    const img = await pushImage(layout, "v1");
    await layout.delete(img.manifest);
    assertEquals(await layout.exists(img.manifest), false);
    assertEquals((await readIndex(dir)).manifests, []);
    await assertRejectsCode(() => layout.resolve("v1"), "ERR_NOT_FOUND");
    await assertRejectsCode(() => layout.delete(img.manifest), "ERR_NOT_FOUND");
  });
});

Deno.test("LayoutStore with autoSave: false writes a new layout's files beside the first pushes", async () => {
  await withTempDir(async (tmp) => {
    const dir = `${tmp}/new`;
    const layout = await LayoutStore.open(dir, nodeFs, {
      hasher: nodeHasherFactory,
      create: true,
      autoSave: false,
    });
    // Pushed at once, before the layout's own files are awaited.
    const img = await pushImage(layout, "v1");
    await layout.commit();
    await layout.close();
    assertEquals(await Deno.readTextFile(`${dir}/oci-layout`), OCI_LAYOUT_HEADER);
    const again = await open(dir);
    assertEquals((await again.resolve("v1")).digest, img.manifest.digest);
    assert(!(await listTree(dir)).some((p) => p.includes(".tmp-") || p.includes(".lock")));
  });
});

Deno.test("LayoutStore: a new layout whose index.json cannot be written fails at close() and is no layout", async () => {
  await withTempDir(async (tmp) => {
    const dir = `${tmp}/new`;
    const full = {
      ...nodeFs,
      writeFileAtomic: (path: string, data: Uint8Array | ReadableStream<Uint8Array>) =>
        path.endsWith("index.json")
          ? Promise.reject(new Error("no space left on device"))
          : nodeFs.writeFileAtomic(path, data),
    };
    const layout = await LayoutStore.open(dir, full, { create: true, autoSave: false });
    await assert.rejects(() => layout.close(), /no space left on device/);
    // index.json comes before oci-layout: a crash or failure in between leaves no layout.
    assertEquals((await listTree(dir)).includes("oci-layout"), false);
    await assertRejectsCode(() => open(dir), "ERR_INVALID_LAYOUT");
  });
});

Deno.test("LayoutStore with autoSave: false writes index.json only on commit()", async () => {
  await withTempDir(async (tmp) => {
    const dir = `${tmp}/img`;
    await (await LayoutStore.open(dir, nodeFs, { create: true })).close();
    const layout = await LayoutStore.open(dir, nodeFs, {
      hasher: nodeHasherFactory,
      create: true,
      autoSave: false,
    });
    const before = await Deno.readTextFile(`${dir}/index.json`);
    const img = await pushImage(layout, "v1");
    assertEquals(await Deno.readTextFile(`${dir}/index.json`), before);
    assertEquals((await layout.resolve("v1")).digest, img.manifest.digest);
    await layout.commit();
    assertEquals((await readIndex(dir)).manifests.length, 1);
    await pushSignature(layout, img.manifest);
    await layout.close();
    assertEquals((await readIndex(dir)).manifests.length, 1);
  });
});
