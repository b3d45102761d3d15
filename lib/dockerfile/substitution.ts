/**
 * The pattern operators of Dockerfile variable expansion (Dockerfile syntax 1.7+):
 * `${VAR#pattern}`, `${VAR##pattern}`, `${VAR%pattern}`, `${VAR%%pattern}`,
 * `${VAR/pattern/replacement}` and `${VAR//pattern/replacement}`. A pattern is a shell glob
 * without bracket expressions: `?` is one character, `*` any run of characters, and `\` escapes
 * `*`, `?` and `\` (a `\` before `}` or `/` is dropped, since those only needed escaping inside
 * `${...}`).
 *
 * @see https://docs.docker.com/reference/dockerfile/#environment-replacement
 * @module
 */
import { BuildError } from "../errors.ts";

const REGEXP_SPECIAL = new Set(["[", "]", "{", "}", ".", "+", "(", ")", "|", "^", "$"]);

/**
 * Compiles a substitution pattern to a regular expression.
 *
 * @example
 * ```ts
 * import { shellPatternToRegExp } from "./substitution.ts";
 * console.log(shellPatternToRegExp("f*b", { greedy: false, anchored: true }).source); // ^f[^\n]*?b
 * ```
 * @param pattern The pattern as written (escapes kept).
 * @param opts Whether `*` is greedy and whether the match is anchored at the start.
 * @returns The expression.
 * @throws {BuildError} ERR_BUILD for an escape other than `\*`, `\?`, `\\`, `\}` or `\/`.
 */
export function shellPatternToRegExp(
  pattern: string,
  opts: { greedy: boolean; anchored: boolean },
): RegExp {
  const chars = [...pattern];
  let out = opts.anchored ? "^" : "";
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === "*") out += opts.greedy ? "[^\\n]*" : "[^\\n]*?";
    else if (ch === "?") out += "[^\\n]";
    else if (ch === "\\") {
      const next = chars[i + 1];
      if (next === "}" || next === "/") continue;
      if (next !== "*" && next !== "?" && next !== "\\") {
        throw new BuildError(
          `Invalid pattern (${pattern}) in substitution: invalid escape '\\${
            next ?? ""
          }'; only \\*, \\? and \\\\ are allowed`,
        );
      }
      out += `\\${next}`;
      i++;
    } else out += REGEXP_SPECIAL.has(ch) ? `\\${ch}` : ch;
  }
  return new RegExp(out, "u");
}

/** Reverses a pattern, keeping each `\x` escape pair in order (`a\*c` → `c\*a`). */
function reversePattern(pattern: string): string {
  const chars = [...pattern];
  const tokens: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] === "\\" && i + 1 < chars.length) {
      tokens.push(`\\${chars[i + 1]}`);
      i++;
    } else tokens.push(chars[i]!);
  }
  return tokens.reverse().join("");
}

function reverseString(text: string): string {
  return [...text].reverse().join("");
}

/**
 * Removes the shortest (or, with `greedy`, the longest) match of a pattern from the start of a
 * value (`${VAR#p}`, `${VAR##p}`) or from its end (`${VAR%p}`, `${VAR%%p}`).
 *
 * @example
 * ```ts
 * import { trimPattern } from "./substitution.ts";
 * console.log(trimPattern("foobarbaz", "f*b", { fromEnd: false, greedy: false })); // arbaz
 * console.log(trimPattern("foobarbaz", "b*", { fromEnd: true, greedy: true })); // foo
 * ```
 * @param value The variable's value.
 * @param pattern The pattern.
 * @param opts Which end, and shortest or longest match.
 * @returns The trimmed value (unchanged when the pattern does not match).
 * @throws {BuildError} ERR_BUILD for an invalid escape in the pattern.
 */
export function trimPattern(
  value: string,
  pattern: string,
  opts: { fromEnd: boolean; greedy: boolean },
): string {
  if (opts.fromEnd) {
    // A regular expression cannot find the shortest match ending at the end, so search the
    // reversed value with the reversed pattern from the start instead.
    const reversed = trimPattern(reverseString(value), reversePattern(pattern), {
      fromEnd: false,
      greedy: opts.greedy,
    });
    return reverseString(reversed);
  }
  const match = shellPatternToRegExp(pattern, { greedy: opts.greedy, anchored: true }).exec(value);
  return match === null ? value : value.slice(match[0].length);
}

/**
 * Replaces the first (or every) match of a pattern in a value (`${VAR/p/r}`, `${VAR//p/r}`).
 * Wildcards match as much as they can; the replacement is inserted literally.
 *
 * @example
 * ```ts
 * import { replacePattern } from "./substitution.ts";
 * console.log(replacePattern("foobarbaz", "ba", "fo", false)); // fooforbaz
 * console.log(replacePattern("foobarbaz", "ba", "fo", true)); // fooforfoz
 * ```
 * @param value The variable's value.
 * @param pattern The pattern.
 * @param replacement The replacement text.
 * @param all Whether to replace every match.
 * @returns The new value.
 * @throws {BuildError} ERR_BUILD for an invalid escape in the pattern.
 */
export function replacePattern(
  value: string,
  pattern: string,
  replacement: string,
  all: boolean,
): string {
  const re = shellPatternToRegExp(pattern, { greedy: true, anchored: false });
  if (!all) {
    const match = re.exec(value);
    if (match === null) return value;
    return value.slice(0, match.index) + replacement + value.slice(match.index + match[0].length);
  }
  const global = new RegExp(re.source, "gu");
  let out = "";
  let last = 0;
  let previousEnd = -1;
  for (let m = global.exec(value); m !== null; m = global.exec(value)) {
    const empty = m[0].length === 0;
    // As in Go's ReplaceAll, an empty match right after a previous match is not replaced.
    if (!(empty && m.index === previousEnd)) {
      out += value.slice(last, m.index) + replacement;
      last = m.index + m[0].length;
    }
    previousEnd = m.index + m[0].length;
    if (empty) {
      if (m.index >= value.length) break;
      const step = String.fromCodePoint(value.codePointAt(m.index)!).length;
      out += value.slice(last, m.index + step);
      last = m.index + step;
      global.lastIndex = last;
    }
  }
  return out + value.slice(last);
}
