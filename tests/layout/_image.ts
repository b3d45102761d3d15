/**
 * Builds a tiny, real image (one gzip layer, an OCI config, a manifest) and signature-shaped
 * referrers into any Target, for layout tests.
 *
 * @module
 */
import { packTar } from "modern-tar";
import type { Target } from "../../lib/content/storage.ts";
import { digestBytes } from "../../lib/digest/digest_bytes.ts";
import type { Descriptor } from "../../lib/oci/descriptor.ts";
import { blobOf, jsonBlob } from "../content/_fixtures.ts";

export const MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const INDEX = "application/vnd.oci.image.index.v1+json";

async function gzip(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** What {@linkcode pushImage} pushed. */
export interface TinyImage {
  manifest: Descriptor;
  config: Descriptor;
  layer: Descriptor;
  blobs: Descriptor[];
}

/** Pushes a one-layer linux/amd64 image into `target` (and tags it when `tag` is given). */
export async function pushImage(target: Target, tag?: string, text = "hello"): Promise<TinyImage> {
  const tar = await packTar([{
    header: { name: "hello.txt", size: text.length, type: "file", mode: 0o644 },
    body: text,
  }]);
  const layer = await blobOf("application/vnd.oci.image.layer.v1.tar+gzip", await gzip(tar));
  const config = await jsonBlob("application/vnd.oci.image.config.v1+json", {
    architecture: "amd64",
    os: "linux",
    config: { Cmd: ["/hello"] },
    rootfs: { type: "layers", diff_ids: [await digestBytes(tar)] },
  });
  const manifest = await jsonBlob(MANIFEST, {
    schemaVersion: 2,
    mediaType: MANIFEST,
    config: config.desc,
    layers: [layer.desc],
  });
  for (const b of [layer, config, manifest]) await target.push(b.desc, b.bytes);
  if (tag) await target.tag(manifest.desc, tag);
  return {
    manifest: manifest.desc,
    config: config.desc,
    layer: layer.desc,
    blobs: [layer.desc, config.desc],
  };
}

/** Pushes a notation-1.x-shaped signature manifest whose subject is `subject`. */
export async function pushSignature(
  target: Target,
  subject: Descriptor,
  payload = "sig",
): Promise<Descriptor> {
  const envelope = await blobOf("application/jose+json", payload);
  const config = await blobOf("application/vnd.cncf.notary.signature", "{}");
  const manifest = await jsonBlob(MANIFEST, {
    schemaVersion: 2,
    mediaType: MANIFEST,
    config: config.desc,
    layers: [envelope.desc],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: { "io.cncf.notary.x509chain.thumbprint#S256": '["00"]' },
  });
  for (const b of [envelope, config, manifest]) await target.push(b.desc, b.bytes);
  return manifest.desc;
}

/** Pushes an artifact manifest (artifactType, empty config) referring to `subject`. */
export async function pushArtifact(
  target: Target,
  subject: Descriptor,
  artifactType: string,
): Promise<Descriptor> {
  const empty = await blobOf("application/vnd.oci.empty.v1+json", "{}");
  const manifest = await jsonBlob(MANIFEST, {
    schemaVersion: 2,
    mediaType: MANIFEST,
    artifactType,
    config: empty.desc,
    layers: [empty.desc],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
  });
  for (const b of [empty, manifest]) await target.push(b.desc, b.bytes);
  return manifest.desc;
}

/** Temp dir helper: runs `fn` and always removes the directory. */
export async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-layout-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Names of every file under `dir` (relative), sorted; for "unchanged" checks. */
export async function listTree(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${dir}/${prefix}`)) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory) out.push(`${rel}/`, ...(await listTree(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}
