/**
 * State and helpers shared by the parts of one `buildImage()` call. Not public.
 *
 * @module
 */
import type { HasherFactory } from "../digest/hasher.ts";
import type { Platform } from "../oci/descriptor.ts";
import { AbortedError } from "../errors.ts";
import type { BuildImageOptions } from "./build_options.ts";
import type { Dockerfile, Instruction } from "../dockerfile/dockerfile_parser.ts";
import { DockerfileLineError } from "../dockerfile/line_error.ts";
import type { StageDef } from "../dockerfile/stages.ts";
import type { FileTree } from "./file_tree.ts";
import type { LayerWrites } from "./_layer_writes.ts";

/** What every platform's run of one build shares. */
export interface Shared {
  /** The caller's options. */
  opts: BuildImageOptions;
  /** The parsed Dockerfile. */
  dockerfile: Dockerfile;
  /** ARG instructions before the first FROM. */
  globals: Instruction[];
  /** The stages. */
  stages: StageDef[];
  /** Hashers. */
  hasher: HasherFactory;
  /** Build time, seconds since the epoch. */
  timestamp: number;
  /** Build time, RFC 3339. */
  created: string;
  /** Platform when none is given. */
  defaultPlatform: Platform;
  /** The build context, walked once on first use. */
  context: () => Promise<FileTree>;
  /** The layers being written (by every platform). */
  writes: LayerWrites;
}

/** Throws {@linkcode AbortedError} when the signal has fired. */
export function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError("The build was aborted");
}

/** `{ signal }` when there is one (for exact optional property types). */
export function signalOpt(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal };
}

/** Joins a directory and a name with one `/`. */
export function joinPath(dir: string, name: string): string {
  return dir.endsWith("/") ? `${dir}${name}` : `${dir}/${name}`;
}

/** The value of an instruction's `--name=value` flag. */
export function flagValue(instr: Instruction, name: string): string | undefined {
  const flag = instr.flags.find((f) => f.name === name);
  if (flag !== undefined && flag.value === undefined) {
    throw new DockerfileLineError(instr.line, `--${name} needs a value`);
  }
  return flag?.value;
}
