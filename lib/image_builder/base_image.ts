/**
 * Loading a base image from a read-only target: the manifest (picking the platform from an
 * index), its config and its layers, every byte checked against size and digest and every
 * manifest capped at 4 MiB.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { fromUtf8 } from "../_internal/bytes.ts";
import { fetchAll } from "../content/fetch_all.ts";
import type { ReadOnlyTarget } from "../content/storage.ts";
import type { Descriptor, Index, Manifest, Platform } from "../oci/descriptor.ts";
import { isIndexMediaType } from "../oci/media_types.ts";
import { BuildError, InvalidManifestError } from "../errors.ts";
import type { ImageConfig } from "./image_config.ts";
import type { LayerSource } from "./file_tree.ts";
import { formatPlatform, platformMatches } from "../oci/platform.ts";

/** A resolved base image for one platform. */
export interface BaseImage {
  /** The image manifest's descriptor. */
  descriptor: Descriptor;
  /** The parsed config. */
  config: ImageConfig;
  /** The layers, base first. */
  layers: LayerSource[];
}

function parseJson<T>(bytes: Bytes, what: string): T {
  try {
    const value: unknown = JSON.parse(fromUtf8(bytes));
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new Error("not an object");
    }
    return value as T;
  } catch (err) {
    throw new InvalidManifestError(
      `Cannot parse the base image's ${what}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

/**
 * Resolves a base image for a platform: picks the matching manifest from an index, then reads
 * the config and the layer descriptors.
 *
 * @example
 * ```ts ignore
 * const base = await loadBaseImage(target, "v1", { platform: { os: "linux", architecture: "amd64" } });
 * ```
 * @param target Where the image is.
 * @param reference Tag or digest.
 * @param opts The wanted platform (checked against the image), the platform to pick from an
 * index when none is wanted, and cancellation.
 * @returns The base image.
 * @throws {BuildError} ERR_BUILD when no manifest matches the platform or the image is not a
 * container image.
 */
export async function loadBaseImage(
  target: ReadOnlyTarget,
  reference: string,
  opts: { platform?: Platform; defaultPlatform?: Platform; signal?: AbortSignal } = {},
): Promise<BaseImage> {
  const signalOpt = opts.signal === undefined ? {} : { signal: opts.signal };
  let desc = await target.resolve(reference, signalOpt);
  for (let depth = 0; isIndexMediaType(desc.mediaType); depth++) {
    if (depth > 4) throw new BuildError(`Base image ${reference}: indexes are nested too deeply`);
    const index = parseJson<Index>(await fetchAll(target, desc, signalOpt), "index");
    const wanted = opts.platform ?? opts.defaultPlatform;
    const candidates = (index.manifests ?? []).filter((m) =>
      m.platform !== undefined && m.platform.os !== "unknown"
    );
    const pick = wanted === undefined
      ? candidates[0]
      : candidates.find((m) => platformMatches(m.platform, wanted));
    if (pick === undefined) {
      const have = candidates.map((m) => formatPlatform(m.platform!)).join(", ") || "none";
      throw new BuildError(
        `Base image ${reference} has no manifest for ${
          wanted ? formatPlatform(wanted) : "any platform"
        } (it has: ${have}); choose another --platform`,
      );
    }
    desc = pick;
  }
  const manifest = parseJson<Manifest>(await fetchAll(target, desc, signalOpt), "manifest");
  if (manifest.config === undefined || !Array.isArray(manifest.layers)) {
    throw new BuildError(`Base image ${reference} is not a container image (no config or layers)`);
  }
  const config = parseJson<ImageConfig>(
    await fetchAll(target, manifest.config, signalOpt),
    "config",
  );
  if (typeof config.architecture !== "string" || typeof config.os !== "string") {
    throw new BuildError(`Base image ${reference} has a config without architecture or os`);
  }
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== manifest.layers.length) {
    throw new BuildError(
      `Base image ${reference} is inconsistent: ${manifest.layers.length} layers but ${diffIds.length} diff_ids`,
    );
  }
  if (opts.platform !== undefined && !platformMatches(config as Platform, opts.platform)) {
    throw new BuildError(
      `Base image ${reference} is for ${formatPlatform(config as Platform)}, not ${
        formatPlatform(opts.platform)
      }; choose a matching --platform`,
    );
  }
  return {
    descriptor: desc,
    config,
    layers: manifest.layers.map((descriptor) => ({ descriptor, target })),
  };
}
