/**
 * The manifests an image index lists (through nested indexes), each with its platform: what
 * `sign --recursive` signs, `verify --platform` chooses from and `list` shows as a tree.
 *
 * @module
 */
import { MAX_MANIFEST_BYTES } from "../_internal/limits.ts";
import { InvalidInputError, NotFoundError } from "../errors.ts";
import type { Descriptor, Platform } from "../oci/descriptor.ts";
import { isIndexMediaType, isManifestMediaType } from "../oci/media_types.ts";
import { formatPlatform, platformMatches } from "../oci/platform.ts";
import { fetchAll } from "./fetch_all.ts";
import { parseManifest } from "./parse_manifest.ts";
import type { Fetcher, Op } from "./storage.ts";

/** Most manifests an index may reach (an index of 10,000 platforms is refused). */
export const MAX_INDEX_MANIFESTS = 4096;

/** A manifest an index lists. */
export interface PlatformManifest {
  /** Its descriptor (mediaType, digest, size, platform) as the index lists it. */
  descriptor: Descriptor;
  /** `os/arch[/variant]`, or undefined when the index gives no platform. */
  platform?: string;
}

/**
 * Lists the manifests `subject` reaches when it is an image index (nested indexes are followed
 * and listed too), in index order, each once; an image manifest gives an empty list. Only
 * indexes are read (bounded and checked against their descriptors); the manifests they list are
 * not, so a missing one is reported by whoever reads it.
 *
 * @example
 * ```ts ignore
 * import { platformManifests } from "./platform_manifests.ts";
 * for (const m of await platformManifests(layout, subject)) console.log(m.platform, m.descriptor.digest);
 * ```
 * @param fetcher Where the index is.
 * @param subject The index (or manifest).
 * @param opts Cancellation.
 * @returns The manifests it lists.
 * @throws {NotFoundError} ERR_NOT_FOUND when the index or a nested one is missing.
 * @throws {InvalidInputError} ERR_INVALID_INPUT past {@linkcode MAX_INDEX_MANIFESTS} manifests.
 */
export async function platformManifests(
  fetcher: Fetcher,
  subject: Descriptor,
  opts: Op = {},
): Promise<PlatformManifest[]> {
  const out: PlatformManifest[] = [];
  const seen = new Set<string>([subject.digest]);
  // Image manifests are not read: only indexes can list more.
  const queue: Descriptor[] = isIndexMediaType(subject.mediaType) ? [subject] : [];
  for (let d = queue.shift(); d !== undefined; d = queue.shift()) {
    const raw = await fetchAll(fetcher, d, { maxBytes: MAX_MANIFEST_BYTES, ...opts });
    const parsed = parseManifest(raw, { mediaType: d.mediaType, name: d.digest });
    if (parsed.kind !== "index") continue;
    for (const child of parsed.json.manifests) {
      if (!isManifestMediaType(child.mediaType) || seen.has(child.digest)) continue;
      seen.add(child.digest);
      if (out.length >= MAX_INDEX_MANIFESTS) {
        throw new InvalidInputError(
          `${subject.digest} lists more than ${MAX_INDEX_MANIFESTS} manifests; refusing it`,
        );
      }
      out.push({
        descriptor: child,
        ...(child.platform ? { platform: formatPlatform(child.platform) } : {}),
      });
      if (isIndexMediaType(child.mediaType)) queue.push(child);
    }
  }
  return out;
}

/**
 * Chooses the manifest for `platform` among an index's manifests (the first that matches, as
 * `cp --platform` does).
 *
 * @example
 * ```ts
 * import { choosePlatform } from "./platform_manifests.ts";
 * const m = { descriptor: { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: "sha256:" + "a".repeat(64), size: 1, platform: { os: "linux", architecture: "amd64" } } };
 * console.log(choosePlatform([m], { os: "linux", architecture: "amd64" }, "sha256:" + "b".repeat(64)) === m); // true
 * ```
 * @param manifests What {@linkcode platformManifests} listed.
 * @param platform The platform wanted.
 * @param index The index's digest, for the message.
 * @returns The chosen manifest.
 * @throws {NotFoundError} ERR_NOT_FOUND when none matches.
 */
export function choosePlatform(
  manifests: PlatformManifest[],
  platform: Platform,
  index: string,
): PlatformManifest {
  const hit = manifests.find((m) => platformMatches(m.descriptor.platform, platform));
  if (hit) return hit;
  const offered = [...new Set(manifests.flatMap((m) => m.platform ? [m.platform] : []))];
  throw new NotFoundError(
    `${index} has no manifest for platform ${formatPlatform(platform)}` +
      (offered.length ? `; it has ${offered.join(", ")}` : "; it is not a multi-platform index"),
  );
}
