/**
 * Builds validly signed but deliberately odd envelopes for rejection tests: any protected
 * header, payload or chain, signed over exactly the bytes given.
 *
 * @module
 */
import { concat, toBase64, toBase64Url, utf8 } from "../../lib/_internal/bytes.ts";
import type { Bytes } from "../../lib/_internal/bytes.ts";
import { CborMap, CborTag, encodeCbor } from "../../lib/signature/cbor/mod.ts";
import type { CborValue } from "../../lib/signature/cbor/mod.ts";
import type { Certificate } from "../../lib/x509/certificate.ts";
import { createPayload } from "../../lib/signature/payload.ts";

/** Signs raw bytes. */
export type SignFn = (data: Bytes) => Promise<Bytes>;

/** The payload used by crafted envelopes. */
export const PAYLOAD: Bytes = createPayload({
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  digest: "sha256:" + "cd".repeat(32),
  size: 42,
});

/** A now-ish RFC 3339 time. */
export function rfc3339(offsetSeconds = 0): string {
  return new Date(Math.floor(Date.now() / 1000 + offsetSeconds) * 1000).toISOString().replace(
    ".000Z",
    "Z",
  );
}

/** A valid x509-scheme JWS protected header for `alg`. */
export function jwsHeader(
  alg: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    alg,
    crit: ["io.cncf.notary.signingScheme"],
    cty: "application/vnd.cncf.notary.payload.v1+json",
    "io.cncf.notary.signingScheme": "notary.x509",
    "io.cncf.notary.signingTime": rfc3339(-60),
    ...extra,
  };
}

/** Options of {@linkcode craftJws}. */
export interface CraftJwsOptions {
  /** The protected header (object, or exact base64url text). */
  header: Record<string, unknown> | string;
  sign: SignFn;
  chain: readonly Certificate[];
  /** Payload bytes (default {@linkcode PAYLOAD}). */
  payload?: Bytes;
  /** Change the envelope object after signing. */
  mutate?: (env: Record<string, unknown>) => void;
}

/** A JWS signed over exactly the given header and payload. */
export async function craftJws(o: CraftJwsOptions): Promise<Bytes> {
  const protectedB64 = typeof o.header === "string"
    ? o.header
    : toBase64Url(utf8(JSON.stringify(o.header)));
  const payloadB64 = toBase64Url(o.payload ?? PAYLOAD);
  const signature = await o.sign(utf8(`${protectedB64}.${payloadB64}`));
  const env: Record<string, unknown> = {
    payload: payloadB64,
    protected: protectedB64,
    header: { x5c: o.chain.map((c) => toBase64(c.raw)), "io.cncf.notary.signingAgent": "test" },
    signature: toBase64Url(signature),
  };
  o.mutate?.(env);
  return utf8(JSON.stringify(env));
}

/** A valid x509-scheme COSE protected header for `alg`. */
export function coseHeader(alg: CborValue, extra: [string | number, CborValue][] = []): CborMap {
  return new CborMap([
    [1, alg],
    [2, ["io.cncf.notary.signingScheme"]],
    [3, "application/vnd.cncf.notary.payload.v1+json"],
    ["io.cncf.notary.signingScheme", "notary.x509"],
    ["io.cncf.notary.signingTime", new CborTag(1, Math.floor(Date.now() / 1000) - 60)],
    ...extra,
  ]);
}

/** Options of {@linkcode craftCose}. */
export interface CraftCoseOptions {
  /** The protected header map, or its exact bytes. */
  header: CborMap | Bytes;
  sign: SignFn;
  chain: readonly Certificate[];
  /** Replace the unprotected header (default: x5chain array). */
  unprotected?: CborMap;
  payload?: Bytes;
  /** Leave out tag 18. */
  untagged?: boolean;
}

/** A COSE_Sign1 signed over exactly the given header and payload. */
export async function craftCose(o: CraftCoseOptions): Promise<Bytes> {
  const protectedBytes = o.header instanceof CborMap ? encodeCbor(o.header) : o.header;
  const payload = o.payload ?? PAYLOAD;
  const toBeSigned = encodeCbor(["Signature1", protectedBytes, new Uint8Array(0), payload]);
  const signature = await o.sign(toBeSigned);
  const unprotected = o.unprotected ?? new CborMap([[33, o.chain.map((c) => c.raw)]]);
  const body: CborValue[] = [protectedBytes, unprotected, payload, signature];
  return encodeCbor(o.untagged ? body : new CborTag(18, body));
}

/** Flips one bit of `bytes` at `index` (a copy). */
export function flip(bytes: Bytes, index: number): Bytes {
  const out = concat([bytes]);
  out[index] = out[index]! ^ 0x01;
  return out;
}
