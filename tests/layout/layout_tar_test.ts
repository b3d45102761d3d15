import { packTar } from "modern-tar";
import { fetchAll } from "../../lib/content/fetch_all.ts";
import { LayoutStore, LayoutTar, OCI_LAYOUT_HEADER, openLayout } from "../../lib/layout/mod.ts";
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { jsonBlob } from "../content/_fixtures.ts";
import { INDEX, MANIFEST, pushImage, pushSignature, withTempDir } from "./_image.ts";

const opts = { hasher: nodeHasherFactory };
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const EMPTY_INDEX = '{"schemaVersion":2,"manifests":[]}';

type Entry = {
  name: string;
  body?: string | Uint8Array;
  type?: "file" | "directory" | "symlink" | "link";
  linkname?: string;
};

async function writeTar(path: string, entries: Entry[]): Promise<void> {
  const tar = await packTar(entries.map((e) => {
    const body = typeof e.body === "string" ? enc(e.body) : e.body;
    return {
      header: {
        name: e.name,
        size: body?.length ?? 0,
        type: e.type ?? "file",
        ...(e.linkname ? { linkname: e.linkname } : {}),
      },
      ...(body ? { body } : {}),
    };
  }));
  await Deno.writeFile(path, tar);
}

Deno.test("LayoutTar round trip: create, push, commit, reopen, referrers", async () => {
  await withTempDir(async (tmp) => {
    const path = `${tmp}/img.tar`;
    const tar = await openLayout(path, nodeFs, { ...opts, create: true });
    assert.ok(tar instanceof LayoutTar);
    const img = await pushImage(tar, "v1");
    assertEquals(await Deno.stat(path).catch(() => undefined), undefined);
    await tar.commit();
    await tar.close();

    const again = await openLayout(path, nodeFs, opts);
    const desc = await again.resolve("v1");
    assertEquals(desc.digest, img.manifest.digest);
    const sig = await pushSignature(again, desc);
    // Staged content is readable before commit.
    assertEquals((await Array.fromAsync(again.referrers(desc))).map((d) => d.digest), [sig.digest]);
    await again.commit();
    await again.close();
    assertEquals((await Array.fromAsync(Deno.readDir(tmp))).map((e) => e.name), ["img.tar"]);

    const third = await LayoutTar.open(path, nodeFs, opts);
    const refs = await Array.fromAsync(third.referrers(desc));
    assertEquals(refs.map((d) => d.digest), [sig.digest]);
    assertEquals(refs[0]!.artifactType, "application/vnd.cncf.notary.signature");
    assertEquals((await fetchAll(third, img.config)).length, img.config.size);
    await third.close();
  });
});

Deno.test("LayoutTar.close() without commit leaves the tar unchanged", async () => {
  await withTempDir(async (tmp) => {
    const path = `${tmp}/img.tar`;
    const tar = await LayoutTar.open(path, nodeFs, { ...opts, create: true });
    const img = await pushImage(tar, "v1");
    await tar.commit();
    await tar.close();
    const before = await Deno.readFile(path);
    const again = await LayoutTar.open(path, nodeFs, opts);
    await pushSignature(again, img.manifest);
    assert.ok(again.dirty);
    await again.close();
    assertEquals(await Deno.readFile(path), before);
    assertEquals((await Array.fromAsync(Deno.readDir(tmp))).map((e) => e.name), ["img.tar"]);
  });
});

Deno.test("LayoutTar reads buildx-style tars (nested index, ./ prefixes, containerd name)", async () => {
  await withTempDir(async (tmp) => {
    const dir = `${tmp}/src`;
    const store = await LayoutStore.open(dir, nodeFs, { ...opts, create: true });
    const img = await pushImage(store);
    const nested = await jsonBlob(INDEX, {
      schemaVersion: 2,
      mediaType: INDEX,
      manifests: [{ ...img.manifest, platform: { architecture: "amd64", os: "linux" } }],
    });
    await store.push(nested.desc, nested.bytes);
    const blobs: Entry[] = [];
    for (const d of [img.layer, img.config, img.manifest, nested.desc]) {
      blobs.push({
        name: `./blobs/sha256/${d.digest.slice(7)}`,
        body: await Deno.readFile(`${dir}/blobs/sha256/${d.digest.slice(7)}`),
      });
    }
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: INDEX,
      manifests: [{
        ...nested.desc,
        annotations: {
          "io.containerd.image.name": "docker.io/library/hello:latest",
          "org.opencontainers.image.ref.name": "latest",
        },
      }],
    });
    await writeTar(`${tmp}/out.tar`, [
      { name: "./blobs/", type: "directory" },
      { name: "./blobs/sha256/", type: "directory" },
      ...blobs,
      { name: "./index.json", body: index },
      { name: "./oci-layout", body: OCI_LAYOUT_HEADER },
    ]);
    const tar = await openLayout(`${tmp}/out.tar`, nodeFs, opts);
    assertEquals((await tar.resolve("latest")).mediaType, INDEX);
    assertEquals((await tar.resolve("docker.io/library/hello:latest")).digest, nested.desc.digest);
    assertEquals((await tar.resolve(img.manifest.digest)).mediaType, MANIFEST);
    await tar.close();
  });
});

