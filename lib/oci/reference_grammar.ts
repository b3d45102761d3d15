/**
 * The tag and repository grammars of the OCI distribution spec, the one copy every reference
 * parser checks against.
 *
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
 * @module
 */

/**
 * Matches a repository name: lower-case path components joined by `/`, each separated inside
 * by `.`, `_`, `__` or runs of `-` (the language of distribution's regexp, written without
 * nested unbounded quantifiers so that it cannot backtrack exponentially).
 *
 * @example
 * ```ts
 * import { REPOSITORY_REGEXP } from "./reference_grammar.ts";
 * console.log(REPOSITORY_REGEXP.test("org/hello-world"), REPOSITORY_REGEXP.test("Org")); // true false
 * ```
 */
export const REPOSITORY_REGEXP =
  /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/**
 * Matches a tag: a word character, then up to 127 word characters, `.` or `-`.
 *
 * @example
 * ```ts
 * import { TAG_REGEXP } from "./reference_grammar.ts";
 * console.log(TAG_REGEXP.test("v1.0"), TAG_REGEXP.test(".v1")); // true false
 * ```
 */
export const TAG_REGEXP = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
