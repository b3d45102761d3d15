/**
 * Registry references: `registry[:port]/repository[:tag][@digest]`, parsed as oras does (the
 * registry part is required; `docker.io` is served by `registry-1.docker.io`).
 *
 * @see https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pulling-manifests
 * @module
 */
import { InvalidReferenceError } from "../errors.ts";
import { parseDigest } from "../digest/digest.ts";
import { REPOSITORY_REGEXP, TAG_REGEXP } from "../oci/reference_grammar.ts";

export { REPOSITORY_REGEXP, TAG_REGEXP };

/** A parsed registry reference. */
export interface RegistryReference {
  /** Registry host with optional port, as written (`localhost:5000`, `docker.io`). */
  registry: string;
  /** Repository name (`hello-world`, `org/app`). */
  repository: string;
  /** Tag, when given. */
  tag?: string;
  /** Digest, when given (it wins over the tag for resolution). */
  digest?: string;
}

const HOST_REGEXP =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]{1,5})?$/;

/**
 * Parses `registry/repository[:tag][@digest]`.
 *
 * @example
 * ```ts
 * import { parseReference } from "./reference.ts";
 * const ref = parseReference("localhost:5000/hello-world:v1");
 * console.log(ref.registry, ref.repository, ref.tag); // localhost:5000 hello-world v1
 * ```
 * @param text The reference as the user typed it.
 * @returns The parsed reference.
 * @throws {InvalidReferenceError} ERR_INVALID_REFERENCE when malformed or without a registry.
 */
export function parseReference(text: string): RegistryReference {
  const slash = text.indexOf("/");
  if (slash <= 0) {
    throw new InvalidReferenceError(
      text,
      "missing registry or repository; write it as <registry>/<repository>[:tag|@digest], e.g. localhost:5000/hello-world:v1",
    );
  }
  const registry = text.slice(0, slash);
  if (!HOST_REGEXP.test(registry)) {
    throw new InvalidReferenceError(text, `invalid registry host ${JSON.stringify(registry)}`);
  }
  let rest = text.slice(slash + 1);
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    try {
      parseDigest(digest);
    } catch (err) {
      throw new InvalidReferenceError(text, `invalid digest ${JSON.stringify(digest)}`, {
        cause: err,
      });
    }
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_REGEXP.test(tag)) {
      throw new InvalidReferenceError(text, `invalid tag ${JSON.stringify(tag)}`);
    }
  }
  if (!REPOSITORY_REGEXP.test(rest)) {
    throw new InvalidReferenceError(
      text,
      `invalid repository name ${
        JSON.stringify(rest)
      }; use lower-case letters, digits and separators`,
    );
  }
  if (registry.length + 1 + rest.length > 255) {
    throw new InvalidReferenceError(text, "registry and repository together exceed 255 characters");
  }
  const ref: RegistryReference = { registry, repository: rest };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/**
 * Formats a reference back to text (`registry/repository[:tag][@digest]`).
 *
 * @example
 * ```ts
 * import { formatReference } from "./reference.ts";
 * console.log(formatReference({ registry: "localhost:5000", repository: "a", tag: "v1" }));
 * ```
 * @param ref The reference.
 * @returns Its canonical text.
 */
export function formatReference(ref: RegistryReference): string {
  let s = `${ref.registry}/${ref.repository}`;
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

/**
 * The host that serves a registry name: `docker.io` is served by `registry-1.docker.io`.
 *
 * @example
 * ```ts
 * import { registryHost } from "./reference.ts";
 * console.log(registryHost("docker.io")); // registry-1.docker.io
 * ```
 * @param registry The registry as written in a reference.
 * @returns The host (with port) to connect to.
 */
export function registryHost(registry: string): string {
  return registry === "docker.io" ? "registry-1.docker.io" : registry;
}
