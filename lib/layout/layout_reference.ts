/**
 * Parses layout references (`./dir:tag`, `./dir@sha256:…`, `./image.tar:v1`) as notation and
 * oras do.
 *
 * @module
 */
import { isDigest } from "../digest/digest.ts";
import { InvalidReferenceError } from "../errors.ts";
import { TAG_REGEXP } from "../oci/reference_grammar.ts";

/** A parsed layout reference. */
export interface LayoutReference {
  /** The layout directory or tar file. */
  path: string;
  /** The tag, when the reference names one. */
  tag?: string;
  /** The digest, when the reference names one. */
  digest?: string;
}

/**
 * Splits a layout reference: at the last `@` into path and digest when there is an `@`,
 * otherwise at the last `:` into path and tag; with neither, the whole text is the path (the
 * caller decides whether a tag or digest is required).
 *
 * @example
 * ```ts
 * import { parseLayoutReference } from "./layout_reference.ts";
 * console.log(parseLayoutReference("./hello-world:v1")); // { path: "./hello-world", tag: "v1" }
 * ```
 * @param text The reference.
 * @returns Path plus tag or digest.
 * @throws {InvalidReferenceError} ERR_INVALID_REFERENCE when the path is empty, or the tag or
 *   digest is malformed.
 */
export function parseLayoutReference(text: string): LayoutReference {
  const at = text.lastIndexOf("@");
  if (at >= 0) {
    const path = text.slice(0, at);
    const digest = text.slice(at + 1);
    if (path === "") throw new InvalidReferenceError(text, "missing the layout path before @");
    if (!isDigest(digest)) {
      throw new InvalidReferenceError(
        text,
        "expecting <path>@<digest> with a sha256 or sha512 digest",
      );
    }
    return { path, digest };
  }
  const colon = text.lastIndexOf(":");
  if (colon < 0 || text.slice(colon + 1).includes("/")) {
    if (text === "") throw new InvalidReferenceError(text, "missing the layout path");
    if (colon >= 0) {
      throw new InvalidReferenceError(text, `"${text.slice(colon + 1)}" is not a valid tag`);
    }
    return { path: text };
  }
  const path = text.slice(0, colon);
  const tag = text.slice(colon + 1);
  if (path === "") throw new InvalidReferenceError(text, "missing the layout path before :");
  if (!TAG_REGEXP.test(tag)) {
    throw new InvalidReferenceError(
      text,
      `"${tag}" is not a valid tag; expecting <path>:<tag> or <path>@<digest>`,
    );
  }
  return { path, tag };
}
