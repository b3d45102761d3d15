/**
 * Reading the Dockerfile and its ignore file for a build. Not public.
 *
 * @module
 */
import type { Fs } from "../content/fs.ts";
import { BuildError, NotFoundError } from "../errors.ts";
import { joinPath } from "./_build_shared.ts";
import type { BuildImageOptions } from "./build_options.ts";

/** The Dockerfile's text: `opts.dockerfile` when it is content, else read from its path. */
export async function readDockerfileText(opts: BuildImageOptions): Promise<string> {
  if (opts.dockerfile !== undefined && /[\r\n]/.test(opts.dockerfile)) return opts.dockerfile;
  const path = opts.dockerfile ?? joinPath(opts.context, "Dockerfile");
  try {
    return new TextDecoder().decode(await opts.fs.readFile(path, { maxBytes: 4 * 1024 * 1024 }));
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new BuildError(`Cannot read the Dockerfile ${path}: not found; pass its path`, {
        cause: err,
      });
    }
    throw err;
  }
}

async function readOptionalText(fs: Fs, path: string): Promise<string> {
  try {
    return new TextDecoder().decode(await fs.readFile(path, { maxBytes: 1024 * 1024 }));
  } catch (err) {
    if (err instanceof NotFoundError) return "";
    throw err;
  }
}

/** Reads `<Dockerfile>.dockerignore` when present (as BuildKit does), else `.dockerignore`. */
export async function readIgnoreFile(opts: BuildImageOptions): Promise<string> {
  const dockerfilePath = opts.dockerfile !== undefined && !/[\r\n]/.test(opts.dockerfile)
    ? opts.dockerfile
    : undefined;
  if (dockerfilePath !== undefined) {
    const st = await opts.fs.stat(`${dockerfilePath}.dockerignore`);
    if (st?.isFile) return await readOptionalText(opts.fs, `${dockerfilePath}.dockerignore`);
  }
  return await readOptionalText(opts.fs, joinPath(opts.context, ".dockerignore"));
}
