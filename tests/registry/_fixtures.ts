/**
 * Small in-memory OCI content for registry and copy tests.
 *
 * @module
 */
import type { Bytes } from "../../lib/_internal/bytes.ts";
import { digestBytes } from "../../lib/digest/digest_bytes.ts";
import type { Descriptor } from "../../lib/oci/descriptor.ts";

/** Content with its descriptor. */
export interface Content {
  desc: Descriptor;
  bytes: Bytes;
}

/** Makes a blob descriptor for bytes. */
export async function blob(
  bytes: Uint8Array | string,
  mediaType = "application/octet-stream",
): Promise<Content> {
  const b = (typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes) as Bytes;
  return { desc: { mediaType, digest: await digestBytes(b), size: b.length }, bytes: b };
}

/** Makes an OCI image manifest over a config and layers, optionally with a subject. */
export async function manifest(
  config: Descriptor,
  layers: Descriptor[],
  extra: { subject?: Descriptor; artifactType?: string; annotations?: Record<string, string> } = {},
): Promise<Content> {
  const doc: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
  };
  if (extra.artifactType !== undefined) doc.artifactType = extra.artifactType;
  doc.config = config;
  doc.layers = layers;
  if (extra.subject !== undefined) doc.subject = extra.subject;
  if (extra.annotations !== undefined) doc.annotations = extra.annotations;
  return await blob(JSON.stringify(doc), "application/vnd.oci.image.manifest.v1+json");
}

/** Makes an OCI index over manifests. */
export async function index(manifests: Descriptor[]): Promise<Content> {
  return await blob(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests,
    }),
    "application/vnd.oci.image.index.v1+json",
  );
}

/** A small image: config + one random layer + manifest. */
export async function smallImage(seed: string, layerSize = 1024): Promise<Content[]> {
  const cfg = await blob(
    JSON.stringify({ architecture: "amd64", os: "linux", seed }),
    "application/vnd.oci.image.config.v1+json",
  );
  const layerBytes = new Uint8Array(layerSize);
  crypto.getRandomValues(layerBytes.subarray(0, Math.min(layerSize, 65536)));
  new TextEncoder().encodeInto(seed, layerBytes);
  const layer = await blob(layerBytes, "application/vnd.oci.image.layer.v1.tar");
  const m = await manifest(cfg.desc, [layer.desc]);
  return [cfg, layer, m];
}

/** A notation-1.x-shaped signature manifest for `subject` (config + envelope layer). */
export async function signature(subject: Descriptor, text: string): Promise<Content[]> {
  const cfg = await blob("{}", "application/vnd.cncf.notary.signature");
  const env = await blob(`{"payload":"${text}"}`, "application/jose+json");
  const m = await manifest(cfg.desc, [env.desc], {
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: { "io.cncf.notary.x509chain.thumbprint#S256": `["${text}"]` },
  });
  return [cfg, env, m];
}
