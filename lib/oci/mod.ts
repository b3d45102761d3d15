/**
 * OCI model: media types, descriptors, manifests, indexes.
 *
 * @example Platforms as written on the command line
 * ```ts
 * import { formatPlatform, MEDIA_TYPE_OCI_MANIFEST, type Manifest, parsePlatform } from "@ocisign/ocisign/oci";
 *
 * const platform = parsePlatform("linux/arm64/v8");
 * if (formatPlatform(platform) !== "linux/arm64/v8") throw new Error("round trip failed");
 *
 * const manifest: Manifest = {
 *   schemaVersion: 2,
 *   mediaType: MEDIA_TYPE_OCI_MANIFEST,
 *   config: { mediaType: "application/vnd.oci.empty.v1+json", digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", size: 2 },
 *   layers: [],
 * };
 * if (manifest.config.size !== 2) throw new Error("unexpected config");
 * ```
 *
 * @module
 */
export * from "./media_types.ts";
export * from "./descriptor.ts";
export * from "./platform.ts";
export * from "./reference_grammar.ts";
