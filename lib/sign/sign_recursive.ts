/**
 * Signs a multi-platform image in one step: the index and every manifest it lists (notation's
 * open request #1229), all or nothing.
 *
 * @module
 */
import { platformManifests } from "../content/platform_manifests.ts";
import { resolveSubject } from "../content/resolve_subject.ts";
import type { Target } from "../content/storage.ts";
import { NotFoundError, OcisignError } from "../errors.ts";
import { fetchAll } from "../content/fetch_all.ts";
import { MAX_MANIFEST_BYTES } from "../_internal/limits.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import type { Op } from "../content/storage.ts";
import type { SignArtifactOptions, SignArtifactResult } from "./sign_artifact.ts";
import { prepareSignature, pushSignature } from "./sign_artifact.ts";

/** One signature {@linkcode signRecursive} pushed. */
export interface SignedManifest extends SignArtifactResult {
  /** `os/arch[/variant]` of a platform manifest; undefined for the index itself. */
  platform?: string;
}

/** What {@linkcode signRecursive} pushed: the index's signature, then each manifest's. */
export interface SignRecursiveResult {
  /** The index's (or the single manifest's) signature. */
  root: SignArtifactResult;
  /** The signatures of the manifests the index lists, in index order. */
  children: SignedManifest[];
}

/**
 * Signs the artifact `reference` names and, when it is an image index, every manifest the index
 * reaches (nested indexes too). Each manifest is read and checked against its descriptor first,
 * so nothing missing or changed gets signed. Every signature is made first (a failing key, TSA or bad metadata
 * pushes nothing); then the children's signatures are pushed and the index's last, so a signed
 * index implies signed platforms. A layout keeps all of it staged until `commit()`; a registry
 * that fails half-way gets an error naming the signatures already pushed.
 *
 * @example
 * ```ts ignore
 * import { signRecursive } from "./sign_recursive.ts";
 * const { root, children } = await signRecursive(layout, "v1", { signer });
 * for (const c of children) console.log(c.platform, c.signature.digest);
 * await layout.commit();
 * ```
 * @param target Where the artifact is and the signatures go.
 * @param reference Tag or digest of the index.
 * @param options As {@linkcode signArtifact}'s.
 * @returns The pushed signatures.
 * @throws {NotFoundError} ERR_NOT_FOUND when the reference or a listed manifest is missing.
 * @throws {OcisignError} the push's code, with the pushed signatures named, when a push fails.
 */
export async function signRecursive(
  target: Target,
  reference: string,
  options: SignArtifactOptions,
): Promise<SignRecursiveResult> {
  const op = options.signal ? { signal: options.signal } : {};
  const subject = await resolveSubject(target, reference, op);
  const listed = await platformManifests(target, subject, op);
  const rootPrepared = await prepareSignature(subject, options);
  const prepared = [];
  for (const m of listed) {
    const { mediaType, digest, size } = m.descriptor;
    await checkPresent(target, m.descriptor, m.platform, subject.digest, op);
    prepared.push({
      platform: m.platform,
      signature: await prepareSignature({ mediaType, digest, size }, options),
    });
  }
  const children: SignedManifest[] = [];
  try {
    for (const p of prepared) {
      const pushed = await pushSignature(target, p.signature, op);
      children.push(p.platform !== undefined ? { ...pushed, platform: p.platform } : pushed);
    }
    return { root: await pushSignature(target, rootPrepared, op), children };
  } catch (err) {
    if (!(err instanceof OcisignError) || children.length === 0) throw err;
    const done = children.map((c) => `${c.subject.digest} (signature ${c.signature.digest})`);
    throw new OcisignError(
      err.code,
      `${err.message}; the index ${subject.digest} is not signed, but these manifests' signatures were already pushed: ${
        done.join(", ")
      }`,
      { cause: err, ...(err.details ? { details: err.details } : {}) },
    );
  }
}

/** Reads a listed manifest (bounded, digest-checked): only what is there and intact is signed. */
async function checkPresent(
  target: Target,
  desc: Descriptor,
  platform: string | undefined,
  index: string,
  op: Op,
): Promise<void> {
  try {
    await fetchAll(target, desc, { maxBytes: MAX_MANIFEST_BYTES, ...op });
  } catch (err) {
    if (!(err instanceof OcisignError) || err.code !== "ERR_NOT_FOUND") throw err;
    throw new NotFoundError(
      `the ${
        platform ?? "unnamed"
      } manifest ${desc.digest} listed by index ${index} is missing; nothing was signed`,
      { cause: err },
    );
  }
}
