/**
 * The arguments of a COPY or ADD: sources and destination expanded, and each heredoc source
 * turned into a 0644 file named after its delimiter, as BuildKit does.
 *
 * @module
 */
import { utf8 } from "../_internal/bytes.ts";
import { heredocText, heredocWords, parseHeredocWord } from "../dockerfile/heredoc.ts";
import type { Instruction } from "../dockerfile/dockerfile_parser.ts";
import { atLine, DockerfileLineError } from "../dockerfile/line_error.ts";
import { expandWord, splitWords } from "../dockerfile/shell_lexer.ts";
import type { VariableLookup } from "../dockerfile/shell_lexer.ts";
import type { TreeNode } from "./file_tree.ts";

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
 * import { parseInstruction } from "../dockerfile/dockerfile_parser.ts";
 * import { copyArguments } from "./copy_arguments.ts";
 * const instr = parseInstruction("COPY <<EOF a.txt /dst/", 2);
 * instr.heredocs = [{ name: "EOF", expand: true, chomp: false, content: "hi\n" }];
 * const args = copyArguments(instr, () => undefined);
 * console.log(args.sources, args.dest, args.inline[0]?.path); // ["a.txt"] "/dst/" "EOF"
 * ```
 * @param instr The instruction.
 * @param lookup Variable lookup.
 * @param escape The Dockerfile's escape character.
 * @returns Sources, destination and inline files.
 * @throws {DockerfileLineError} ERR_BUILD when there are fewer than two arguments, the destination is a
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
  const fail = (why: string): DockerfileLineError =>
    new DockerfileLineError(instr.line, `${instr.keyword} ${why}`);
  if (instr.json !== undefined) {
    const words = instr.json.map((w) => expandWord(w, lookup, escape));
    if (words.length < 2) {
      throw fail("needs at least one source and a destination");
    }
    return { sources: words.slice(0, -1), dest: words[words.length - 1]!, inline: [] };
  }
  const docs = instr.heredocs ?? [];
  const raw = docs.length > 0 ? heredocWords(instr.args, escape) : splitWords(instr.args, escape);
  if (raw.length < 2) throw fail("needs at least one source and a destination");
  const destRaw = raw[raw.length - 1]!;
  if (docs.length > 0 && parseHeredocWord(destRaw) !== undefined) {
    throw fail("cannot accept a heredoc as a destination");
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
