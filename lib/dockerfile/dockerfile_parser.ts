/**
 * Dockerfile parsing: parser directives (`# syntax`, `# escape`), comments, line continuations,
 * flags (`--from=...`), exec (JSON) versus shell form. Variables are not expanded here; that
 * happens per instruction when the build runs (see `shell_lexer.ts`).
 *
 * @see https://docs.docker.com/reference/dockerfile/
 * @module
 */
import { DockerfileLineError } from "./line_error.ts";
import { heredocMarkers } from "./heredoc.ts";
import type { Heredoc } from "./heredoc.ts";

/** A `--name=value` (or bare `--name`) flag of an instruction. */
export interface InstructionFlag {
  /** Flag name without the dashes. */
  name: string;
  /** Raw value; `undefined` for a bare flag. */
  value?: string;
}

/** One parsed instruction. */
export interface Instruction {
  /** Upper-case keyword (`FROM`, `COPY`, ...). */
  keyword: string;
  /** 1-based line where the instruction starts. */
  line: number;
  /** The instruction text as written, continuations joined. */
  original: string;
  /** Leading flags (only for instructions that take flags). */
  flags: InstructionFlag[];
  /** The arguments after the flags, raw. */
  args: string;
  /** The arguments as a list when written in exec (JSON array) form. */
  json?: string[];
  /** Heredocs (`<<EOF` ... `EOF`) of a COPY, ADD or RUN, bodies attached, in order. */
  heredocs?: Heredoc[];
}

/** A parsed Dockerfile. */
export interface Dockerfile {
  /** The escape character (`\` or a backtick). */
  escape: string;
  /** The `# syntax=` directive, when present. */
  syntax?: string;
  /** Instructions in order. */
  instructions: Instruction[];
}

const FLAG_INSTRUCTIONS = new Set(["FROM", "COPY", "ADD", "RUN", "HEALTHCHECK"]);
const KNOWN = new Set([
  "ADD",
  "ARG",
  "CMD",
  "COPY",
  "ENTRYPOINT",
  "ENV",
  "EXPOSE",
  "FROM",
  "HEALTHCHECK",
  "LABEL",
  "MAINTAINER",
  "ONBUILD",
  "RUN",
  "SHELL",
  "STOPSIGNAL",
  "USER",
  "VOLUME",
  "WORKDIR",
]);
const DIRECTIVE_REGEXP = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const HEREDOC_INSTRUCTIONS = new Set(["COPY", "ADD", "RUN"]);

function parseJsonList(text: string): string[] | undefined {
  if (!text.startsWith("[")) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value;
  } catch {
    // Not JSON: the instruction is in shell form.
  }
  return undefined;
}

function splitFlags(text: string): { flags: InstructionFlag[]; rest: string } {
  const flags: InstructionFlag[] = [];
  let rest = text;
  for (;;) {
    const match = /^--([A-Za-z][A-Za-z0-9-]*)(?:=(\S*))?(?:\s+|$)/.exec(rest);
    if (match === null) break;
    flags.push(match[2] === undefined ? { name: match[1]! } : { name: match[1]!, value: match[2] });
    rest = rest.slice(match[0].length);
  }
  return { flags, rest };
}

/**
 * Parses one logical instruction line (continuations already joined).
 *
 * @example
 * ```ts
 * import { parseInstruction } from "./dockerfile_parser.ts";
 * const i = parseInstruction('COPY --chown=1:1 ["a", "b/"]', 3);
 * console.log(i.keyword, i.flags[0]?.value, i.json); // COPY 1:1 ["a","b/"]
 * ```
 * @param text The instruction text.
 * @param line Its 1-based start line.
 * @returns The instruction.
 * @throws {BuildError} ERR_BUILD for an unknown instruction.
 */
export function parseInstruction(text: string, line: number): Instruction {
  const trimmed = text.trim();
  const match = /^(\S+)(?:\s+([\s\S]*))?$/.exec(trimmed);
  if (match === null) throw new DockerfileLineError(line, `empty instruction`);
  const keyword = match[1]!.toUpperCase();
  if (!KNOWN.has(keyword)) {
    throw new DockerfileLineError(line, `unknown instruction ${match[1]}`);
  }
  let args = (match[2] ?? "").trim();
  let flags: InstructionFlag[] = [];
  if (FLAG_INSTRUCTIONS.has(keyword)) {
    const split = splitFlags(args);
    flags = split.flags;
    args = split.rest.trim();
  }
  const json = keyword === "ONBUILD" ? undefined : parseJsonList(args);
  const instruction: Instruction = { keyword, line, original: trimmed, flags, args };
  if (json !== undefined) instruction.json = json;
  return instruction;
}

