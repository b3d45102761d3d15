/**
 * The Notary Project rules shared by JWS and COSE, applied after format-specific decoding:
 * algorithm/key binding, signature, content type, signing scheme, `crit`, times, and the
 * code-signing chain profile. Every failure is an integrity failure.
 *
 * @see https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { OcisignError, SignatureIntegrityError } from "../errors.ts";
import { MEDIA_TYPE_NOTARY_PAYLOAD } from "../oci/media_types.ts";
import type { Certificate } from "../x509/certificate.ts";
import { validateCodeSigningChain } from "../x509/code_signing_chain.ts";
import type { KeySpec } from "../x509/key_spec.ts";
import type {
  EnvelopeContent,
  ExtendedAttribute,
  SignedAttributes,
  SigningScheme,
  UnsignedAttributes,
} from "./envelope.ts";

/** Short names of the Notary Project headers. */
export type NotaryHeaderName =
  | "signingScheme"
  | "signingTime"
  | "authenticSigningTime"
  | "expiry"
  | "verificationPlugin"
  | "verificationPluginMinVersion"
  | "signingAgent"
  | "timestampSignature";

/** Header names of the Notary Project. */
export const HEADER: Readonly<Record<NotaryHeaderName, string>> = Object.freeze({
  signingScheme: "io.cncf.notary.signingScheme",
  signingTime: "io.cncf.notary.signingTime",
  authenticSigningTime: "io.cncf.notary.authenticSigningTime",
  expiry: "io.cncf.notary.expiry",
  verificationPlugin: "io.cncf.notary.verificationPlugin",
  verificationPluginMinVersion: "io.cncf.notary.verificationPluginMinVersion",
  signingAgent: "io.cncf.notary.signingAgent",
  timestampSignature: "io.cncf.notary.timestampSignature",
});

/** The signing schemes. */
export const SIGNING_SCHEMES: readonly SigningScheme[] = [
  "notary.x509",
  "notary.x509.signingAuthority",
];

/** Protected header content, decoded by a format but not yet judged. */
export interface DecodedSignedHeaders {
  /** The `crit` value as found (undefined when absent). */
  crit: unknown;
  /** `io.cncf.notary.signingScheme` as found. */
  signingScheme: unknown;
  signingTime: Date | undefined;
  authenticSigningTime: Date | undefined;
  expiry: Date | undefined;
  /** Every protected key outside the format's standard set, with its value. */
  extended: Map<string | number, unknown>;
  /** Every key present in the protected header. */
  present: Set<string | number>;
  /** Standard keys that may never be listed in `crit` (alg, cty, signingTime, ...). */
  neverCritical: ReadonlySet<string | number>;
}

/** What a format hands to {@linkcode verifyDecoded}. */
export interface DecodedEnvelope {
  /** The algorithm as written (for messages). */
  algorithmName: string;
  /** The key spec the algorithm maps to; undefined for algorithms outside the Notary set. */
  algorithm: KeySpec | undefined;
  /** The content type as found. */
  contentType: unknown;
  headers: DecodedSignedHeaders;
  unsigned: UnsignedAttributes;
  chain: Certificate[];
  signature: Bytes;
  payload: Bytes;
  /** Verifies the signature with the leaf's key (the format knows what it covers). */
  verifySignature: (spec: KeySpec, leaf: Certificate) => Promise<boolean>;
  /**
   * What notation reports when the signature does not verify: Go's crypto error for JWS
   * (`crypto/rsa: verification error`), go-cose's for COSE (`verification error`).
   */
  verificationError: (spec: KeySpec) => string;
}

function fail(message: string, cause?: unknown): never {
  throw new SignatureIntegrityError(message, cause === undefined ? undefined : { cause });
}

function label(key: string | number): string {
  return typeof key === "string" ? key : String(key);
}

/**
 * Judges the signed attributes: scheme, crit, times.
 * @throws {SignatureIntegrityError} ERR_SIGNATURE_INTEGRITY naming the broken rule.
 */
