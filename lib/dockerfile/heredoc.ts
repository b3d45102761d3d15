/**
 * Heredocs in Dockerfiles (syntax 1.4+): `COPY <<EOF /dst`, `COPY <<a <<b /dir/`, `<<-` to
 * strip leading tabs, and a quoted delimiter (`<<"EOF"`, `<<'EOF'`) to turn off variable
 * expansion. The parser attaches each heredoc's body to its instruction; COPY and ADD turn a
 * heredoc source into a 0644 file named after its delimiter, as BuildKit does.
 *
 * @see https://docs.docker.com/reference/dockerfile/#here-documents
 * @module
 */
import { utf8 } from "../_internal/bytes.ts";
import { BuildError } from "../errors.ts";
import { atLine } from "../image_builder/_dockerfile_source.ts";
import type { Instruction } from "./dockerfile_parser.ts";
import type { TreeNode } from "../image_builder/file_tree.ts";
import { expandHeredoc, expandWord, splitWords } from "./shell_lexer.ts";
import type { VariableLookup } from "./shell_lexer.ts";

/** One heredoc of an instruction. */
export interface Heredoc {
  /** The delimiter, quotes removed (also the file name a COPY source gets). */
  name: string;
  /** Whether variables in the body are expanded (the delimiter was not quoted). */
  expand: boolean;
  /** Whether leading tabs are stripped (`<<-`). */
  chomp: boolean;
  /** The body as written, each line ending in `\n`. */
  content: string;
}

const HEREDOC_WORD_REGEXP = /^(\d*)<<(-?)\s*([^<]*)$/;

/**
 * Reads a heredoc marker word (`<<EOF`, `<<-"EOF"`, `2<<EOF`).
 *
 * @example
 * ```ts
 * import { parseHeredocWord } from "./heredoc.ts";
 * console.log(parseHeredocWord('<<-"EOF"')); // { name: "EOF", expand: false, chomp: true }
 * console.log(parseHeredocWord("/dst")); // undefined
 * ```
 * @param word One raw word of an instruction.
 * @returns The delimiter and flags, or `undefined` when the word is not a heredoc marker.
 */
export function parseHeredocWord(
  word: string,
): { name: string; expand: boolean; chomp: boolean } | undefined {
  const match = HEREDOC_WORD_REGEXP.exec(word);
  if (match === null || match[3] === "") return undefined;
  const rest = match[3]!;
  if (splitWords(rest).length !== 1) return undefined;
  const quoted = /["']/.test(rest);
  const name = quoted ? expandWord(rest, (n) => `$${n}`) : rest;
  return { name, expand: !quoted, chomp: match[2] === "-" };
}

/**
 * Splits instruction text into raw words, keeping `<<` and the delimiter together when
 * written apart (`<< EOF`).
 */
function rawWords(text: string, escape = "\\"): string[] {
  const words = splitWords(text, escape);
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (/^\d*<<-?$/.test(word) && i + 1 < words.length) {
      out.push(`${word}${words[++i]}`);
    } else out.push(word);
  }
  return out;
}

/**
 * The heredoc markers in an instruction's text, in order (bodies still empty).
 *
 * @example
 * ```ts
 * import { heredocMarkers } from "./heredoc.ts";
 * console.log(heredocMarkers("<<a <<'b' /dir/").map((h) => h.name)); // ["a", "b"]
 * ```
 * @param text The instruction's arguments.
 * @returns The markers.
 */
export function heredocMarkers(text: string): Heredoc[] {
  const out: Heredoc[] = [];
  if (!text.includes("<<")) return out;
  for (const word of rawWords(text)) {
    const marker = parseHeredocWord(word);
    if (marker !== undefined) out.push({ ...marker, content: "" });
  }
  return out;
}

