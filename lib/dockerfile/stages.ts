/**
 * A Dockerfile's stages: the global ARGs before the first FROM, then each FROM with the
 * instructions after it and its `AS` name.
 *
 * @module
 */
import { BuildError } from "../errors.ts";
import type { Dockerfile, Instruction } from "./dockerfile_parser.ts";
import { DockerfileLineError } from "./line_error.ts";

/** A stage as written: its FROM, the instructions after it, and its `AS` name. */
export interface StageDef {
  /** The FROM instruction. */
  from: Instruction;
  /** The stage's other instructions. */
  body: Instruction[];
  /** Lower-cased `AS` name. */
  name: string | undefined;
}

/**
 * Splits instructions into global ARGs and stages, and checks the stage names.
 *
 * @example
 * ```ts
 * import { parseDockerfile } from "./dockerfile_parser.ts";
 * import { splitStages } from "./stages.ts";
 * const { globals, stages } = splitStages(
 *   parseDockerfile("ARG V=1\nFROM scratch AS base\nFROM base\nCOPY a /a\n"),
 * );
 * console.log(globals.length, stages.map((s) => s.name)); // 1 ["base", undefined]
 * ```
 * @param df The parsed Dockerfile.
 * @returns The global ARGs and the stages.
 * @throws {DockerfileLineError} ERR_BUILD for an instruction other than ARG before the first FROM,
 * or an invalid or repeated stage name; {@linkcode BuildError} when there is no FROM.
 */
export function splitStages(df: Dockerfile): { globals: Instruction[]; stages: StageDef[] } {
  const globals: Instruction[] = [];
  const stages: StageDef[] = [];
  for (const instr of df.instructions) {
    if (instr.keyword === "FROM") {
      stages.push({ from: instr, body: [], name: undefined });
    } else if (stages.length === 0) {
      if (instr.keyword !== "ARG") {
        throw new DockerfileLineError(
          instr.line,
          `${instr.keyword} before the first FROM; only ARG may come first`,
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
        throw new DockerfileLineError(stage.from.line, `invalid stage name ${m[1]}`);
      }
      if (stages.some((s) => s.name === name)) {
        throw new DockerfileLineError(stage.from.line, `stage name ${m[1]} is used twice`);
      }
      stage.name = name;
    }
  }
  return { globals, stages };
}
