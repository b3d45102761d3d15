/**
 * The COSE envelope (`application/cose`): a tagged COSE_Sign1 (tag 18) with an attached payload,
 * byte-compatible with notation (deterministic CBOR, times as tag 1, `x5chain` always an array
 * in the unprotected header).
 *
 * @see https://github.com/notaryproject/specifications/blob/main/specs/signature-envelope-cose.md
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { EnvelopeInvalidError, OcisignError } from "../errors.ts";
import { MEDIA_TYPE_COSE, MEDIA_TYPE_NOTARY_PAYLOAD } from "../oci/media_types.ts";
import { Certificate } from "../x509/certificate.ts";
import { keySpecByCoseAlgorithm } from "../x509/key_spec.ts";
import { CborMap, CborTag, decodeCbor, encodeCbor } from "./cbor/mod.ts";
import type { CborValue } from "./cbor/mod.ts";
import { MAX_CHAIN_LENGTH } from "./envelope.ts";
import type { EnvelopeContent, ParsedEnvelope, UnsignedAttributes } from "./envelope.ts";
import { HEADER, unverified, verifyDecoded } from "./_rules.ts";
import type { DecodedEnvelope, DecodedSignedHeaders } from "./_rules.ts";
import { signChecked } from "./_sign_request.ts";
import type { PreparedSignRequest } from "./_sign_request.ts";
import { verifyRawSignature } from "./_verify_signature.ts";

/** COSE header labels used by the Notary Project. */
export const COSE_LABEL: Readonly<{ alg: 1; crit: 2; contentType: 3; x5chain: 33 }> = Object.freeze(
  { alg: 1, crit: 2, contentType: 3, x5chain: 33 },
);

/** CBOR tag of COSE_Sign1. */
const TAG_COSE_SIGN1 = 18;
/** CBOR tag of an epoch date-time. */
const TAG_EPOCH = 1;

const STANDARD_KEYS = new Set<string | number>([
  COSE_LABEL.alg,
  COSE_LABEL.crit,
  COSE_LABEL.contentType,
  HEADER.signingScheme,
  HEADER.signingTime,
  HEADER.authenticSigningTime,
  HEADER.expiry,
]);
const NEVER_CRITICAL = new Set<string | number>([
  COSE_LABEL.alg,
  COSE_LABEL.crit,
  COSE_LABEL.contentType,
  HEADER.signingTime,
]);

function epoch(d: Date): CborTag {
  return new CborTag(TAG_EPOCH, Math.floor(d.getTime() / 1000));
}

function sigStructure(protectedBytes: Bytes, payload: Bytes): Bytes {
  return encodeCbor(["Signature1", protectedBytes, new Uint8Array(0), payload]);
}

function toCbor(value: unknown, key: string): CborValue {
  if (
    value === null || typeof value === "string" || typeof value === "number" ||
    typeof value === "boolean" || typeof value === "bigint" || value instanceof Uint8Array
  ) {
    return value as CborValue;
  }
  if (Array.isArray(value)) return value.map((v) => toCbor(v, key));
  if (value instanceof CborMap || value instanceof CborTag) return value;
  if (typeof value === "object") {
    return new CborMap(Object.entries(value as object).map(([k, v]) => [k, toCbor(v, key)]));
  }
  throw new TypeError(`Extended attribute "${key}" has a value CBOR cannot carry`);
}

/**
 * Builds a signed COSE envelope.
 * @param req The prepared request (validated by `signEnvelope`).
 * @returns The envelope bytes.
 */
export async function signCose(req: PreparedSignRequest): Promise<Bytes> {
  const header = new CborMap();
  const crit: string[] = [HEADER.signingScheme];
  header.set(COSE_LABEL.alg, req.signer.keySpec.coseAlgorithm);
  header.set(COSE_LABEL.contentType, MEDIA_TYPE_NOTARY_PAYLOAD);
  header.set(HEADER.signingScheme, req.signingScheme);
  if (req.signingScheme === "notary.x509") header.set(HEADER.signingTime, epoch(req.signingTime));
  else {
    header.set(HEADER.authenticSigningTime, epoch(req.signingTime));
    crit.push(HEADER.authenticSigningTime);
  }
  if (req.expiry) {
    header.set(HEADER.expiry, epoch(req.expiry));
    crit.push(HEADER.expiry);
  }
  for (const a of req.extendedAttributes) {
    header.set(a.key, toCbor(a.value, a.key));
    if (a.critical) crit.push(a.key);
  }
  header.set(COSE_LABEL.crit, crit);
  const protectedBytes = encodeCbor(header);
  const signature = await signChecked(req, sigStructure(protectedBytes, req.payload));
  const unprotected = new CborMap([[
    COSE_LABEL.x5chain,
    req.signer.certificateChain.map((c) => c.raw),
  ]]);
  if (req.signingAgent) unprotected.set(HEADER.signingAgent, req.signingAgent);
  if (req.timestamp) unprotected.set(HEADER.timestampSignature, await req.timestamp(signature));
  return encodeCbor(
    new CborTag(TAG_COSE_SIGN1, [protectedBytes, unprotected, req.payload, signature]),
  );
}

