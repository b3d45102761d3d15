/**
 * Listing the Notary Project signatures of an artifact (for `list`).
 *
 * @module
 */
import { DEFAULT_MAX_SIGNATURES } from "../_internal/limits.ts";
import type { ReadOnlyGraphTarget } from "../content/storage.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { resolveSubject } from "../content/resolve_subject.ts";
import { findSignatureManifests } from "./signature_manifests.ts";

/** Options for {@linkcode listSignatures}. */
export interface ListSignaturesOptions {
  /** How many signatures to list at most (default 100). */
  maxSignatures?: number;
  /** Cancels the listing. */
  signal?: AbortSignal;
}

/** What {@linkcode listSignatures} found. */
export interface ListSignaturesResult {
  /** The resolved artifact (mediaType, digest, size). */
  subject: Descriptor;
  /** The signature manifests' descriptors, in discovery order. */
  signatures: Descriptor[];
  /** True when more signatures exist than `maxSignatures`. */
  exceeded: boolean;
}

/**
 * Resolves `reference` and lists its signature manifests (both manifest shapes; each manifest is
 * fetched bounded and digest-checked to tell signatures from other referrers).
 *
 * @example
 * ```ts ignore
 * import { listSignatures } from "./list_signatures.ts";
 * const { subject, signatures } = await listSignatures(layout, "v1");
 * ```
 * @param target Where the artifact is.
 * @param reference A tag or digest.
 * @param opts Limit and cancellation.
 * @returns The subject and its signature manifests.
 * @throws {NotFoundError} ERR_NOT_FOUND when the reference is unknown.
 * @throws {RangeError} when `maxSignatures` is not a positive integer.
 */
export async function listSignatures(
  target: ReadOnlyGraphTarget,
  reference: string,
  opts: ListSignaturesOptions = {},
): Promise<ListSignaturesResult> {
  const max = opts.maxSignatures ?? DEFAULT_MAX_SIGNATURES;
  if (!Number.isSafeInteger(max) || max <= 0) {
    throw new RangeError(`max-signatures value ${max} must be a positive number`);
  }
  const op = opts.signal ? { signal: opts.signal } : {};
  const subject = await resolveSubject(target, reference, op);
  const signatures: Descriptor[] = [];
  let exceeded = false;
  for await (const sig of findSignatureManifests(target, subject, op)) {
    if (signatures.length >= max) {
      exceeded = true;
      break;
    }
    signatures.push(sig.descriptor);
  }
  return { subject, signatures, exceeded };
}
