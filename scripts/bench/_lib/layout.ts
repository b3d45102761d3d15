/**
 * Writes an OCI image layout with random layers (image manifest, image config, `index.json`
 * with the tag), as a starting point for the copy and serve benchmarks.
 *
 * @module
 */
import { writeRandomFile } from "./random_data.ts";

/** The image the layout holds. */
export interface BenchImage {
  /** The layout directory. */
  dir: string;
  tag: string;
  /** Manifest digest. */
  digest: string;
  /** Sum of the layer blob sizes. */
  bytes: number;
}

async function writeBlob(dir: string, data: Uint8Array<ArrayBuffer>): Promise<string> {
  const hex = Array.from(
    new Uint8Array(await crypto.subtle.digest("SHA-256", data)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  await Deno.writeFile(`${dir}/blobs/sha256/${hex}`, data);
  return `sha256:${hex}`;
}

/**
 * Writes a layout at `dir` whose image `tag` has one layer of random bytes per entry of
 * `layerSizes`: an uncompressed-tar layer, or with `gzip` a `tar+gzip` layer (stored gzip
 * members, so skopeo copies it as is instead of compressing it on the way to a registry).
 *
 * @example
 * ```ts
 * const img = await writeImageLayout("/tmp/img", "v1", [1024, 2048]);
 * ```
 */
export async function writeImageLayout(
  dir: string,
  tag: string,
  layerSizes: number[],
  opts: { gzip?: boolean } = {},
): Promise<BenchImage> {
  await Deno.mkdir(`${dir}/blobs/sha256`, { recursive: true });
  await Deno.writeTextFile(`${dir}/oci-layout`, '{"imageLayoutVersion":"1.0.0"}');
  const layers = [];
  for (const size of layerSizes) {
    const tmp = `${dir}/blobs/sha256/.tmp-layer`;
    const { sha256, bytes } = await writeRandomFile(tmp, size, opts);
    await Deno.rename(tmp, `${dir}/blobs/sha256/${sha256}`);
    const mediaType = `application/vnd.oci.image.layer.v1.tar${opts.gzip ? "+gzip" : ""}`;
    layers.push({ mediaType, digest: `sha256:${sha256}`, size: bytes });
  }
  const enc = new TextEncoder();
  const config = enc.encode(JSON.stringify({
    architecture: "amd64",
    os: "linux",
    config: {},
    rootfs: { type: "layers", diff_ids: layers.map((l) => l.digest) },
  }));
  const manifest = enc.encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {
      mediaType: "application/vnd.oci.image.config.v1+json",
      digest: await writeBlob(dir, config),
      size: config.length,
    },
    layers,
  }));
  const digest = await writeBlob(dir, manifest);
  await Deno.writeTextFile(
    `${dir}/index.json`,
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [{
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        digest,
        size: manifest.length,
        annotations: { "org.opencontainers.image.ref.name": tag },
      }],
    }),
  );
  return { dir, tag, digest, bytes: layers.reduce((a, l) => a + l.size, 0) };
}
