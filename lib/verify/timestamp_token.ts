/**
 * RFC 3161 timestamp token verification, shared with signing (see
 * `lib/signature/timestamp_token.ts`).
 *
 * @module
 */
export * from "../signature/timestamp_token.ts";
