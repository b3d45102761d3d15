/**
 * Path patterns: `*`, `?`, `[...]` and `\` escapes as Go's `filepath.Match` has them (used by
 * COPY/ADD sources), plus `**` for `.dockerignore`.
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

function escapeRegExp(ch: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(ch) ? `\\${ch}` : ch;
}

/**
 * Compiles a path pattern to an anchored regular expression. `/` is only matched literally;
 * with `doubleStar`, `**` matches any number of path segments.
 *
 * @example
 * ```ts
 * import { globToRegExp } from "./glob.ts";
 * console.log(globToRegExp("a/*.txt").test("a/b.txt")); // true
 * console.log(globToRegExp("**\/*.md", { doubleStar: true }).test("x/y/z.md")); // true
 * ```
 * @param pattern The pattern.
 * @param opts Whether `**` is special.
 * @returns The expression.
 * @throws {BuildError} ERR_BUILD for a malformed character class.
 */
export function globToRegExp(pattern: string, opts: { doubleStar?: boolean } = {}): RegExp {
  let re = "^";
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === "*") {
      if (opts.doubleStar && chars[i + 1] === "*") {
        i++;
        if (chars[i + 1] === "/") {
          i++;
          re += "(?:.*/)?";
        } else re += ".*";
      } else re += "[^/]*";
    } else if (ch === "?") re += "[^/]";
    else if (ch === "\\") {
      i++;
      if (i >= chars.length) {
        throw new BuildError(`Bad pattern ${JSON.stringify(pattern)}: ends with \\`);
      }
      re += escapeRegExp(chars[i]!);
    } else if (ch === "[") {
      let j = i + 1;
      let cls = "[";
      if (chars[j] === "^" || chars[j] === "!") {
        cls += "^";
        j++;
      }
      let closed = false;
      let first = true;
      for (; j < chars.length; j++) {
        const c = chars[j]!;
        if (c === "]" && !first) {
          closed = true;
          break;
        }
        first = false;
        if (c === "\\") {
          j++;
          if (j >= chars.length) break;
          cls += escapeRegExp(chars[j]!);
        } else if (c === "-") cls += "-";
        else cls += escapeRegExp(c);
      }
      if (!closed) {
        throw new BuildError(
          `Bad pattern ${JSON.stringify(pattern)}: unterminated character class`,
        );
      }
      re += cls.startsWith("[^") ? `${cls}/]` : `${cls}]`;
      i = j;
    } else re += escapeRegExp(ch);
  }
  return new RegExp(`${re}$`, "u");
}
