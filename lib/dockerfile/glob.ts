/**
 * Path patterns: `*`, `?`, `[...]` and `\` escapes as Go's `filepath.Match` has them (used by
 * COPY/ADD sources), plus `**` for `.dockerignore`. Patterns come from the build context, so they
 * are matched by simulating the pattern's automaton (time linear in pattern length times path
 * length, never the exponential backtracking of a regular expression with many `*`), and their
 * length is capped.
 *
 * @module
 */
import { BuildError } from "../errors.ts";

/**
 * Whether a path pattern contains wildcard characters.
 *
 * @example
 * ```ts
 * import { hasGlob } from "./glob.ts";
 * console.log(hasGlob("src/*.ts"), hasGlob("src/a.ts")); // true false
 * ```
 * @param pattern The pattern.
 * @returns True when it has `*`, `?` or `[`.
 */
export function hasGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** Longest pattern accepted, in characters (PATH_MAX). */
export const MAX_GLOB_LENGTH = 4096;

/** A compiled path pattern. */
export interface GlobMatcher {
  /** Whether the whole of `path` matches. */
  test(path: string): boolean;
}

type Token =
  | { kind: "char"; cp: number }
  | { kind: "one" }
  | { kind: "class"; negated: boolean; ranges: [number, number][] }
  | { kind: "star" }
  | { kind: "any" }
  | { kind: "optional"; length: number };

const SLASH = 0x2f;

/**
 * Shows a pattern in an error message: quoted, and cut after 64 characters.
 *
 * @example
 * ```ts
 * import { showPattern } from "./glob.ts";
 * console.log(showPattern("a".repeat(100)).length < 80); // true
 * ```
 * @param pattern The pattern.
 * @returns Its quoted, possibly shortened form.
 */
export function showPattern(pattern: string): string {
  const chars = [...pattern];
  return chars.length > 64
    ? `${JSON.stringify(chars.slice(0, 64).join(""))}… (${chars.length} characters)`
    : JSON.stringify(pattern);
}

function parseClass(
  chars: string[],
  start: number,
  bad: (why: string) => never,
): { token: Token; end: number } {
  let j = start + 1;
  let negated = false;
  if (chars[j] === "^" || chars[j] === "!") {
    negated = true;
    j++;
  }
  const atoms: (number | "-")[] = [];
  let first = true;
  for (;; j++) {
    if (j >= chars.length) bad("unterminated character class");
    const c = chars[j]!;
    if (c === "]" && !first) break;
    first = false;
    if (c === "\\") {
      j++;
      if (j >= chars.length) bad("unterminated character class");
      atoms.push(chars[j]!.codePointAt(0)!);
    } else atoms.push(c === "-" ? "-" : c.codePointAt(0)!);
  }
  // An unescaped `-` between two characters makes a range; anywhere else it is itself.
  const cp = (atom: number | "-"): number => (atom === "-" ? 0x2d : atom);
  const ranges: [number, number][] = [];
  for (let k = 0; k < atoms.length; k++) {
    const hi = atoms[k + 2];
    if (atoms[k + 1] === "-" && hi !== undefined) {
      const lo = cp(atoms[k]!);
      if (cp(hi) < lo) bad("character range out of order");
      ranges.push([lo, cp(hi)]);
      k += 2;
    } else ranges.push([cp(atoms[k]!), cp(atoms[k]!)]);
  }
  return { token: { kind: "class", negated, ranges }, end: j };
}

function tokenize(pattern: string, doubleStar: boolean): Token[] {
  const bad = (why: string): never => {
    throw new BuildError(`Bad pattern ${showPattern(pattern)}: ${why}`);
  };
  const chars = [...pattern];
  if (chars.length > MAX_GLOB_LENGTH) {
    bad(`longer than ${MAX_GLOB_LENGTH} characters; shorten it`);
  }
  const tokens: Token[] = [];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === "*") {
      if (doubleStar && chars[i + 1] === "*") {
        i++;
        if (chars[i + 1] === "/") {
          i++;
          // `**/`: nothing, or anything that ends with a slash
          tokens.push({ kind: "optional", length: 2 }, { kind: "any" }, {
            kind: "char",
            cp: SLASH,
          });
        } else tokens.push({ kind: "any" });
      } else tokens.push({ kind: "star" });
    } else if (ch === "?") tokens.push({ kind: "one" });
    else if (ch === "\\") {
      i++;
      if (i >= chars.length) bad("ends with \\");
      tokens.push({ kind: "char", cp: chars[i]!.codePointAt(0)! });
    } else if (ch === "[") {
      const { token, end } = parseClass(chars, i, bad);
      tokens.push(token);
      i = end;
    } else tokens.push({ kind: "char", cp: ch.codePointAt(0)! });
  }
  return tokens;
}

function consumes(token: Token, cp: number): boolean {
  switch (token.kind) {
    case "char":
      return token.cp === cp;
    case "one":
    case "star":
      return cp !== SLASH;
    case "any":
      return true;
    case "class": {
      const inside = token.ranges.some(([lo, hi]) => cp >= lo && cp <= hi);
      return token.negated ? !inside && cp !== SLASH : inside;
    }
    case "optional":
      return false;
  }
}

class Automaton implements GlobMatcher {
  readonly #tokens: Token[];
  readonly #seen: Uint32Array;
  #generation = 0;

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
    this.#seen = new Uint32Array(tokens.length + 1);
  }

  /** Adds `state` and every state reachable from it without consuming a character. */
  #add(states: number[], state: number): void {
    if (this.#seen[state] === this.#generation) return;
    this.#seen[state] = this.#generation;
    states.push(state);
    const token = this.#tokens[state];
    if (token === undefined) return;
    if (token.kind === "star" || token.kind === "any") this.#add(states, state + 1);
    else if (token.kind === "optional") {
      this.#add(states, state + 1);
      this.#add(states, state + 1 + token.length);
    }
  }

  #next(): number[] {
    this.#generation = (this.#generation + 1) >>> 0;
    if (this.#generation === 0) {
      this.#seen.fill(0);
      this.#generation = 1;
    }
    return [];
  }

  test(path: string): boolean {
    let states = this.#next();
    this.#add(states, 0);
    for (const ch of path) {
      const cp = ch.codePointAt(0)!;
      const next = this.#next();
      for (const state of states) {
        const token = this.#tokens[state];
        if (token === undefined || !consumes(token, cp)) continue;
        const loops = token.kind === "star" || token.kind === "any";
        this.#add(next, loops ? state : state + 1);
      }
      if (next.length === 0) return false;
      states = next;
    }
    return states.includes(this.#tokens.length);
  }
}

/**
 * Compiles a path pattern to a matcher of whole paths. `/` is only matched literally; with
 * `doubleStar`, `**` matches any number of path segments.
 *
 * @example
 * ```ts
 * import { compileGlob } from "./glob.ts";
 * console.log(compileGlob("a/*.txt").test("a/b.txt")); // true
 * console.log(compileGlob("**\/*.md", { doubleStar: true }).test("x/y/z.md")); // true
 * ```
 * @param pattern The pattern.
 * @param opts Whether `**` is special.
 * @returns The matcher.
 * @throws {BuildError} ERR_BUILD for a malformed or too long pattern.
 */
export function compileGlob(pattern: string, opts: { doubleStar?: boolean } = {}): GlobMatcher {
  return new Automaton(tokenize(pattern, opts.doubleStar === true));
}
