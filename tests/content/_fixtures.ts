/**
 * Small content fixtures for content and layout tests.
 *
 * @module
 */
import { digestBytes } from "../../lib/digest/digest_bytes.ts";
import type { Descriptor } from "../../lib/oci/descriptor.ts";

/** Bytes plus their descriptor. */
export interface Blob {
  desc: Descriptor;
  bytes: Uint8Array;
}

/** Makes a blob of `mediaType` from text or bytes. */
export async function blobOf(mediaType: string, content: string | Uint8Array): Promise<Blob> {
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
  return { desc: { mediaType, digest: await digestBytes(bytes), size: bytes.length }, bytes };
}

/** Makes a JSON document blob (manifest, index, config). */
export function jsonBlob(mediaType: string, doc: unknown): Promise<Blob> {
  return blobOf(mediaType, JSON.stringify(doc));
}
