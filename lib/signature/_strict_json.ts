/**
 * Reads signed JSON (a payload, a JWS protected header) so that ocisign and Go's `encoding/json`
 * (notation) can never read two different values out of the same bytes:
 *
 * - a UTF-8 byte order mark before the JSON is refused (Go refuses it);
 * - a key that appears twice in one object is refused (both tools keep the last one, but the bytes
 *   are ambiguous to every other reader);
 * - {@linkcode checkGoStruct}: where Go decodes an object into a struct, it matches keys without
 *   regard to case (Unicode simple folding: `Digest`, `DIGEST`, `digeſt` all fill `digest`) and the
 *   last match wins, so keys that fold together, or that fold to a field name without being it,
 *   are refused;
 * - a number written with a fraction or an exponent (`400.0`, `4e2`) where an integer is expected
 *   is refused (Go refuses it for an `int64`).
 *
 * @module
 */
import { fromUtf8 } from "../_internal/bytes.ts";
import type { Bytes } from "../_internal/bytes.ts";

/** Nesting deeper than this is refused (signed documents are a few levels deep). */
const MAX_DEPTH = 64;
const INTEGER_REGEXP = /^-?(?:0|[1-9][0-9]*)$/;
const NUMBER_REGEXP = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
// JSON forbids raw control characters (U+0000..U+001F) inside strings.
// deno-lint-ignore no-control-regex
const STRING_REGEXP = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const LITERAL_REGEXP = /true|false|null/y;
/** JSON whitespace: space, tab, line feed, carriage return. */
const SPACE: ReadonlySet<number> = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** Options of {@linkcode parseStrictJson}. */
export interface StrictJsonOptions {
  /** Members with one of these keys, at any depth, must be integer literals when numbers. */
  integerKeys?: ReadonlySet<string>;
}

class Parser {
  #pos = 0;
  constructor(readonly text: string, readonly options: StrictJsonOptions) {}

  fail(message: string): never {
    throw new SyntaxError(`${message} at offset ${this.#pos}`);
  }

