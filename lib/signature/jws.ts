/**
 * The JWS envelope (`application/jose+json`): flattened JSON serialisation with one signature,
 * byte-compatible with notation.
 *
 * @see https://github.com/notaryproject/specifications/blob/main/specs/signature-envelope-jws.md
 * @module
 */
import {
  fromBase64,
  fromBase64Url,
  fromUtf8,
  toBase64,
  toBase64Url,
  utf8,
} from "../_internal/bytes.ts";
import type { Bytes } from "../_internal/bytes.ts";
import { EnvelopeInvalidError } from "../errors.ts";
import { MEDIA_TYPE_JWS, MEDIA_TYPE_NOTARY_PAYLOAD } from "../oci/media_types.ts";
import { Certificate } from "../x509/certificate.ts";
import { keySpecByJwsAlgorithm } from "../x509/key_spec.ts";
import { MAX_CHAIN_LENGTH } from "./envelope.ts";
import type { EnvelopeContent, ParsedEnvelope, UnsignedAttributes } from "./envelope.ts";
import { goJson } from "./_go_json.ts";
import { checkGoStruct, parseStrictJson } from "./_strict_json.ts";
import { checkSignedAttributes, HEADER, unverified, verifyDecoded } from "./_rules.ts";
import { verifyJwsSignature } from "./_jws_signature.ts";
import type { DecodedEnvelope, DecodedSignedHeaders } from "./_rules.ts";
import type { PreparedSignRequest } from "./_sign_request.ts";
import { formatRfc3339, parseRfc3339 } from "./_time.ts";

const TOP_LEVEL_KEYS = new Set(["payload", "protected", "header", "signature"]);
const UNPROTECTED_KEYS = new Set(["x5c", HEADER.signingAgent, HEADER.timestampSignature]);
const STANDARD_KEYS = new Set<string | number>([
  "alg",
  "cty",
  "crit",
  HEADER.signingScheme,
  HEADER.signingTime,
  HEADER.authenticSigningTime,
  HEADER.expiry,
]);
/** The protected header's fields in notation-core-go (which Go matches without regard to case). */
const PROTECTED_FIELDS = [
  ...STANDARD_KEYS,
  HEADER.verificationPlugin,
  HEADER.verificationPluginMinVersion,
] as string[];
const NEVER_CRITICAL = new Set<string | number>(["alg", "cty", "crit", HEADER.signingTime]);

/**
 * Builds a signed JWS envelope.
 * @param req The prepared request (validated by `signEnvelope`).
 * @returns The envelope bytes.
 */
export async function signJws(req: PreparedSignRequest): Promise<Bytes> {
  const header: Record<string, unknown> = {
    alg: req.signer.keySpec.jwsAlgorithm,
    cty: MEDIA_TYPE_NOTARY_PAYLOAD,
    [HEADER.signingScheme]: req.signingScheme,
  };
  const crit: string[] = [HEADER.signingScheme];
  for (const a of req.extendedAttributes) {
    header[a.key] = a.value;
    if (a.critical) crit.push(a.key);
  }
  if (req.signingScheme === "notary.x509") {
    header[HEADER.signingTime] = formatRfc3339(req.signingTime);
  } else {
    header[HEADER.authenticSigningTime] = formatRfc3339(req.signingTime);
    crit.push(HEADER.authenticSigningTime);
  }
  if (req.expiry) {
    header[HEADER.expiry] = formatRfc3339(req.expiry);
    crit.push(HEADER.expiry);
  }
  header.crit = crit;
  const protectedB64 = toBase64Url(goJson(header, true));
  // golang-jwt re-marshals the payload as a map: sorted keys, Go escaping.
  const payloadB64 = toBase64Url(goJson(JSON.parse(fromUtf8(req.payload)), true));
  // Loaded for signing only: verifying a JWS does without it (`+ ""`: see
  // ../cli/commands/registry.ts).
  const { signChecked } = await import(
    "./_sign_request.ts" + ""
  ) as typeof import("./_sign_request.ts");
  const signature = await signChecked(req, utf8(`${protectedB64}.${payloadB64}`));
  // notation's order: timestampSignature (when present), x5c, signingAgent.
  const unprotected: Record<string, unknown> = {};
  if (req.timestamp) {
    unprotected[HEADER.timestampSignature] = toBase64(await req.timestamp(signature));
  }
  unprotected.x5c = req.signer.certificateChain.map((c) => toBase64(c.raw));
  if (req.signingAgent) unprotected[HEADER.signingAgent] = req.signingAgent;
  return goJson({
    payload: payloadB64,
    protected: protectedB64,
    header: unprotected,
    signature: toBase64Url(signature),
  }, false);
}

