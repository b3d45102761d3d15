/**
 * Variable substitution and word splitting as Docker does them for Dockerfile instructions:
 * `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}`,
 * `${VAR:?message}`, `${VAR?message}`, the pattern operators of Dockerfile syntax 1.7+
 * (`${VAR#p}`, `${VAR##p}`, `${VAR%p}`, `${VAR%%p}`, `${VAR/p/r}`, `${VAR//p/r}`, see
 * `substitution.ts`), single and double quotes, and the escape character, following BuildKit's
 * `shell` lexer.
 *
 * @see https://docs.docker.com/reference/dockerfile/#environment-replacement
 * @module
 */
import { BuildError } from "../errors.ts";
import { replacePattern, trimPattern } from "./substitution.ts";

/** Looks a variable up; `undefined` when it is not set. */
export type VariableLookup = (name: string) => string | undefined;

const SPECIAL_PARAMS = new Set(["@", "*", "#", "?", "-", "$", "!", "0"]);
const DIGIT = /^\p{Nd}$/u;
const NAME_CHAR = /^[\p{L}\p{Nd}_]$/u;

class Lexer {
  #chars: string[];
  #text: string;
  #pos = 0;
  #lookup: VariableLookup;
  #escape: string;
  #quotes: boolean;

  constructor(text: string, lookup: VariableLookup, escape: string, quotes: boolean) {
    this.#text = text;
    this.#chars = [...text];
    this.#lookup = lookup;
    this.#escape = escape;
    this.#quotes = quotes;
  }

  #fail(message: string): never {
    throw new BuildError(`Cannot expand ${JSON.stringify(this.#text)}: ${message}`);
  }

  /**
   * Processes until the end, or until an unquoted `stop` character (consumed). With
   * `rawEscapes`, escape characters are kept (pattern operands keep them for the matcher).
   */
  process(stop?: string, rawEscapes = false): string {
    let out = "";
    const chars = this.#chars;
    while (this.#pos < chars.length) {
      const ch = chars[this.#pos]!;
      if (stop !== undefined && ch === stop) {
        this.#pos++;
        return out;
      }
      if (ch === "$") out += this.#dollar();
      else if (ch === "'" && this.#quotes) out += this.#singleQuoted();
      else if (ch === '"' && this.#quotes) out += this.#doubleQuoted(rawEscapes);
      else if (ch === this.#escape) {
        this.#pos++;
        if (rawEscapes) out += ch;
        // A trailing escape character is dropped, as Docker does.
        if (this.#pos < chars.length) out += chars[this.#pos++];
      } else {
        out += ch;
        this.#pos++;
      }
    }
    if (stop !== undefined) {
      this.#fail(`unexpected end of statement while looking for matching ${stop}`);
    }
    return out;
  }

  #singleQuoted(): string {
    const chars = this.#chars;
    let out = "";
    for (this.#pos++; this.#pos < chars.length; this.#pos++) {
      if (chars[this.#pos] === "'") {
        this.#pos++;
        return out;
      }
      out += chars[this.#pos];
    }
    this.#fail("unexpected end of statement while looking for matching single-quote");
  }

  #doubleQuoted(rawEscapes: boolean): string {
    let out = "";
    const chars = this.#chars;
    this.#pos++;
    while (this.#pos < chars.length) {
      const ch = chars[this.#pos]!;
      if (ch === '"') {
        this.#pos++;
        return out;
      }
      if (ch === "$") {
        out += this.#dollar();
        continue;
      }
      this.#pos++;
      if (ch === this.#escape) {
        if (rawEscapes) out += ch;
        const next = chars[this.#pos];
        if (next === undefined) continue;
        if (next === '"' || next === "$" || next === this.#escape) {
          out += next;
          this.#pos++;
          continue;
        }
      }
      out += ch;
    }
    this.#fail("unexpected end of statement while looking for matching double-quote");
  }

  #name(): string {
    const chars = this.#chars;
    let name = "";
    while (this.#pos < chars.length) {
      const ch = chars[this.#pos]!;
      if (name === "" && DIGIT.test(ch)) {
        while (this.#pos < chars.length && DIGIT.test(chars[this.#pos]!)) {
          name += chars[this.#pos++];
        }
        return name;
      }
      if (name === "" && SPECIAL_PARAMS.has(ch)) {
        this.#pos++;
        return ch;
      }
      if (!NAME_CHAR.test(ch)) break;
      name += ch;
      this.#pos++;
    }
    return name;
  }

  #dollar(): string {
    const chars = this.#chars;
    this.#pos++;
    if (chars[this.#pos] !== "{") {
      const name = this.#name();
      return name === "" ? "$" : this.#lookup(name) ?? "";
    }
    this.#pos++;
    const first = chars[this.#pos];
    if (first === undefined) this.#fail("syntax error: missing '}'");
    if (first === "{" || first === "}" || first === ":") {
      this.#fail("syntax error: bad substitution");
    }
    const name = this.#name();
    let op = chars[this.#pos++];
    if (op === "}") return this.#lookup(name) ?? "";
    if (op === "/") return this.#replace(name);
    let modifier = op ?? "";
    const colon = op === ":";
    if (colon) {
      op = chars[this.#pos++];
      modifier += op ?? "";
    }
    const pattern = op === "#" || op === "%";
    if (op !== "-" && op !== "+" && op !== "?" && !pattern) {
      if (op === undefined) this.#fail("syntax error: missing '}'");
      this.#unsupported(modifier);
    }
    if (colon && pattern) this.#unsupported(modifier);
    let word = this.process("}", pattern);
    const value = this.#lookup(name);
    const empty = value === undefined || (colon && value === "");
    switch (op) {
      case "-":
        return empty ? word : value!;
      case "+":
        return empty ? "" : word;
      case "?":
        if (value === undefined) this.#required(name, word, "is not allowed to be unset");
        if (empty) this.#required(name, word, "is not allowed to be empty");
        return value!;
    }
    const greedy = word.startsWith(op!);
    if (greedy) word = word.slice(1);
    return trimPattern(value ?? "", word, { fromEnd: op === "%", greedy });
  }

  #replace(name: string): string {
    const all = this.#chars[this.#pos] === "/";
    if (all) this.#pos++;
    const pattern = this.process("/", true);
    const replacement = this.process("}", true);
    return replacePattern(this.#lookup(name) ?? "", pattern, replacement, all);
  }

  #unsupported(modifier: string): never {
    this.#fail(
      `unsupported modifier (${modifier}) in substitution; use :-, -, :+, +, :?, ?, #, ##, %, %%, / or //`,
    );
  }

  #required(name: string, word: string, fallback: string): never {
    throw new BuildError(`${name}: ${word === "" ? fallback : word}`);
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
  return new Lexer(word, lookup, escape, true).process();
}

/**
 * Expands variables in a heredoc body as BuildKit does when the delimiter is unquoted: `$VAR`
 * and `${...}` are expanded, `\\` escapes the next character (and is removed), and quotes are
 * kept as they are.
 *
 * @example
 * ```ts
 * import { expandHeredoc } from "./shell_lexer.ts";
 * console.log(expandHeredoc("say '$A' \\$A\n", (n) => (n === "A" ? "hi" : undefined))); // say 'hi' $A
 * ```
 * @param body The heredoc's text.
 * @param lookup Variable lookup.
 * @returns The expanded text.
 * @throws {BuildError} ERR_BUILD on bad or unsupported substitutions, or `${VAR:?message}` with
 * VAR unset.
 */
export function expandHeredoc(body: string, lookup: VariableLookup): string {
  return new Lexer(body, lookup, "\\", false).process();
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
