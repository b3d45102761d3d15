/**
 * OCI model: media types, descriptors, manifests, indexes.
 *
 * @module
 */
export * from "./media_types.ts";
export * from "./descriptor.ts";
export * from "./platform.ts";
export * from "./reference_grammar.ts";
