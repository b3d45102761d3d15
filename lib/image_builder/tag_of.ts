/**
 * The tag part of a `-t` image name.
 *
 * @module
 */
import { BuildError } from "../errors.ts";
import { TAG_REGEXP } from "../oci/reference_grammar.ts";

/**
 * Turns a `-t` name into the tag applied in the output, as Docker reads names
 * (`hello-world:v1` → `v1`, `hello-world` and `localhost:5000/app` → `latest`).
 *
 * @example
 * ```ts
 * import { tagOf } from "./tag_of.ts";
 * console.log(tagOf("hello-world:v1"), tagOf("localhost:5000/app"), tagOf("app")); // v1 latest latest
 * ```
 * @param name The name as given.
 * @returns The tag.
 * @throws {BuildError} ERR_BUILD when the tag is not a valid OCI tag.
 */
export function tagOf(name: string): string {
  const tail = name.slice(name.lastIndexOf("/") + 1).replace(/@.*$/, "");
  const colon = tail.lastIndexOf(":");
  const tag = colon === -1 ? "latest" : tail.slice(colon + 1);
  if (!TAG_REGEXP.test(tag)) {
    throw new BuildError(`Invalid tag in ${JSON.stringify(name)}: use letters, digits, _ . -`);
  }
  return tag;
}