function invalid(message: string, cause?: unknown): never {
  throw new EnvelopeInvalidError(
    `Invalid COSE envelope: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

function decode(bytes: Bytes, what: string): CborValue {
  try {
    return decodeCbor(bytes);
  } catch (cause) {
    if (cause instanceof OcisignError) invalid(`${what}: ${cause.message}`, cause);
    throw cause;
  }
}

function time(header: CborMap, key: string): Date | undefined {
  if (!header.has(key)) return undefined;
  const v = header.get(key);
  if (!(v instanceof CborTag)) {
    invalid(`"${key}" does not have a tag; only Tag 1 Datetime CBOR object is supported`);
  }
  if (v.tag !== TAG_EPOCH) {
    invalid(`"${key}": only Tag 1 Datetime CBOR object is supported, got tag ${v.tag}`);
  }
  if (typeof v.value !== "number" || !Number.isFinite(v.value)) {
    invalid(`"${key}" must be a Tag 1 epoch number`);
  }
  const d = new Date(v.value * 1000);
  if (Number.isNaN(d.getTime())) invalid(`"${key}" is out of range`);
  return d;
}

/**
 * Parses a COSE envelope; nothing is trusted until `verify()` resolves.
 * @param bytes The envelope.
 * @returns The parsed envelope.
 * @throws {EnvelopeInvalidError} ERR_ENVELOPE_INVALID when the bytes are malformed.
 */
export function parseCose(bytes: Bytes): ParsedEnvelope {
  // go-cose accepts only the one-byte tag 18 followed by a 4-element array.
  if (bytes.length < 2 || bytes[0] !== 0xd2 || bytes[1] !== 0x84) {
    invalid("not a tagged COSE_Sign1 object (expected CBOR tag 18 around a 4-element array)");
  }
  const outer = decode(bytes, "COSE_Sign1") as CborTag;
  const parts = outer.value as CborValue[];
  const [protectedBytes, unprotected, payload, signature] = parts;
  if (!(protectedBytes instanceof Uint8Array)) invalid("protected header must be a byte string");
  if (!(unprotected instanceof CborMap)) invalid("unprotected header must be a map");
  if (!(payload instanceof Uint8Array)) invalid("payload must be attached as a byte string");
  if (!(signature instanceof Uint8Array)) invalid("signature must be a byte string");
  const header = protectedBytes.length === 0
    ? new CborMap()
    : decode(protectedBytes, "protected header");
  if (!(header instanceof CborMap)) invalid("protected header is not a map");
  for (const key of unprotected.keys()) {
    if (header.has(key)) {
      invalid(
        `header label ${JSON.stringify(key)} is in both the protected and unprotected headers`,
      );
    }
  }
  const x5chain = unprotected.get(COSE_LABEL.x5chain);
  if (!Array.isArray(x5chain) || x5chain.length === 0) {
    invalid(
      "certificate chain is not present (x5chain must be a non-empty array in the unprotected header)",
    );
  }
  if (x5chain.length > MAX_CHAIN_LENGTH) {
    invalid(`x5chain has more than ${MAX_CHAIN_LENGTH} certificates`);
  }
  const chain = x5chain.map((entry, i) => {
    if (!(entry instanceof Uint8Array)) invalid(`x5chain[${i}] must be a byte string`);
    try {
      return new Certificate(entry);
    } catch (cause) {
      invalid(
        i === 0 ? "malformed leaf certificate" : `malformed certificate x5chain[${i}]`,
        cause,
      );
    }
  });
  const unsigned: UnsignedAttributes = {};
  const agent = unprotected.get(HEADER.signingAgent);
  if (agent !== undefined) {
    if (typeof agent !== "string") invalid(`"${HEADER.signingAgent}" must be a text string`);
    unsigned.signingAgent = agent;
  }
  const tst = unprotected.get(HEADER.timestampSignature);
  if (tst !== undefined) {
    if (!(tst instanceof Uint8Array)) {
      invalid(`"${HEADER.timestampSignature}" must be a byte string`);
    }
    unsigned.timestampSignature = tst;
  }
  const scheme = header.get(HEADER.signingScheme);
  if (scheme !== undefined && typeof scheme !== "string") {
    invalid(`"${HEADER.signingScheme}" must be a text string`);
  }
  const extended = new Map<string | number, unknown>();
  for (const [k, v] of header.entries()) if (!STANDARD_KEYS.has(k)) extended.set(k, v);
  const headers: DecodedSignedHeaders = {
    crit: header.get(COSE_LABEL.crit),
    signingScheme: scheme,
    signingTime: time(header, HEADER.signingTime),
    authenticSigningTime: time(header, HEADER.authenticSigningTime),
    expiry: time(header, HEADER.expiry),
    extended,
    present: new Set(header.keys()),
    neverCritical: NEVER_CRITICAL,
  };
  const alg = header.get(COSE_LABEL.alg);
  const decoded: DecodedEnvelope = {
    algorithmName: typeof alg === "number" ? `COSE ${alg}` : String(alg),
    algorithm: keySpecByCoseAlgorithm(alg),
    contentType: header.get(COSE_LABEL.contentType),
    headers,
    unsigned,
    chain,
    signature,
    payload,
    verifySignature: (spec, leaf) =>
      verifyRawSignature(spec, leaf, signature, sigStructure(protectedBytes, payload)),
    verificationError: () => "verification error",
  };
  return {
    mediaType: MEDIA_TYPE_COSE,
    certificates: chain,
    verify: (): Promise<EnvelopeContent> => verifyDecoded(decoded),
    unverifiedContent: (): EnvelopeContent => unverified(decoded),
  };
}
