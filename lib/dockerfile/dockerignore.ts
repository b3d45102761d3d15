/**
 * `.dockerignore` as Docker reads it: one pattern a line, `#` comments, `!` exceptions, `**`
 * for any number of directories, patterns cleaned and made relative to the context root, the
 * last matching pattern wins, and a pattern that matches a directory excludes what is inside.
 *
 * @see https://docs.docker.com/build/concepts/context/#dockerignore-files
 * @module
 */
import { InvalidInputError } from "../errors.ts";
import { compileGlob, MAX_GLOB_LENGTH, showPattern } from "./glob.ts";
import type { GlobMatcher } from "./glob.ts";

interface IgnorePattern {
  glob: GlobMatcher;
  exclusion: boolean;
}

/**
 * Normalises a relative path: resolves `.` and `..` segments, drops empty segments and any
 * leading `/`. A result starting with `..` means the path leaves its root.
 *
 * @example
 * ```ts
 * import { cleanPath } from "./dockerignore.ts";
 * console.log(cleanPath("/a//b/../c/.")); // "a/c"
 * ```
 * @param path The path.
 * @returns The cleaned path (`.` for the root).
 */
export function cleanPath(path: string): string {
  const out: string[] = [];
  let up = 0;
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0) out.pop();
      else if (!path.startsWith("/")) up++;
      continue;
    }
    out.push(part);
  }
  const joined = [...Array<string>(up).fill(".."), ...out].join("/");
  return joined === "" ? "." : joined;
}

/** Decides which context paths a `.dockerignore` excludes. */
export class DockerIgnore {
  #patterns: IgnorePattern[];

  /**
   * Parses `.dockerignore` text.
   *
   * @example
   * ```ts
   * import { DockerIgnore } from "./dockerignore.ts";
   * const ig = new DockerIgnore("*.log\n!keep.log\nbuild/\n**\/*.tmp\n");
   * console.log(ig.excludes("a.log"), ig.excludes("keep.log"), ig.excludes("build/x")); // true false true
   * ```
   * @param text The file's content (empty for none).
   * @throws {InvalidInputError} ERR_INVALID_INPUT for a malformed pattern or one longer than
   * {@linkcode MAX_GLOB_LENGTH} characters (shown cut short).
   */
  constructor(text: string) {
    this.#patterns = [];
    for (const [index, rawLine] of text.split(/\r?\n/).entries()) {
      let line = rawLine.trim();
      if (line.length > MAX_GLOB_LENGTH) {
        throw new InvalidInputError(
          `.dockerignore line ${index + 1}: the pattern ${
            showPattern(line)
          } is longer than ${MAX_GLOB_LENGTH} characters; shorten it`,
        );
      }
      if (line === "" || line.startsWith("#")) continue;
      let exclusion = false;
      if (line.startsWith("!")) {
        exclusion = true;
        line = line.slice(1).trim();
      }
      let pattern = cleanPath(line.startsWith("/") ? line : `/${line}`);
      if (pattern === ".") continue;
      pattern = pattern.replace(/^\/+/, "");
      let glob: GlobMatcher;
      try {
        glob = compileGlob(pattern, { doubleStar: true });
      } catch (cause) {
        throw new InvalidInputError(
          `.dockerignore line ${index + 1}: ${(cause as Error).message}`,
          { cause },
        );
      }
      this.#patterns.push({ glob, exclusion });
    }
  }

  /** Whether any `!` exception patterns exist (excluded directories must then still be walked). */
  get hasExceptions(): boolean {
    return this.#patterns.some((p) => p.exclusion);
  }

  /**
   * Whether a context-relative path is excluded.
   *
   * @param path A cleaned, context-relative path with `/` separators.
   * @returns True when the last pattern matching the path or one of its parents excludes it.
   */
  excludes(path: string): boolean {
    const parents: string[] = [];
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) parents.push(parts.slice(0, i).join("/"));
    let excluded = false;
    for (const p of this.#patterns) {
      const match = p.glob.test(path) || parents.some((parent) => p.glob.test(parent));
      if (match) excluded = !p.exclusion;
    }
    return excluded;
  }
}
