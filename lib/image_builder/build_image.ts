/**
 * `buildImage()`: a Dockerfile into a reproducible OCI image, with no daemon and no container
 * runtime. Instructions that only change the config, COPY/ADD and WORKDIR are carried out; RUN
 * (and anything else that needs a runtime) fails with the line number.
 *
 * @module
 */
import { utf8 } from "../_internal/bytes.ts";
import { pureHasherFactory } from "../digest/pure_hasher.ts";
import type { Descriptor, Platform } from "../oci/descriptor.ts";
import { MEDIA_TYPE_OCI_INDEX } from "../oci/media_types.ts";
import { BuildError } from "../errors.ts";
import { checkAbort, signalOpt } from "./_build_shared.ts";
import type { Shared } from "./_build_shared.ts";
import { readDockerfileText, readIgnoreFile } from "./_dockerfile_source.ts";
import { splitStages } from "../dockerfile/stages.ts";
import { finishImage, pushBytes } from "./_image_writer.ts";
import { PlatformBuild } from "./_platform_build.ts";
import { defaultLayerSlots, LayerWrites } from "./_layer_writes.ts";
import { readContext } from "./build_context.ts";
import type { BuildImageOptions, BuildImageResult, BuiltManifest } from "./build_options.ts";
import { DockerIgnore } from "../dockerfile/dockerignore.ts";
import { parseDockerfile } from "../dockerfile/dockerfile_parser.ts";
import type { FileTree } from "./file_tree.ts";
import { formatPlatform, parsePlatform } from "../oci/platform.ts";
import { tagOf } from "./tag_of.ts";

function toPlatform(p: string | Platform): Platform {
  return typeof p === "string" ? parsePlatform(p) : p;
}

function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, "Z");
}

/**
 * Builds a Dockerfile into an OCI image in `output`, with no daemon and no container runtime.
 * The same inputs give the same digests on every runtime: layers are deterministic tars gzipped
 * with a pure-JS deflate, every time is the build `timestamp`.
 *
 * @example
 * ```ts ignore
 * import { buildImage } from "./build_image.ts";
 * const result = await buildImage({
 *   context: "./app", fs: nodeFs, output: layout, tags: ["hello-world:v1"],
 *   timestamp: 0, hasher: nodeHasherFactory,
 * });
 * console.log(result.descriptor.digest);
 * ```
 * @param opts Context, Dockerfile, output, platforms and the injected I/O.
 * @returns The top-level descriptor, the per-platform manifests and the tags applied.
 * @throws {BuildError} ERR_BUILD with the Dockerfile line for RUN, invalid instructions, missing
 * sources and anything else that cannot be built.
 * @throws {AbortedError} ERR_ABORTED when `signal` fires.
 */
export async function buildImage(opts: BuildImageOptions): Promise<BuildImageResult> {
  const timestamp = opts.timestamp ?? 0;
  if (!Number.isSafeInteger(timestamp) || timestamp < 0 || timestamp > 253402300799) {
    throw new RangeError(
      `Cannot build: timestamp ${timestamp} must be whole seconds between 1970 and 9999`,
    );
  }
  const tags = (opts.tags ?? []).map(tagOf);
  checkAbort(opts.signal);
  const dockerfile = parseDockerfile(await readDockerfileText(opts));
  const { globals, stages } = splitStages(dockerfile);
  let contextTree: Promise<FileTree> | undefined;
  const shared: Shared = {
    opts,
    dockerfile,
    globals,
    stages,
    hasher: opts.hasher ?? pureHasherFactory,
    timestamp,
    created: isoSeconds(timestamp),
    defaultPlatform: toPlatform(opts.defaultPlatform ?? "linux/amd64"),
    context: () => {
      contextTree ??= readIgnoreFile(opts).then((text) =>
        readContext(opts.fs, opts.context, new DockerIgnore(text), signalOpt(opts.signal))
      );
      return contextTree;
    },
    writes: new LayerWrites(defaultLayerSlots(), opts.signal),
  };
  let targetIndex = stages.length - 1;
  if (opts.target !== undefined) {
    targetIndex = stages.findIndex((s) => s.name === opts.target!.toLowerCase());
    if (targetIndex === -1) {
      throw new BuildError(`There is no stage named ${opts.target} in the Dockerfile`);
    }
  }
  const platforms = (opts.platforms ?? []).map(toPlatform);
  // Platforms build side by side, their layers sharing the write slots; the first failure stops
  // them all, and nothing is left running or spooled when this returns.
  const runs = (platforms.length > 0 ? platforms : [undefined]).map((p) =>
    new PlatformBuild(shared, p)
  );
  const built = await Promise.allSettled(runs.map(async (run) => {
    try {
      return await finishImage(shared, await run.stage(targetIndex));
    } catch (error) {
      shared.writes.fail(error);
      throw error;
    }
  }));
  await shared.writes.drain();
  for (const run of runs) await run.close();
  shared.writes.check();
  const manifests: BuiltManifest[] = built.map((r) =>
    (r as PromiseFulfilledResult<BuiltManifest>).value
  );
  let descriptor: Descriptor;
  if (platforms.length > 1) {
    const seen = new Set(manifests.map((m) => formatPlatform(m.descriptor.platform!)));
    if (seen.size !== manifests.length) {
      throw new BuildError(
        "Two platforms produced images for the same platform; list each platform once",
      );
    }
    const index = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPE_OCI_INDEX,
      manifests: manifests.map((m) => m.descriptor),
    };
    descriptor = await pushBytes(
      opts.output,
      MEDIA_TYPE_OCI_INDEX,
      utf8(JSON.stringify(index)),
      opts.signal,
    );
  } else {
    const { platform: _platform, ...plain } = manifests[0]!.descriptor;
    descriptor = plain;
  }
  for (const tag of tags) await opts.output.tag(descriptor, tag, signalOpt(opts.signal));
  return { descriptor, manifests, tags };
}