Deno.test("LayoutTar refuses unsafe or broken tars", async () => {
  await withTempDir(async (tmp) => {
    const base: Entry[] = [{ name: "oci-layout", body: OCI_LAYOUT_HEADER }, {
      name: "index.json",
      body: EMPTY_INDEX,
    }];
    const cases: Array<[string, Entry[], string]> = [
      ["dotdot", [...base, { name: "blobs/../../evil", body: "x" }], ".."],
      ["absolute", [...base, { name: "/etc/evil", body: "x" }], "absolute"],
      ["duplicate", [...base, { name: "index.json", body: EMPTY_INDEX }], "more than once"],
      ["escaping link", [...base, {
        name: "blobs/sha256/aa",
        type: "symlink",
        linkname: "../../../etc/passwd",
      }], "outside"],
      [
        "absolute link",
        [...base, { name: "blobs/x", type: "symlink", linkname: "/etc/passwd" }],
        "absolute",
      ],
      ["no oci-layout", [{ name: "index.json", body: EMPTY_INDEX }], "oci-layout"],
      ["no index", [{ name: "oci-layout", body: OCI_LAYOUT_HEADER }], "index.json"],
      ["bad index", [{ name: "oci-layout", body: OCI_LAYOUT_HEADER }, {
        name: "index.json",
        body: "[",
      }], "index.json"],
      ["big index", [{ name: "oci-layout", body: OCI_LAYOUT_HEADER }, {
        name: "index.json",
        body: " ".repeat(4 * 1024 * 1024 + 1),
      }], "limit"],
    ];
    for (const [name, entries, message] of cases) {
      const path = `${tmp}/${name.replaceAll(" ", "_")}.tar`;
      await writeTar(path, entries);
      await assertRejectsCode(
        () => LayoutTar.open(path, nodeFs, opts),
        "ERR_INVALID_LAYOUT",
        message,
      );
    }
    // Not a tar at all (gzip), and a truncated tar.
    const gz = new Uint8Array(
      await new Response(
        new Blob([await Deno.readFile(`${tmp}/dotdot.tar`)]).stream().pipeThrough(
          new CompressionStream("gzip"),
        ),
      ).arrayBuffer(),
    );
    await Deno.writeFile(`${tmp}/gz.tar`, gz);
    await assertRejectsCode(
      () => LayoutTar.open(`${tmp}/gz.tar`, nodeFs, opts),
      "ERR_INVALID_LAYOUT",
      "not an uncompressed tar",
    );
    await writeTar(`${tmp}/ok.tar`, [...base, { name: "blobs/sha256/x", body: "y".repeat(2000) }]);
    const full = await Deno.readFile(`${tmp}/ok.tar`);
    await Deno.writeFile(`${tmp}/trunc.tar`, full.subarray(0, 1024 + 512 + 512 + 512 + 1000));
    await assertRejectsCode(
      () => LayoutTar.open(`${tmp}/trunc.tar`, nodeFs, opts),
      "ERR_INVALID_LAYOUT",
      "truncated",
    );
    await assertRejectsCode(
      () => LayoutTar.open(`${tmp}/missing.tar`, nodeFs, opts),
      "ERR_NOT_FOUND",
    );
  });
});

Deno.test("LayoutTar detects a tampered blob inside the tar", async () => {
  await withTempDir(async (tmp) => {
    const path = `${tmp}/img.tar`;
    const tar = await LayoutTar.open(path, nodeFs, { ...opts, create: true });
    const img = await pushImage(tar, "v1");
    await tar.commit();
    await tar.close();
    const bytes = await Deno.readFile(path);
    const text = new TextDecoder("latin1").decode(bytes);
    const at = text.indexOf('"architecture"');
    assert.ok(at > 0);
    bytes[at + 1] = "A".charCodeAt(0);
    await Deno.writeFile(path, bytes);
    const again = await LayoutTar.open(path, nodeFs, opts);
    await assertRejectsCode(() => fetchAll(again, img.config), "ERR_DIGEST_MISMATCH");
    await again.close();
  });
});

Deno.test("LayoutTar keeps long-named entries through a rewrite (PAX)", async () => {
  await withTempDir(async (tmp) => {
    const path = `${tmp}/img.tar`;
    const longName = `extra/${"d".repeat(120)}/notes.txt`;
    await writeTar(path, [
      { name: "oci-layout", body: OCI_LAYOUT_HEADER },
      { name: "index.json", body: EMPTY_INDEX },
      { name: longName, body: "kept" },
    ]);
    const tar = await LayoutTar.open(path, nodeFs, opts);
    await pushImage(tar, "v1");
    await tar.commit();
    await tar.close();
    const out = new Deno.Command("tar", { args: ["-tf", path], stdout: "piped" }).outputSync();
    const names = new TextDecoder().decode(out.stdout).trim().split("\n");
    assert.ok(names.includes(longName), names.join(","));
    const again = await LayoutTar.open(path, nodeFs, opts);
    assertEquals(await Array.fromAsync(again.tags()), ["v1"]);
    await again.close();
  });
});
