/**
 * `copy`: resolve a reference in the source, optionally pick a platform, copy the graph (and with
 * `referrers`, the referrers of the root, recursively), then tag it in the destination.
 *
 * @module
 */
import { fetchAll } from "../content/fetch_all.ts";
import { parseManifest } from "../content/parse_manifest.ts";
import type { GraphTarget, ReadOnlyGraphTarget } from "../content/storage.ts";
import { isDigest } from "../digest/digest.ts";
import { InvalidReferenceError, NotFoundError } from "../errors.ts";
import type { Descriptor, Platform } from "../oci/descriptor.ts";
import { isIndexMediaType } from "../oci/media_types.ts";
import { type CopyGraphOptions, GraphCopier, originError } from "./copy_graph.ts";
import { parsePlatform, platformMatches } from "../oci/platform.ts";

/** Options of {@linkcode copy}. */
export interface CopyOptions extends CopyGraphOptions {
  /** Also copy referrers (signatures, SBOMs) of the root, and their referrers, recursively (`-r`). */
  referrers?: boolean;
  /** Copy only the manifest for this platform (`linux/amd64`) when the root is an index. */
  platform?: string | Platform;
  /**
   * `srcRef` as resolved in `src` already, or being resolved (a caller that resolves it while it
   * opens the destination); its failure is reported as the source's, like a failed resolve here.
   */
  resolved?: Promise<Descriptor>;
}

async function selectPlatform(
  src: ReadOnlyGraphTarget,
  root: Descriptor,
  wanted: Platform,
  signal: AbortSignal | undefined,
): Promise<Descriptor> {
  const op = signal ? { signal } : {};
  const parsed = parseManifest(await fetchAll(src, root, op), {
    mediaType: root.mediaType,
    name: root.digest,
  });
  const label = `${wanted.os}/${wanted.architecture}${wanted.variant ? `/${wanted.variant}` : ""}`;
  if (parsed.kind === "index") {
    const hit = parsed.json.manifests.find((d) => platformMatches(d.platform, wanted));
    if (hit === undefined) {
      throw new NotFoundError(
        `The index ${root.digest} has no manifest for platform ${label}; list its platforms and pick one`,
      );
    }
    return hit;
  }
  const config = parsed.json.config;
  const cfg = JSON.parse(new TextDecoder().decode(await fetchAll(src, config, op))) as Partial<
    Platform
  >;
  if (!platformMatches(cfg, wanted)) {
    throw new NotFoundError(
      `The image ${root.digest} is for ${cfg.os}/${cfg.architecture}, not ${label}`,
    );
  }
  return root;
}

/** Referrers of `desc` in the source, wrapped as source errors. */
async function referrersOf(
  src: ReadOnlyGraphTarget,
  desc: Descriptor,
  signal: AbortSignal | undefined,
): Promise<Descriptor[]> {
  const out: Descriptor[] = [];
  try {
    for await (const r of src.referrers(desc, signal ? { signal } : {})) out.push(r);
  } catch (err) {
    throw originError(err, "source", desc);
  }
  return out;
}

/**
 * Copies an image (or any artifact) from `src` to `dst` and tags it.
 *
 * - The root is `srcRef` resolved in `src`, or with `platform` the matching manifest of an index.
 * - With `referrers`, every referrer of the root (and of an index root's child manifests), and
 *   every referrer of those, is copied too, as `oras cp -r` does.
 * - The destination gets each tag in `dstRef`; with no `dstRef`, the source tag is reused.
 *   A digest reference equal to the root is accepted and tags nothing.
 *
 * @example
 * ```ts
 * import { copy } from "./copy.ts";
 * import { MemoryStore } from "../content/memory_store.ts";
 * const src = new MemoryStore();
 * const raw = new TextEncoder().encode('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}');
 * const digest = "sha256:" + Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", raw)))
 *   .map((b) => b.toString(16).padStart(2, "0")).join("");
 * const desc = { mediaType: "application/vnd.oci.image.index.v1+json", digest, size: raw.length };
 * await src.push(desc, raw);
 * await src.tag(desc, "v1");
 * const dst = new MemoryStore();
 * const root = await copy(src, "v1", dst, "v1");
 * console.log(root.digest === digest); // true
 * ```
 * @param src The source (a registry repository, a layout, a memory store).
 * @param srcRef Tag or digest in the source.
 * @param dst The destination.
 * @param dstRef Tag(s) to set in the destination (or a digest), default the source tag.
 * @param opts Referrers, platform, concurrency, cancellation, progress.
 * @returns The root descriptor copied.
 * @throws {OcisignError} the first failure; `details.origin` says `source` or `destination`.
 */
export async function copy(
  src: ReadOnlyGraphTarget,
  srcRef: string,
  dst: GraphTarget,
  dstRef?: string | string[],
  opts: CopyOptions = {},
): Promise<Descriptor> {
  const signal = opts.signal;
  const op = signal ? { signal } : {};
  let root: Descriptor;
  try {
    root = await (opts.resolved ?? src.resolve(srcRef, op));
  } catch (err) {
    throw originError(err, "source", { mediaType: "reference", digest: srcRef, size: 0 });
  }
  if (opts.platform !== undefined) {
    const wanted = typeof opts.platform === "string" ? parsePlatform(opts.platform) : opts.platform;
    try {
      root = await selectPlatform(src, root, wanted, signal);
    } catch (err) {
      throw originError(err, "source", root);
    }
  }
  const plainRoot: Descriptor = { mediaType: root.mediaType, digest: root.digest, size: root.size };
  const copier = new GraphCopier(src, dst, opts);
  await copier.copy(plainRoot);
  if (opts.referrers === true) {
    const queue: Descriptor[] = [plainRoot];
    const seen = new Set<string>([plainRoot.digest]);
    const listed = copier.indexManifests(plainRoot);
    if (listed !== undefined) {
      // The copy fetched the index already: its list is not fetched twice.
      queue.push(...listed);
    } else if (isIndexMediaType(plainRoot.mediaType)) {
      try {
        const parsed = parseManifest(await fetchAll(src, plainRoot, op), {
          mediaType: plainRoot.mediaType,
        });
        if (parsed.kind === "index") queue.push(...parsed.json.manifests);
      } catch (err) {
        throw originError(err, "source", plainRoot);
      }
    }
    while (queue.length > 0) {
      const node = queue.shift()!;
      for (const r of await referrersOf(src, node, signal)) {
        if (seen.has(r.digest)) continue;
        seen.add(r.digest);
        const ref: Descriptor = { mediaType: r.mediaType, digest: r.digest, size: r.size };
        await copier.copy(ref);
        queue.push(ref);
      }
    }
  }
  const tags = dstRef === undefined ? (isDigest(srcRef) ? [] : [srcRef]) : [dstRef].flat();
  for (const tag of tags) {
    if (isDigest(tag)) {
      if (tag !== plainRoot.digest) {
        throw new InvalidReferenceError(
          tag,
          `the destination digest differs from the copied root ${plainRoot.digest}; give a tag or the same digest`,
        );
      }
      continue;
    }
    try {
      await dst.tag(plainRoot, tag, op);
    } catch (err) {
      throw originError(err, "destination", plainRoot);
    }
  }
  return plainRoot;
}
