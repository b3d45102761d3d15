/**
 * Heredocs in Dockerfiles (syntax 1.4+): `COPY <<EOF /dst`, `COPY <<a <<b /dir/`, `<<-` to
 * strip leading tabs, and a quoted delimiter (`<<"EOF"`, `<<'EOF'`) to turn off variable
 * expansion. The parser attaches each heredoc's body to its instruction; the builder turns a
 * heredoc source of COPY and ADD into a file (see `copy_arguments.ts` there).
 *
 * @see https://docs.docker.com/reference/dockerfile/#here-documents
 * @module
 */
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
 *
 * @example
 * ```ts
 * import { heredocWords } from "./heredoc.ts";
 * console.log(heredocWords("<< EOF /dst")); // ["<<EOF", "/dst"]
 * ```
 * @param text The instruction's arguments.
 * @param escape The Dockerfile's escape character.
 * @returns The raw words.
 */
export function heredocWords(text: string, escape = "\\"): string[] {
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
  for (const word of heredocWords(text)) {
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
