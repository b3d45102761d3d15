/**
 * Digests: parsing, one-shot hashing, incremental hashers and stream verification.
 *
 * @example
 * ```ts
 * import { pureHasherFactory, verifyStream } from "@ocisign/ocisign/digest";
 * const ok = verifyStream(new Blob(["{}"]).stream(), {
 *   digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
 *   size: 2,
 * }, pureHasherFactory);
 * console.log(await new Response(ok).text());
 * ```
 *
 * @module
 */
export * from "./digest.ts";
export * from "./digest_bytes.ts";
export type * from "./hasher.ts";
export * from "./sha256.ts";
export * from "./sha512.ts";
export * from "./pure_hasher.ts";
export * from "./verify_stream.ts";

// Types the exports above refer to, defined in other modules.
export type { Bytes } from "../_internal/bytes.ts";
export type { BlockHasher } from "./_block_hasher.ts";
