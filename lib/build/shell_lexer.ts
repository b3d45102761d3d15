/**
 * Variable substitution and word splitting as Docker does them for Dockerfile instructions:
 * `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}`,
 * `${VAR:?message}`, `${VAR?message}`, single and double quotes, and the escape character.
 *
 * @see https://docs.docker.com/reference/dockerfile/#environment-replacement
 * @module
 */
import { BuildError } from "../errors.ts";

/** Looks a variable up; `undefined` when it is not set. */
export type VariableLookup = (name: string) => string | undefined;

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

class Lexer {
  #text: string;
  #pos = 0;
  #lookup: VariableLookup;
  #escape: string;

  constructor(text: string, lookup: VariableLookup, escape: string) {
    this.#text = text;
    this.#lookup = lookup;
    this.#escape = escape;
  }

  /** Processes until the end, or until an unquoted `stop` character (consumed). */
  process(stop?: string): string {
    let out = "";
    const text = this.#text;
    while (this.#pos < text.length) {
      const ch = text[this.#pos]!;
      if (stop !== undefined && ch === stop) {
        this.#pos++;
        return out;
      }
      if (ch === this.#escape) {
        this.#pos++;
        if (this.#pos < text.length) out += text[this.#pos++];
        else out += ch;
      } else if (ch === "'") {
        const end = text.indexOf("'", this.#pos + 1);
        if (end === -1) {
          throw new BuildError(`Unterminated single quote in ${JSON.stringify(text)}`);
        }
        out += text.slice(this.#pos + 1, end);
        this.#pos = end + 1;
      } else if (ch === '"') {
        this.#pos++;
        out += this.#doubleQuoted();
      } else if (ch === "$") {
        this.#pos++;
        out += this.#dollar();
      } else {
        out += ch;
        this.#pos++;
      }
    }
    if (stop !== undefined) {
      throw new BuildError(`Missing '${stop}' in ${JSON.stringify(text)}`);
    }
    return out;
  }

  #doubleQuoted(): string {
    let out = "";
    const text = this.#text;
    while (this.#pos < text.length) {
      const ch = text[this.#pos]!;
      if (ch === '"') {
        this.#pos++;
        return out;
      }
      if (ch === "$") {
        this.#pos++;
        out += this.#dollar();
        continue;
      }
      if (ch === this.#escape) {
        const next = text[this.#pos + 1];
        if (next === '"' || next === "$" || next === this.#escape) {
          out += next;
          this.#pos += 2;
          continue;
        }
      }
      out += ch;
      this.#pos++;
    }
    throw new BuildError(`Unterminated double quote in ${JSON.stringify(text)}`);
  }

  #name(): string {
    const text = this.#text;
    let name = "";
    if (this.#pos < text.length && /[0-9]/.test(text[this.#pos]!)) return text[this.#pos++]!;
    while (this.#pos < text.length && NAME_CHAR.test(text[this.#pos]!)) name += text[this.#pos++];
    return name;
  }

  #dollar(): string {
    const text = this.#text;
    const ch = text[this.#pos];
    if (ch === "{") {
      this.#pos++;
      const name = this.#name();
      if (name === "") throw new BuildError(`Bad substitution in ${JSON.stringify(text)}`);
      const value = this.#lookup(name);
      let op = text[this.#pos];
      if (op === "}") {
        this.#pos++;
        return value ?? "";
      }
      let colon = false;
      if (op === ":") {
        colon = true;
        this.#pos++;
        op = text[this.#pos];
      }
      if (op !== "-" && op !== "+" && op !== "?") {
        throw new BuildError(
          `Unsupported substitution \${${name}${colon ? ":" : ""}${op ?? ""}...} in ${
            JSON.stringify(text)
          }; use :-, -, :+, +, :? or ?`,
        );
      }
      this.#pos++;
      const word = this.process("}");
      const set = value !== undefined && (!colon || value !== "");
      if (op === "-") return set ? value! : word;
      if (op === "+") return set ? word : "";
      if (!set) throw new BuildError(`${name}: ${word === "" ? "is not set" : word}`);
      return value!;
    }
    if (ch !== undefined && (NAME_START.test(ch) || /[0-9]/.test(ch))) {
      return this.#lookup(this.#name()) ?? "";
    }
    return "$";
  }
}

/**
 * Expands variables in one word and removes its quotes and escapes.
 *
 * @example
 * ```ts
 * import { expandWord } from "./shell_lexer.ts";
 * const env = new Map([["A", "x"]]);
 * console.log(expandWord("${A:-d}/'$A'/\"$B\"/${B:-def}", (n) => env.get(n))); // x/$A//def
 * ```
 * @param word The raw word.
 * @param lookup Variable lookup.
 * @param escape The escape character (default `\`).
 * @returns The expanded word.
 * @throws {BuildError} ERR_BUILD on unterminated quotes, bad or unsupported substitutions, or
 * `${VAR:?message}` with VAR unset.
 */
export function expandWord(word: string, lookup: VariableLookup, escape = "\\"): string {
  return new Lexer(word, lookup, escape).process();
}

/**
 * Splits text into raw words on unquoted, unescaped whitespace, keeping quotes for
 * {@linkcode expandWord}.
 *
 * @example
 * ```ts
 * import { splitWords } from "./shell_lexer.ts";
 * console.log(splitWords(`a "b c" d\\ e`)); // ["a", "\"b c\"", "d\\ e"]
 * ```
 * @param text The text.
 * @param escape The escape character (default `\`).
 * @returns The raw words.
 */
export function splitWords(text: string, escape = "\\"): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote === undefined && /\s/.test(ch)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
      continue;
    }
    inWord = true;
    if (ch === escape && quote !== "'" && i + 1 < text.length) {
      current += ch + text[++i];
      continue;
    }
    if (quote === undefined && (ch === '"' || ch === "'")) quote = ch;
    else if (quote === ch) quote = undefined;
    current += ch;
  }
  if (inWord) words.push(current);
  return words;
}

/**
 * Splits and expands a list of words (COPY sources, EXPOSE ports, VOLUME paths, ...).
 *
 * @example
 * ```ts
 * import { expandWords } from "./shell_lexer.ts";
 * console.log(expandWords("$P/tcp 53/udp", (n) => (n === "P" ? "80" : undefined))); // ["80/tcp", "53/udp"]
 * ```
 * @param text The raw arguments.
 * @param lookup Variable lookup.
 * @param escape The escape character.
 * @returns The expanded words.
 */
export function expandWords(text: string, lookup: VariableLookup, escape = "\\"): string[] {
  return splitWords(text, escape).map((w) => expandWord(w, lookup, escape));
}

/**
 * Parses `key=value` pairs as ENV, LABEL and ARG take them, expanding the values (and keys).
 * The legacy single-pair form `ENV KEY some value` is accepted when `allowLegacy` is set.
 *
 * @example
 * ```ts
 * import { parseKeyValues } from "./shell_lexer.ts";
 * console.log(parseKeyValues('A=1 B="two words"', () => undefined)); // [["A","1"],["B","two words"]]
 * ```
 * @param text The raw arguments.
 * @param lookup Variable lookup; as in Docker, pairs on the same line do not see each other.
 * @param opts Escape character, and whether the legacy form is allowed.
 * @returns Pairs in order; a pair's value is `undefined` when written without `=` (ARG).
 * @throws {BuildError} ERR_BUILD when a word has no `=` and the legacy form is not allowed.
 */
export function parseKeyValues(
  text: string,
  lookup: VariableLookup,
  opts: { escape?: string; allowLegacy?: boolean; allowBare?: boolean } = {},
): Array<[string, string | undefined]> {
  const escape = opts.escape ?? "\\";
  const words = splitWords(text, escape);
  if (words.length === 0) throw new BuildError("Expected at least one key=value pair");
  if (opts.allowLegacy && !words[0]!.includes("=")) {
    const match = /^\s*(\S+)\s*([\s\S]*)$/.exec(text)!;
    if (match[2]!.trim() === "") throw new BuildError(`${match[1]} needs a value`);
    return [[expandWord(match[1]!, lookup, escape), expandWord(match[2]!.trim(), lookup, escape)]];
  }
  const pairs: Array<[string, string | undefined]> = [];
  for (const word of words) {
    const eq = word.indexOf("=");
    if (eq === -1) {
      if (!opts.allowBare) throw new BuildError(`Expected key=value, got ${JSON.stringify(word)}`);
      pairs.push([expandWord(word, lookup, escape), undefined]);
      continue;
    }
    const key = expandWord(word.slice(0, eq), lookup, escape);
    if (key === "") throw new BuildError(`Empty key in ${JSON.stringify(word)}`);
    const value = expandWord(word.slice(eq + 1), lookup, escape);
    pairs.push([key, value]);
  }
  return pairs;
}
