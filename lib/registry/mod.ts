/**
 * OCI distribution client: references, a {@linkcode Registry} and its {@linkcode Repository}
 * (a `GraphTarget`, `TagLister` and `Deleter`), authentication and credential providers, and the
 * referrers tag schema.
 *
 * @example
 * ```ts ignore
 * import { openRepository, staticCredentials } from "@ocisign/ocisign/registry";
 * const { repository, reference } = openRepository("localhost:5000/hello-world:v1", {
 *   credentials: staticCredentials({ username: "u", password: "p" }),
 * });
 * const desc = await repository.resolve(reference ?? "latest");
 * for await (const r of repository.referrers(desc)) console.log(r.digest);
 * ```
 *
 * @example Parse a reference (no network)
 * ```ts
 * import { formatReference, parseReference } from "@ocisign/ocisign/registry";
 *
 * const ref = parseReference("localhost:5000/hello-world:v1");
 * if (ref.registry !== "localhost:5000" || ref.repository !== "hello-world" || ref.tag !== "v1") {
 *   throw new Error(`unexpected ${JSON.stringify(ref)}`);
 * }
 * if (formatReference(ref) !== "localhost:5000/hello-world:v1") throw new Error("round trip failed");
 * ```
 *
 * @module
 */
export * from "./reference.ts";
export * from "./credentials.ts";
export * from "./http_client.ts";
export * from "./env_timeout.ts";
export * from "./repository.ts";
export * from "./registry.ts";
export * from "./referrers_tag.ts";
export * from "./docker_login.ts";

// Types the exports above refer to, defined in other modules.
export type { Bytes } from "../_internal/bytes.ts";
export type {
  ByteRange,
  Deleter,
  Fetcher,
  GraphTarget,
  Mounter,
  MountOptions,
  Op,
  Pusher,
  RangeFetcher,
  ReadOnlyStorage,
  ReadOnlyTarget,
  ReferrerLister,
  Resolver,
  Tagger,
  TagLister,
  Target,
  Untagger,
} from "../content/storage.ts";
export type { DigestAlgorithm } from "../digest/digest.ts";
export type { Hasher, HasherFactory } from "../digest/hasher.ts";
export type { Descriptor, Platform } from "../oci/descriptor.ts";