export function checkSignedAttributes(h: DecodedSignedHeaders): SignedAttributes {
  const crit = h.crit;
  if (!Array.isArray(crit) || crit.length === 0) fail('missing "crit" header');
  const listed = new Set<unknown>();
  for (const c of crit) {
    if (typeof c !== "string" && typeof c !== "number") {
      fail('"crit" header must list header names');
    }
    // RFC 7515 and RFC 9052: no duplicates (notation-core-go refuses a repeated standard key)
    if (listed.has(c)) fail(`"${label(c)}" is listed more than once in the "crit" header`);
    listed.add(c);
  }
  const scheme = h.signingScheme;
  if (typeof scheme !== "string" || scheme === "") fail(`missing "${HEADER.signingScheme}" header`);
  if (!SIGNING_SCHEMES.includes(scheme as SigningScheme)) {
    fail(`unsupported SigningScheme "${scheme}"; use notary.x509 or notary.x509.signingAuthority`);
  }
  let signingTime: Date;
  if (scheme === "notary.x509") {
    if (h.authenticSigningTime) {
      fail(
        `"${HEADER.authenticSigningTime}" header must not be present for notary.x509 signing scheme`,
      );
    }
    if (!h.signingTime) fail(`missing "${HEADER.signingTime}" header; signing-time not present`);
    signingTime = h.signingTime;
  } else {
    if (h.signingTime) {
      fail(
        `"${HEADER.signingTime}" header must not be present for notary.x509.signingAuthority signing scheme`,
      );
    }
    if (!h.authenticSigningTime) {
      fail(
        `missing "${HEADER.authenticSigningTime}" header for notary.x509.signingAuthority signing scheme`,
      );
    }
    signingTime = h.authenticSigningTime;
  }
  const critSet = new Set<string | number>(crit as (string | number)[]);
  const required: string[] = [HEADER.signingScheme];
  if (scheme === "notary.x509.signingAuthority") required.push(HEADER.authenticSigningTime);
  if (h.expiry) required.push(HEADER.expiry);
  for (const key of [HEADER.verificationPlugin, HEADER.verificationPluginMinVersion]) {
    if (h.present.has(key)) required.push(key);
  }
  const missing = required.filter((k) => !critSet.has(k));
  if (missing.length > 0) {
    fail(`these required headers are not marked as critical: [${missing.join(" ")}]`);
  }
  for (const c of critSet) {
    const allowed = c === HEADER.signingScheme ||
      (c === HEADER.authenticSigningTime && h.authenticSigningTime !== undefined) ||
      (c === HEADER.expiry && h.expiry !== undefined) ||
      (!h.neverCritical.has(c) && h.extended.has(c));
    if (!allowed) fail(`"${label(c)}" header is marked critical but not present`);
  }
  if (h.expiry && h.expiry.getTime() <= signingTime.getTime()) {
    fail(
      `expiry "${h.expiry.toISOString()}" must be after the signing time "${signingTime.toISOString()}"`,
    );
  }
  const extendedAttributes: ExtendedAttribute[] = [...h.extended].map(([key, value]) => ({
    key: label(key),
    critical: critSet.has(key),
    value,
  }));
  const attrs: SignedAttributes = {
    signingScheme: scheme as SigningScheme,
    signingTime,
    extendedAttributes,
  };
  if (h.expiry) attrs.expiry = h.expiry;
  return attrs;
}

/**
 * Runs every integrity check on a decoded envelope and returns its content.
 * @throws {SignatureIntegrityError} ERR_SIGNATURE_INTEGRITY naming the first broken rule.
 */
export async function verifyDecoded(d: DecodedEnvelope): Promise<EnvelopeContent> {
  const spec = d.algorithm;
  if (!spec) {
    fail(
      `signature algorithm "${d.algorithmName}" is not supported; only PS256/384/512 and ES256/384/512 are allowed`,
    );
  }
  const leaf = d.chain[0];
  if (!leaf) fail("certificate chain is not present");
  let leafSpec: KeySpec;
  try {
    leafSpec = leaf.keySpec();
  } catch (cause) {
    fail(`signing certificate is not usable: ${(cause as Error).message}`, cause);
  }
  if (leafSpec !== spec) {
    fail(
      `mismatch between signature algorithm derived from signing certificate (${leafSpec.jwsAlgorithm}) and signing algorithm specified (${spec.jwsAlgorithm})`,
    );
  }
  if (d.signature.length === 0) fail("signature is empty");
  if (!(await d.verifySignature(spec, leaf))) {
    fail(
      `signature is invalid. Error: ${
        d.verificationError(spec)
      } (the envelope was modified, or not signed with the signing certificate's key)`,
    );
  }
  if (d.contentType === undefined) fail("missing content type");
  if (typeof d.contentType !== "string") fail("content type should be of 'tstr' type");
  if (d.contentType !== MEDIA_TYPE_NOTARY_PAYLOAD) {
    fail(
      `payload content type "${d.contentType}" not supported; expected "${MEDIA_TYPE_NOTARY_PAYLOAD}"`,
    );
  }
  const signedAttributes = checkSignedAttributes(d.headers);
  try {
    await validateCodeSigningChain(d.chain);
  } catch (cause) {
    if (!(cause instanceof OcisignError)) throw cause;
    fail(`certificate-chain is invalid: ${cause.message}`, cause);
  }
  return {
    signerInfo: {
      signedAttributes,
      unsignedAttributes: d.unsigned,
      signatureAlgorithm: spec.jwsAlgorithm,
      certificateChain: d.chain.map((c) => c.raw),
      signature: d.signature,
    },
    payload: { contentType: d.contentType, content: d.payload },
  };
}

/** Best-effort view of a decoded envelope for `inspect`; never trusted. */
export function unverified(d: DecodedEnvelope): EnvelopeContent {
  let signedAttributes;
  try {
    signedAttributes = checkSignedAttributes(d.headers);
  } catch {
    signedAttributes = {
      signingScheme: d.headers.signingScheme as "notary.x509",
      signingTime: d.headers.signingTime ?? d.headers.authenticSigningTime ?? new Date(0),
      extendedAttributes: [...d.headers.extended].map(([key, value]) => ({
        key: String(key),
        critical: false,
        value,
      })),
      ...(d.headers.expiry ? { expiry: d.headers.expiry } : {}),
    };
  }
  return {
    signerInfo: {
      signedAttributes,
      unsignedAttributes: d.unsigned,
      signatureAlgorithm: d.algorithm?.jwsAlgorithm ?? (d.algorithmName as "PS256"),
      certificateChain: d.chain.map((c) => c.raw),
      signature: d.signature,
    },
    payload: { contentType: String(d.contentType), content: d.payload },
  };
}