  #skipSpace(): void {
    // No regular expression per character: that costs milliseconds on cold code.
    while (SPACE.has(this.text.charCodeAt(this.#pos))) this.#pos++;
  }

  #match(re: RegExp): string | undefined {
    re.lastIndex = this.#pos;
    const m = re.exec(this.text);
    if (!m) return undefined;
    this.#pos += m[0].length;
    return m[0];
  }

  document(): unknown {
    const value = this.#value(0, undefined);
    this.#skipSpace();
    if (this.#pos !== this.text.length) this.fail("unexpected data after the JSON value");
    return value;
  }

  #value(depth: number, key: string | undefined): unknown {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    this.#skipSpace();
    const c = this.text[this.#pos];
    if (c === "{") return this.#object(depth);
    if (c === "[") return this.#array(depth);
    if (c === '"') return this.#string();
    const literal = this.#match(LITERAL_REGEXP);
    if (literal !== undefined) return JSON.parse(literal);
    const number = this.#match(NUMBER_REGEXP);
    if (number === undefined) this.fail("invalid JSON value");
    if (key !== undefined && this.options.integerKeys?.has(key) && !INTEGER_REGEXP.test(number)) {
      this.fail(`${JSON.stringify(key)} must be written as an integer, not ${number}`);
    }
    return Number(number);
  }

  #string(): string {
    const s = this.#match(STRING_REGEXP);
    if (s === undefined) this.fail("invalid JSON string");
    return JSON.parse(s);
  }

  #object(depth: number): Record<string, unknown> {
    this.#pos++;
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();
    this.#skipSpace();
    if (this.text[this.#pos] === "}") {
      this.#pos++;
      return out;
    }
    for (;;) {
      this.#skipSpace();
      if (this.text[this.#pos] !== '"') this.fail("expected a string key");
      const key = this.#string();
      if (seen.has(key)) this.fail(`duplicate key ${JSON.stringify(key)}`);
      seen.add(key);
      this.#skipSpace();
      if (this.text[this.#pos++] !== ":") this.fail("expected ':'");
      const value = this.#value(depth + 1, key);
      Object.defineProperty(out, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.#skipSpace();
      const sep = this.text[this.#pos++];
      if (sep === "}") return out;
      if (sep !== ",") this.fail("expected ',' or '}'");
    }
  }

  #array(depth: number): unknown[] {
    this.#pos++;
    const out: unknown[] = [];
    this.#skipSpace();
    if (this.text[this.#pos] === "]") {
      this.#pos++;
      return out;
    }
    for (;;) {
      out.push(this.#value(depth + 1, undefined));
      this.#skipSpace();
      const sep = this.text[this.#pos++];
      if (sep === "]") return out;
      if (sep !== ",") this.fail("expected ',' or ']'");
    }
  }
}

/**
 * Parses UTF-8 JSON strictly (see the module doc): no byte order mark, no duplicate keys, integer
 * literals for `integerKeys`, at most 64 levels of nesting.
 *
 * @example
 * ```ts
 * import { parseStrictJson } from "./_strict_json.ts";
 * parseStrictJson(new TextEncoder().encode('{"a":1}')); // { a: 1 }
 * try { parseStrictJson(new TextEncoder().encode('{"a":1,"a":2}')); } catch (e) { console.log(e); }
 * ```
 * @param bytes The JSON text.
 * @param options Keys whose numbers must be integers.
 * @returns The value.
 * @throws {SyntaxError} When the bytes are not UTF-8 or not strict JSON.
 */
export function parseStrictJson(bytes: Bytes, options: StrictJsonOptions = {}): unknown {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw new SyntaxError("a UTF-8 byte order mark precedes the JSON value");
  }
  let text: string;
  try {
    text = fromUtf8(bytes);
  } catch {
    throw new SyntaxError("not UTF-8");
  }
  return new Parser(text, options).document();
}

/**
 * Folds a key as Go's `encoding/json` compares struct field names (Unicode simple case folding:
 * `K` and `K` (Kelvin), `s` and `ſ` fold together). It folds at least what Go folds, so a check
 * built on it never misses a key Go would match.
 *
 * @example
 * ```ts
 * import { goFoldKey } from "./_strict_json.ts";
 * console.log(goFoldKey("Digeſt") === goFoldKey("digest")); // true
 * ```
 * @param key An object key.
 * @returns Its folded form.
 */
export function goFoldKey(key: string): string {
  let out = "";
  for (const ch of key) {
    const upper = ch.toUpperCase();
    out += ([...upper].length === 1 ? upper : ch).toLowerCase();
  }
  return out;
}

/**
 * Checks an object that Go decodes into a struct with fields `fields`: it fails when two keys
 * fold to the same name, or when a key folds to a field's name without being spelled exactly so
 * (Go would read it into that field, ocisign would not).
 *
 * @example
 * ```ts
 * import { checkGoStruct } from "./_strict_json.ts";
 * checkGoStruct({ digest: "x" }, ["digest", "size"]); // undefined
 * checkGoStruct({ digest: "x", Digest: "y" }, ["digest"]); // 'keys "digest" and "Digest" …'
 * ```
 * @param object The decoded object.
 * @param fields The struct's JSON field names.
 * @returns What is wrong, or `undefined` when the object is unambiguous.
 */
export function checkGoStruct(
  object: Record<string, unknown>,
  fields: readonly string[],
): string | undefined {
  const byFold = new Map<string, string>();
  for (const key of Object.keys(object)) {
    const folded = goFoldKey(key);
    const other = byFold.get(folded);
    if (other !== undefined) {
      return `keys ${JSON.stringify(other)} and ${JSON.stringify(key)} differ only in case, ` +
        "and Go's JSON decoder (notation) reads them as one";
    }
    byFold.set(folded, key);
  }
  for (const field of fields) {
    const key = byFold.get(goFoldKey(field));
    if (key !== undefined && key !== field) {
      return `key ${JSON.stringify(key)} is not spelled ${JSON.stringify(field)}, ` +
        "and Go's JSON decoder (notation) reads it as that field";
    }
  }
  return undefined;
}
