/**
 * Errors that name the Dockerfile line they come from, and {@linkcode atLine} to name the line of
 * an error raised by code that does not know it (a bad substitution, say).
 *
 * @module
 */
import { BuildError } from "../errors.ts";
import type { OcisignErrorOptions } from "../errors.ts";

/**
 * A build step failed at a known Dockerfile line. The message starts with
 * `Dockerfile line <n>: `; the code is `ERR_BUILD`, as for every {@linkcode BuildError}.
 *
 * @example
 * ```ts
 * import { DockerfileLineError } from "./line_error.ts";
 * const err = new DockerfileLineError(3, "WORKDIR needs a path");
 * console.log(err.line, err.message); // 3 "Dockerfile line 3: WORKDIR needs a path"
 * ```
 */
export class DockerfileLineError extends BuildError {
  /** The 1-based Dockerfile line. */
  readonly line: number;

  /**
   * @param line The 1-based Dockerfile line.
   * @param message What failed, without the line prefix.
   * @param options Cause and details.
   */
  constructor(line: number, message: string, options?: OcisignErrorOptions) {
    super(`Dockerfile line ${line}: ${message}`, options);
    this.line = line;
  }
}

/**
 * Runs `fn` for an instruction, turning a {@linkcode BuildError} that does not name a line yet
 * into a {@linkcode DockerfileLineError} for the instruction's line and keyword.
 *
 * @example
 * ```ts
 * import { parseInstruction } from "./dockerfile_parser.ts";
 * import { expandWord } from "./shell_lexer.ts";
 * import { atLine } from "./line_error.ts";
 * const instr = parseInstruction("WORKDIR ${A:?unset}", 4);
 * try {
 *   atLine(instr, () => expandWord(instr.args, () => undefined));
 * } catch (err) {
 *   console.log((err as Error).message); // "Dockerfile line 4: WORKDIR: A: unset"
 * }
 * ```
 * @param instr The instruction being carried out.
 * @param fn The work.
 * @returns What `fn` returns.
 * @throws {DockerfileLineError} ERR_BUILD when `fn` throws a {@linkcode BuildError}.
 */
export function atLine<T>(instr: { line: number; keyword: string }, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof BuildError) || err instanceof DockerfileLineError) throw err;
    throw new DockerfileLineError(instr.line, `${instr.keyword}: ${err.message}`, {
      cause: err,
      ...(err.details === undefined ? {} : { details: err.details }),
    });
  }
}