/**
 * Attaches the bodies of an instruction's heredocs, read from `lines` starting at `next`.
 * Returns the index of the first line after the last body.
 */
function readHeredocs(instr: Instruction, lines: string[], next: number): number {
  if (instr.keyword === "ONBUILD" && heredocMarkers(instr.args).length > 0) {
    throw new DockerfileLineError(
      instr.line,
      `ONBUILD with a heredoc is not supported by ocisign; put the content in a file and COPY it in the trigger`,
    );
  }
  if (!HEREDOC_INSTRUCTIONS.has(instr.keyword) || instr.json !== undefined) return next;
  const docs = heredocMarkers(instr.args);
  if (docs.length === 0) return next;
  let index = next;
  for (const doc of docs) {
    let terminated = false;
    for (; index < lines.length; index++) {
      const line = lines[index]!;
      if ((doc.chomp ? line.replace(/^\t+/, "") : line) === doc.name) {
        terminated = true;
        index++;
        break;
      }
      doc.content += `${line}\n`;
    }
    if (!terminated) {
      throw new DockerfileLineError(
        instr.line,
        `unterminated heredoc <<${doc.name}; end it with a line containing only ${doc.name}`,
      );
    }
  }
  instr.heredocs = docs;
  return index;
}

/**
 * Parses a Dockerfile's text.
 *
 * @example
 * ```ts
 * import { parseDockerfile } from "./dockerfile_parser.ts";
 * const df = parseDockerfile("# escape=`\nFROM scratch\nENV A=1 `\n  B=2\n");
 * console.log(df.escape, df.instructions[1]?.args); // ` "A=1   B=2"
 * ```
 * @param text The Dockerfile.
 * @returns Directives and instructions.
 * @throws {BuildError} ERR_BUILD on a bad directive, an unknown instruction, or an unterminated
 * heredoc.
 */
export function parseDockerfile(text: string): Dockerfile {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  let escape = "\\";
  let syntax: string | undefined;
  const seen = new Set<string>();
  let index = 0;
  for (; index < lines.length; index++) {
    const match = DIRECTIVE_REGEXP.exec(lines[index]!);
    if (match === null) break;
    const name = match[1]!.toLowerCase();
    if (name !== "escape" && name !== "syntax" && name !== "check") break;
    if (seen.has(name)) {
      throw new DockerfileLineError(index + 1, `parser directive ${name} is set twice`);
    }
    seen.add(name);
    if (name === "escape") {
      if (match[2] !== "\\" && match[2] !== "`") {
        throw new DockerfileLineError(
          index + 1,
          `invalid escape character ${JSON.stringify(match[2])}; use \\ or \``,
        );
      }
      escape = match[2];
    } else if (name === "syntax") syntax = match[2];
  }
  const continuation = new RegExp(`${escape === "\\" ? "\\\\" : "`"}[ \\t]*$`);
  const instructions: Instruction[] = [];
  let pending: string | undefined;
  let startLine = 0;
  for (; index < lines.length; index++) {
    const raw = lines[index]!;
    const stripped = raw.trimStart();
    if (stripped.startsWith("#")) continue;
    if (pending === undefined && stripped === "") continue;
    if (pending !== undefined && stripped.trim() === "") continue;
    if (pending === undefined) {
      pending = "";
      startLine = index + 1;
    }
    if (continuation.test(raw)) {
      pending += raw.replace(continuation, "");
      continue;
    }
    pending += raw;
    const instr = parseInstruction(pending, startLine);
    instructions.push(instr);
    pending = undefined;
    index = readHeredocs(instr, lines, index + 1) - 1;
  }
  if (pending !== undefined && pending.trim() !== "") {
    const instr = parseInstruction(pending, startLine);
    instructions.push(instr);
    readHeredocs(instr, lines, lines.length);
  }
  const out: Dockerfile = { escape, instructions };
  if (syntax !== undefined) out.syntax = syntax;
  return out;
}