function invalid(message: string, cause?: unknown): never {
  throw new EnvelopeInvalidError(
    `Invalid JWS envelope: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function b64url(value: unknown, field: string): Bytes {
  if (typeof value !== "string") invalid(`"${field}" must be a string`);
  try {
    return fromBase64Url(value);
  } catch (cause) {
    invalid(`"${field}" is not unpadded base64url`, cause);
  }
}

function jsonObject(
  bytes: Bytes,
  what: string,
  goFields: readonly string[] = [],
): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseStrictJson(bytes);
  } catch (cause) {
    invalid(`${what} is not valid JSON: ${(cause as Error).message}`, cause);
  }
  if (!isObject(doc)) invalid(`${what} is not a JSON object`);
  const problem = checkGoStruct(doc, goFields);
  if (problem !== undefined) invalid(`${what} is ambiguous: ${problem}`);
  return doc;
}

function time(header: Record<string, unknown>, key: string): Date | undefined {
  if (!(key in header)) return undefined;
  const d = parseRfc3339(header[key]);
  if (!d) invalid(`"${key}" must be an RFC 3339 time string, got ${JSON.stringify(header[key])}`);
  return d;
}

/**
 * Parses a JWS envelope; nothing is trusted until `verify()` resolves.
 * @param bytes The envelope.
 * @returns The parsed envelope.
 * @throws {EnvelopeInvalidError} ERR_ENVELOPE_INVALID when the bytes are malformed.
 */
export function parseJws(bytes: Bytes): ParsedEnvelope {
  const doc = jsonObject(bytes, "the envelope");
  for (const key of Object.keys(doc)) {
    if (!TOP_LEVEL_KEYS.has(key)) invalid(`unexpected top-level field "${key}"`);
  }
  const protectedText = doc.protected;
  const payloadText = doc.payload;
  const protectedBytes = b64url(protectedText, "protected");
  const payload = b64url(payloadText, "payload");
  const signature = b64url(doc.signature, "signature");
  jsonObject(payload, "the payload");
  const unprotected = doc.header;
  if (!isObject(unprotected)) invalid('"header" must be an object holding "x5c"');
  for (const key of Object.keys(unprotected)) {
    if (!UNPROTECTED_KEYS.has(key)) invalid(`unexpected unprotected header "${key}"`);
  }
  const x5c = unprotected.x5c;
  if (!Array.isArray(x5c) || x5c.length === 0) invalid('certificate chain is not present ("x5c")');
  if (x5c.length > MAX_CHAIN_LENGTH) {
    invalid(`"x5c" has more than ${MAX_CHAIN_LENGTH} certificates`);
  }
  const chain = x5c.map((entry, i) => {
    if (typeof entry !== "string") invalid(`x5c[${i}] must be a string`);
    try {
      return new Certificate(fromBase64(entry));
    } catch (cause) {
      invalid(
        i === 0
          ? "malformed leaf certificate"
          : `malformed certificate x5c[${i}] (x5c entries are standard padded base64 DER)`,
        cause,
      );
    }
  });
  const unsigned: UnsignedAttributes = {};
  const agent = unprotected[HEADER.signingAgent];
  if (agent !== undefined) {
    if (typeof agent !== "string") invalid(`"${HEADER.signingAgent}" must be a string`);
    unsigned.signingAgent = agent;
  }
  const tst = unprotected[HEADER.timestampSignature];
  if (tst !== undefined) {
    if (typeof tst !== "string") invalid(`"${HEADER.timestampSignature}" must be a string`);
    try {
      unsigned.timestampSignature = fromBase64(tst);
    } catch (cause) {
      invalid(`"${HEADER.timestampSignature}" is not standard base64`, cause);
    }
  }
  const header = jsonObject(protectedBytes, "the protected header", PROTECTED_FIELDS);
  const extended = new Map<string | number, unknown>();
  for (const [k, v] of Object.entries(header)) if (!STANDARD_KEYS.has(k)) extended.set(k, v);
  const headers: DecodedSignedHeaders = {
    crit: header.crit,
    signingScheme: header[HEADER.signingScheme],
    signingTime: time(header, HEADER.signingTime),
    authenticSigningTime: time(header, HEADER.authenticSigningTime),
    expiry: time(header, HEADER.expiry),
    extended,
    present: new Set(Object.keys(header)),
    neverCritical: NEVER_CRITICAL,
  };
  const decoded: DecodedEnvelope = {
    algorithmName: String(header.alg),
    algorithm: keySpecByJwsAlgorithm(header.alg),
    contentType: header.cty,
    headers,
    unsigned,
    chain,
    signature,
    payload,
    verifySignature: (spec, leaf) =>
      verifyJwsSignature(
        {
          protected: protectedText as string,
          payload: payloadText as string,
          signature: doc.signature as string,
        },
        spec,
        leaf,
        headers,
        checkSignedAttributes,
      ),
    verificationError: (spec) =>
      `crypto/${spec.keyType === "RSA" ? "rsa" : "ecdsa"}: verification error`,
  };
  return {
    mediaType: MEDIA_TYPE_JWS,
    certificates: chain,
    verify: (): Promise<EnvelopeContent> => verifyDecoded(decoded),
    unverifiedContent: (): EnvelopeContent => unverified(decoded),
  };
}
