/**
 * Fixtures for verify tests: an image in a real {@linkcode MemoryStore}, signature manifests of
 * both shapes, and a wrapper that corrupts the bytes of chosen blobs on the way out (to simulate
 * a tampered layout or registry).
 *
 * @module
 */
import type { Bytes } from "../../lib/_internal/bytes.ts";
import type { MemoryStore } from "../../lib/content/memory_store.ts";
import type { Op, ReadOnlyGraphTarget } from "../../lib/content/storage.ts";
import { digestBytes } from "../../lib/digest/digest_bytes.ts";
import type { Descriptor } from "../../lib/oci/descriptor.ts";
import { EMPTY_JSON_DESCRIPTOR } from "../../lib/oci/descriptor.ts";
import { MEDIA_TYPE_NOTARY_SIGNATURE, MEDIA_TYPE_OCI_MANIFEST } from "../../lib/oci/media_types.ts";

const enc = new TextEncoder();

/** Pushes bytes and returns their descriptor. */
export async function pushBlob(
  store: MemoryStore,
  mediaType: string,
  bytes: Uint8Array,
  extra: Partial<Descriptor> = {},
): Promise<Descriptor> {
  const desc: Descriptor = {
    mediaType,
    digest: await digestBytes(bytes),
    size: bytes.length,
    ...extra,
  };
  await store.push(desc, bytes);
  return desc;
}

/** A tiny image tagged `v1`; returns its manifest descriptor. */
export async function pushImage(store: MemoryStore, tag = "v1"): Promise<Descriptor> {
  const config = await pushBlob(
    store,
    "application/vnd.oci.image.config.v1+json",
    enc.encode('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'),
  );
  const manifest = await pushBlob(
    store,
    MEDIA_TYPE_OCI_MANIFEST,
    enc.encode(JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPE_OCI_MANIFEST,
      config,
      layers: [],
      annotations: { "org.opencontainers.image.title": tag },
    })),
  );
  await store.tag(manifest, tag);
  return manifest;
}

/** Options for {@linkcode pushSignature}. */
export interface PushSignatureOptions {
  /** `v1` (config.mediaType) or `v2` (artifactType + empty config). */
  shape?: "v1" | "v2";
  /** Layers to write instead of the single envelope layer. */
  layers?: Descriptor[];
  /** config.mediaType override. */
  configMediaType?: string;
  /** artifactType override. */
  artifactType?: string;
}

/** Pushes an envelope and a signature manifest referring to `subject`. */
export async function pushSignature(
  store: MemoryStore,
  subject: Descriptor,
  envelope: Uint8Array,
  envelopeMediaType: string,
  opts: PushSignatureOptions = {},
): Promise<{ manifest: Descriptor; envelope: Descriptor }> {
  const env = await pushBlob(store, envelopeMediaType, envelope);
  await store.push(EMPTY_JSON_DESCRIPTOR, enc.encode("{}"));
  const shape = opts.shape ?? "v1";
  const config = {
    mediaType: opts.configMediaType ??
      (shape === "v1" ? MEDIA_TYPE_NOTARY_SIGNATURE : EMPTY_JSON_DESCRIPTOR.mediaType),
    digest: EMPTY_JSON_DESCRIPTOR.digest,
    size: 2,
  };
  const artifactType = opts.artifactType ??
    (shape === "v2" ? MEDIA_TYPE_NOTARY_SIGNATURE : undefined);
  const doc = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_OCI_MANIFEST,
    ...(artifactType ? { artifactType } : {}),
    config,
    layers: opts.layers ?? [env],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: { "org.opencontainers.image.created": "2026-01-01T00:00:00Z" },
  };
  const manifest = await pushBlob(store, MEDIA_TYPE_OCI_MANIFEST, enc.encode(JSON.stringify(doc)));
  return { manifest, envelope: env };
}

/**
 * A read-only view of a store that serves altered bytes (one byte flipped) for chosen digests,
 * as a corrupted layout or a malicious registry would.
 */
export class TamperingTarget implements ReadOnlyGraphTarget {
  #inner: MemoryStore;
  #tampered: Set<string>;

  constructor(inner: MemoryStore, tampered: string[]) {
    this.#inner = inner;
    this.#tampered = new Set(tampered);
  }

  async fetch(desc: Descriptor, opts?: Op): Promise<ReadableStream<Bytes>> {
    const stream = await this.#inner.fetch(desc, opts);
    if (!this.#tampered.has(desc.digest)) return stream;
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    bytes[bytes.length - 2]! ^= 0x01;
    return new Response(bytes).body as ReadableStream<Bytes>;
  }

  exists(desc: Descriptor, opts?: Op): Promise<boolean> {
    return this.#inner.exists(desc, opts);
  }

  resolve(reference: string, opts?: Op): Promise<Descriptor> {
    return this.#inner.resolve(reference, opts);
  }

  referrers(subject: Descriptor, opts?: Op & { artifactType?: string }): AsyncIterable<Descriptor> {
    return this.#inner.referrers(subject, opts);
  }
}
