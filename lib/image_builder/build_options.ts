/**
 * The options and result of {@linkcode buildImage}, and the base-image resolver it calls.
 *
 * @module
 */
import type { Fs } from "../content/fs.ts";
import type { ReadOnlyTarget, Target } from "../content/storage.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import type { Descriptor, Platform } from "../oci/descriptor.ts";
import type { ImageConfig } from "./image_config.ts";
import type { DownloadLimits } from "./add_download.ts";
import type { ArchiveLimits } from "./add_sources.ts";

/**
 * Limits on what ADD may download and extract: a download's idle time, total time and minimum
 * rate, and an archive's expanded size (absolute, and as a ratio to its own size).
 */
export interface AddLimits extends DownloadLimits, ArchiveLimits {}

/** What a {@linkcode BaseResolver} returns: a store and the reference (tag or digest) in it. */
export interface ResolvedBase {
  /** Where the image is. */
  target: ReadOnlyTarget;
  /** Tag or digest of the image in `target`. */
  reference: string;
}

/**
 * Finds a base image (`FROM` or `COPY --from`) by the reference written in the Dockerfile,
 * e.g. `alpine:3.20`, `localhost:5000/app@sha256:...` or `oci-layout://./base:v1`.
 */
export type BaseResolver = (
  imageRef: string,
  opts: { signal?: AbortSignal },
) => Promise<ResolvedBase>;

/** Options for `buildImage`. */
export interface BuildImageOptions {
  /** The context directory, read through `fs`. */
  context: string;
  /**
   * The Dockerfile: its content when the string has a line break, otherwise its path as `fs`
   * takes it (default `<context>/Dockerfile`).
   */
  dockerfile?: string;
  /** File access. */
  fs: Fs;
  /** Where blobs, configs and manifests are pushed. */
  output: Target;
  /** Names to tag the result with (`name:tag`, `tag`); the tag part is applied to `output`. */
  tags?: string[];
  /** Target platforms (`linux/amd64`, ...); more than one gives an image index. */
  platforms?: (string | Platform)[];
  /** Platform when none is given and the base does not fix one (default `linux/amd64`). */
  defaultPlatform?: string | Platform;
  /** `--build-arg` values. */
  buildArgs?: Record<string, string>;
  /** Labels added to the final image's config. */
  labels?: Record<string, string>;
  /** Build time in seconds since the epoch: every file mtime and `created` (default 0). */
  timestamp?: number;
  /** The stage to build (default: the last). */
  target?: string;
  /** Resolves base images; without it only `scratch` and stages can be used. */
  resolveBase?: BaseResolver;
  /** Used by `ADD <url>`; without it ADD of a URL fails. */
  fetch?: typeof fetch;
  /** Limits of ADD downloads and archives (defaults: 10 min, 1 KiB/s, 8 GiB, 100 times). */
  addLimits?: AddLimits;
  /** Incremental hashers (default: the pure-TypeScript one; pass the runtime's, it is faster). */
  hasher?: HasherFactory;
  /** Called with a one-line description of each step. */
  onStep?: (line: string) => void;
  /**
   * Told the compressed bytes of the build's layers written so far (layers are written a few at
   * once, while the next instructions run).
   */
  onProgress?: (bytes: number) => void;
  /**
   * A directory (through `fs`) for temporary files: large layers are compressed once into it and
   * pushed from there (without it they are compressed twice), and file contents taken out of
   * base-image layers (`COPY --from`), `ADD` archives and `ADD` downloads wait in it until their
   * layer is written. Without it, such contents are kept in memory up to 32 MiB per instruction,
   * larger ones are read out of their layer or archive again when the layer is written, and
   * larger downloads fail. Files are removed when each instruction ends, also on failure.
   */
  spoolDir?: string;
  /** Cancels the build. */
  signal?: AbortSignal;
}

/** One platform's image. */
export interface BuiltManifest {
  /** The manifest descriptor, with its platform. */
  descriptor: Descriptor;
  /** The config written. */
  config: ImageConfig;
}

/** What `buildImage` returns. */
export interface BuildImageResult {
  /** The top-level descriptor: the manifest, or the index for several platforms. */
  descriptor: Descriptor;
  /** Each platform's manifest. */
  manifests: BuiltManifest[];
  /** The tags applied to `output`. */
  tags: string[];
}
