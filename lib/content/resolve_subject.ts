/**
 * Resolving the artifact to sign, verify, list or inspect.
 *
 * @module
 */
import { isDigest } from "../digest/digest.ts";
import type { Op, Resolver } from "./storage.ts";
import { InvalidReferenceError } from "../errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";

/**
 * Resolves a tag or digest to the plain descriptor (mediaType, digest, size) signatures are
 * made for. A digest reference must resolve to that same digest.
 *
 * @example
 * ```ts ignore
 * import { resolveSubject } from "./resolve_subject.ts";
 * const subject = await resolveSubject(layout, "v1");
 * ```
 * @param target Where to resolve.
 * @param reference A tag or `<algorithm>:<hex>` digest.
 * @param opts Cancellation.
 * @returns The descriptor.
 * @throws {NotFoundError} ERR_NOT_FOUND when unknown.
 * @throws {InvalidReferenceError} ERR_INVALID_REFERENCE when a digest resolves to another digest.
 */
export async function resolveSubject(
  target: Resolver,
  reference: string,
  opts: Op = {},
): Promise<Descriptor> {
  const desc = await target.resolve(reference, opts);
  if (isDigest(reference) && desc.digest !== reference) {
    throw new InvalidReferenceError(
      reference,
      `user input digest ${reference} does not match the resolved digest ${desc.digest}`,
    );
  }
  return { mediaType: desc.mediaType, digest: desc.digest, size: desc.size };
}