/**
 * A heredoc's body as used: leading tabs removed from every line for `<<-`, variables expanded
 * unless the delimiter was quoted.
 *
 * @example
 * ```ts
 * import { heredocText } from "./heredoc.ts";
 * const doc = { name: "EOF", expand: true, chomp: true, content: "\thello $WHO\n" };
 * console.log(heredocText(doc, (n) => (n === "WHO" ? "you" : undefined))); // "hello you\n"
 * ```
 * @param doc The heredoc.
 * @param lookup Variable lookup.
 * @returns The text.
 * @throws {BuildError} ERR_BUILD on a bad substitution in an expanded body.
 */
export function heredocText(doc: Heredoc, lookup: VariableLookup): string {
  const body = doc.chomp ? doc.content.replace(/^\t+/gm, "") : doc.content;
  return doc.expand ? expandHeredoc(body, lookup) : body;
}

/** The expanded arguments of a COPY or ADD, with heredoc sources split out. */
export interface CopyArguments {
  /** Expanded source paths (heredoc sources removed). */
  sources: string[];
  /** Expanded destination. */
  dest: string;
  /** One file node per heredoc source, named after its delimiter (mode 0644, root-owned). */
  inline: TreeNode[];
}

/**
 * Splits and expands the arguments of a COPY or ADD, turning heredoc sources into file nodes.
 *
 * @example
 * ```ts
 * import { parseInstruction } from "./dockerfile_parser.ts";
 * import { copyArguments } from "./heredoc.ts";
 * const instr = parseInstruction("COPY <<EOF a.txt /dst/", 2);
 * instr.heredocs = [{ name: "EOF", expand: true, chomp: false, content: "hi\n" }];
 * const args = copyArguments(instr, () => undefined);
 * console.log(args.sources, args.dest, args.inline[0]?.path); // ["a.txt"] "/dst/" "EOF"
 * ```
 * @param instr The instruction.
 * @param lookup Variable lookup.
 * @param escape The Dockerfile's escape character.
 * @returns Sources, destination and inline files.
 * @throws {BuildError} ERR_BUILD when there are fewer than two arguments, the destination is a
 * heredoc, or a body has a bad substitution.
 */
export function copyArguments(
  instr: Instruction,
  lookup: VariableLookup,
  escape = "\\",
): CopyArguments {
  return atLine(instr, () => splitCopyArguments(instr, lookup, escape));
}

function splitCopyArguments(
  instr: Instruction,
  lookup: VariableLookup,
  escape: string,
): CopyArguments {
  const where = `Dockerfile line ${instr.line}: ${instr.keyword}`;
  if (instr.json !== undefined) {
    const words = instr.json.map((w) => expandWord(w, lookup, escape));
    if (words.length < 2) {
      throw new BuildError(`${where} needs at least one source and a destination`);
    }
    return { sources: words.slice(0, -1), dest: words[words.length - 1]!, inline: [] };
  }
  const docs = instr.heredocs ?? [];
  const raw = docs.length > 0 ? rawWords(instr.args, escape) : splitWords(instr.args, escape);
  if (raw.length < 2) throw new BuildError(`${where} needs at least one source and a destination`);
  const destRaw = raw[raw.length - 1]!;
  if (docs.length > 0 && parseHeredocWord(destRaw) !== undefined) {
    throw new BuildError(`${where} cannot accept a heredoc as a destination`);
  }
  const sources: string[] = [];
  const inline: TreeNode[] = [];
  for (const word of raw.slice(0, -1)) {
    const marker = docs.length > 0 ? parseHeredocWord(word) : undefined;
    if (marker === undefined) {
      sources.push(expandWord(word, lookup, escape));
      continue;
    }
    const doc = docs.find((d) => d.name === marker.name);
    const bytes = utf8(
      doc === undefined ? "" : heredocText({ ...doc, chomp: marker.chomp }, lookup),
    );
    inline.push({
      path: marker.name,
      type: "file",
      mode: 0o644,
      uid: 0,
      gid: 0,
      size: bytes.length,
      content: { kind: "bytes", bytes },
    });
  }
  return { sources, dest: expandWord(destRaw, lookup, escape), inline };
}
