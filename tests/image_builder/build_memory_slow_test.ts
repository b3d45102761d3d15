import { assert, assertEquals } from "../_helpers/assert.ts";
import { gunzipStream } from "../../lib/compression/gzip.ts";
import { readTar } from "../../lib/tar/mod.ts";
import type { Descriptor } from "../../lib/oci/descriptor.ts";
import {
  havePeer,
  nodeFs,
  nodeHasherFactory,
  openOutput,
  readImage,
  run,
  withTempDir,
} from "./_helpers.ts";

const MIB = 1024 * 1024;
const SIZE = 512 * MIB;
const ROOT = new URL("../..", import.meta.url).pathname;

/**
 * Writes `size` bytes where each 64 KiB holds 16 KiB of random bytes and then zeros: nothing for
 * a runtime to share or deduplicate, yet quick for deflate, so the test takes seconds.
 */
async function writeContent(path: string, size: number): Promise<string> {
  const hash = nodeHasherFactory("sha256");
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    const chunk = new Uint8Array(MIB);
    for (let done = 0; done < size; done += chunk.length) {
      chunk.fill(0);
      for (let i = 0; i < chunk.length; i += 65536) {
        crypto.getRandomValues(chunk.subarray(i, i + 16384));
      }
      hash.update(chunk);
      for (let off = 0; off < chunk.length;) off += await file.write(chunk.subarray(off));
    }
  } finally {
    file.close();
  }
  return hash.digestHex();
}

async function hashFile(path: string): Promise<{ digest: string; size: number }> {
  const hash = nodeHasherFactory("sha256");
  let size = 0;
  const handle = await nodeFs.open(path);
  try {
    for await (const chunk of handle.stream()) {
      hash.update(chunk);
      size += chunk.length;
    }
  } finally {
    await handle.close();
  }
  return { digest: `sha256:${hash.digestHex()}`, size };
}

/** A layout holding one image whose only layer is `layer` (a gzip tar). */
async function writeBaseLayout(dir: string, tarPath: string, gzPath: string): Promise<void> {
  const diffId = (await hashFile(tarPath)).digest;
  const layer: Descriptor = {
    mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
    ...(await hashFile(gzPath)),
  };
  const store = await openOutput(dir);
  const file = await nodeFs.open(gzPath);
  try {
    await store.push(layer, file.stream());
  } finally {
    await file.close();
  }
  const push = async (mediaType: string, value: unknown): Promise<Descriptor> => {
    const bytes = new TextEncoder().encode(JSON.stringify(value));
    const hex = Array.from(
      new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    const desc = { mediaType, digest: `sha256:${hex}`, size: bytes.length };
    await store.push(desc, bytes);
    return desc;
  };
  const config = await push("application/vnd.oci.image.config.v1+json", {
    architecture: "amd64",
    os: "linux",
    rootfs: { type: "layers", diff_ids: [diffId] },
  });
  const manifest = await push("application/vnd.oci.image.manifest.v1+json", {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config,
    layers: [layer],
  });
  await store.tag(manifest, "v1");
  await store.commit();
}

/** The sha256 of each regular file's content in a gzip layer, by path. */
async function layerFileDigests(dir: string, desc: Descriptor): Promise<Map<string, string>> {
  const store = await openOutput(dir);
  const out = new Map<string, string>();
  const entries = readTar(gunzipStream(await store.fetch(desc)), { stream: () => true });
  for await (const { header, body } of entries) {
    if (body === undefined) continue;
    const hash = nodeHasherFactory("sha256");
    for await (const chunk of body) hash.update(chunk);
    out.set(header.path, hash.digestHex());
  }
  return out;
}

// GNU time (apt-get install time) reports the build's peak RSS.
Deno.test({
  name:
    "ocisign build copies 512 MiB out of a base image and out of an ADD archive with flat memory",
  ignore: !havePeer("time") || !havePeer("tar") || !havePeer("gzip"),
}, async () => {
  await withTempDir(async (tmp) => {
    await Deno.mkdir(`${tmp}/src`);
    await Deno.mkdir(`${tmp}/ctx`);
    const digest = await writeContent(`${tmp}/src/big.bin`, SIZE);
    assertEquals(run("tar", ["-cf", `${tmp}/big.tar`, "-C", `${tmp}/src`, "big.bin"]).code, 0);
    await Deno.remove(`${tmp}/src/big.bin`);
    assertEquals(run("gzip", ["-1", "-k", `${tmp}/big.tar`]).code, 0);
    await writeBaseLayout(`${tmp}/base`, `${tmp}/big.tar`, `${tmp}/big.tar.gz`);
    await Deno.remove(`${tmp}/big.tar`);
    await Deno.rename(`${tmp}/big.tar.gz`, `${tmp}/ctx/archive.tar.gz`);
    await Deno.writeTextFile(
      `${tmp}/ctx/Dockerfile`,
      [
        "FROM scratch",
        `COPY --from=oci-layout://${tmp}/base:v1 /big.bin /from-image.bin`,
        "ADD archive.tar.gz /from-archive/",
        "",
      ].join("\n"),
    );
    const build = run("time", [
      "-v",
      Deno.execPath(),
      "run",
      "-A",
      "cli.ts",
      "build",
      "-o",
      `${tmp}/out`,
      "-t",
      "big:v1",
      "--timestamp",
      "0",
      `${tmp}/ctx`,
    ], ROOT);
    assertEquals(build.code, 0, build.out);
    const rss = build.out.match(/Maximum resident set size \(kbytes\): (\d+)/);
    assert(rss !== null, build.out);
    const peak = Number(rss[1]) * 1024;
    // Before, each file was held whole (several copies of it); now the peak is the runtime's
    // own size plus garbage not yet collected, whatever the file size. The two layers are
    // written at once on a machine of two cores or more (a deflate worker each, and the archive
    // taken out while the first layer is compressed): about 375 MiB at 128 and at 512 MiB of
    // content each, against 316 MiB one layer after another.
    assert(peak < 420 * MIB, `peak RSS ${peak >> 20} MiB for 2 x ${SIZE >> 20} MiB of content`);
    const left = [...Deno.readDirSync(tmp)].map((e) => e.name).filter((n) => n.startsWith("."));
    assertEquals(left, [], "the spool directory is removed");

    const output = await openOutput(`${tmp}/out`);
    const { manifest } = await readImage(output, await output.resolve("v1"));
    assertEquals(manifest.layers.length, 2);
    assertEquals(
      await layerFileDigests(`${tmp}/out`, manifest.layers[0]!),
      new Map([["from-image.bin", digest]]),
    );
    const extracted = await layerFileDigests(`${tmp}/out`, manifest.layers[1]!);
    assertEquals(extracted.get("from-archive/big.bin"), digest);
  });
});
