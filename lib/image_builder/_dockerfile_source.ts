/**
 * Reading the Dockerfile and its ignore file, splitting the Dockerfile into global ARGs and
 * stages, and naming the line in errors. Not public.
 *
 * @module
 */
import type { Fs } from "../content/fs.ts";
import { BuildError, NotFoundError } from "../errors.ts";
import { joinPath } from "./_build_shared.ts";
import type { StageDef } from "./_build_shared.ts";
import type { BuildImageOptions } from "./build_options.ts";
import type { Dockerfile, Instruction } from "../dockerfile/dockerfile_parser.ts";

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

/** Splits instructions into global ARGs and stages, and checks the stage names. */
export function splitStages(df: Dockerfile): { globals: Instruction[]; stages: StageDef[] } {
  const globals: Instruction[] = [];
  const stages: StageDef[] = [];
  for (const instr of df.instructions) {
    if (instr.keyword === "FROM") {
      stages.push({ from: instr, body: [], name: undefined });
    } else if (stages.length === 0) {
      if (instr.keyword !== "ARG") {
        throw new BuildError(
          `Dockerfile line ${instr.line}: ${instr.keyword} before the first FROM; only ARG may come first`,
        );
      }
      globals.push(instr);
    } else stages[stages.length - 1]!.body.push(instr);
  }
  if (stages.length === 0) throw new BuildError("The Dockerfile has no FROM instruction");
  for (const stage of stages) {
    const m = /\s+as\s+(\S+)\s*$/i.exec(stage.from.args);
    if (m !== null) {
      const name = m[1]!.toLowerCase();
      if (!/^[a-z][a-z0-9._-]*$/.test(name)) {
        throw new BuildError(`Dockerfile line ${stage.from.line}: invalid stage name ${m[1]}`);
      }
      if (stages.some((s) => s.name === name)) {
        throw new BuildError(
          `Dockerfile line ${stage.from.line}: stage name ${m[1]} is used twice`,
        );
      }
      stage.name = name;
    }
  }
  return { globals, stages };
}

/**
 * Runs `fn` for an instruction, prefixing a {@linkcode BuildError} that does not name a line yet
 * (a bad substitution, say) with the instruction's line and keyword.
 */
export function atLine<T>(instr: Instruction, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof BuildError) || err.message.startsWith("Dockerfile line ")) throw err;
    throw new BuildError(`Dockerfile line ${instr.line}: ${instr.keyword}: ${err.message}`, {
      cause: err,
      ...(err.details === undefined ? {} : { details: err.details }),
    });
  }
}
