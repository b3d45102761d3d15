/**
 * Inspecting the Notary Project signatures of an artifact without verifying them (for
 * `inspect`): format, scheme, algorithm, times, chain, signed artifact and user metadata.
 * Nothing reported here is trusted.
 *
 * @module
 */
import { DEFAULT_MAX_SIGNATURES } from "../_internal/limits.ts";
import { fetchAll } from "../content/fetch_all.ts";
import type { ReadOnlyGraphTarget } from "../content/storage.ts";
import { OcisignError } from "../errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { MEDIA_TYPE_JWS } from "../oci/media_types.ts";
import type { ParsedEnvelope, SignatureAlgorithm, SigningScheme } from "../signature/envelope.ts";
import { parseEnvelope } from "../signature/parse_envelope.ts";
import { parsePayload } from "../signature/payload.ts";
import type { Certificate } from "../x509/certificate.ts";
import type { Bytes } from "../_internal/bytes.ts";
import { readTimestampToken } from "../signature/timestamp_token_info.ts";
import { resolveSubject } from "../content/resolve_subject.ts";
import { MAX_ENVELOPE_BYTES } from "../signature/envelope.ts";
import { findSignatureManifests } from "./signature_manifests.ts";

/** Notation's names of the signature algorithms. */
export const SIGNATURE_ALGORITHM_NAMES: Readonly<Record<SignatureAlgorithm, string>> = Object
  .freeze({
    PS256: "RSASSA-PSS-SHA-256",
    PS384: "RSASSA-PSS-SHA-384",
    PS512: "RSASSA-PSS-SHA-512",
    ES256: "ECDSA-SHA-256",
    ES384: "ECDSA-SHA-384",
    ES512: "ECDSA-SHA-512",
  });

/** One certificate of a signing chain. */
export interface CertificateSummary {
  /** Lower-case hex SHA-256 of the DER bytes. */
  sha256Fingerprint: string;
  /** Subject, as notation prints it. */
  issuedTo: string;
  /** Issuer, as notation prints it. */
  issuedBy: string;
  /** Start of validity. */
  notBefore: Date;
  /** End of validity (notation's "expiry"). */
  notAfter: Date;
}

/** What a timestamp countersignature claims (unverified). */
export interface TimestampSummary {
  /** `genTime - accuracy`. */
  earliest: Date;
  /** `genTime + accuracy`. */
  latest: Date;
  /** The certificates in the token. */
  certificates: CertificateSummary[];
}

/** What one signature claims (unverified). */
export interface SignatureInspection {
  /** Digest of the signature manifest. */
  digest: string;
  /** The envelope media type. */
  mediaType: string;
  /** `jws` or `cose`. */
  format: "jws" | "cose";
  /** Notation's algorithm name, e.g. `RSASSA-PSS-SHA-256`. */
  signatureAlgorithm: string;
  /** The signing scheme. */
  signingScheme: SigningScheme;
  /** Signing time (authentic signing time for the signingAuthority scheme). */
  signingTime: Date;
  /** Signature expiry, when set. */
  expiry?: Date;
  /** Extended signed attributes. */
  extendedAttributes: Record<string, unknown>;
  /** The signing agent, when given. */
  signingAgent?: string;
  /** Whether an RFC 3161 timestamp countersignature is attached. */
  hasTimestamp: boolean;
  /** What the attached timestamp claims (unverified), or why it cannot be read. */
  timestamp?: TimestampSummary | { error: OcisignError };
  /** The chain, leaf first. */
  certificates: CertificateSummary[];
  /** The signed artifact (mediaType, digest, size). */
  signedArtifact: Descriptor;
  /** Signed user metadata (`targetArtifact.annotations`), when any. */
  userMetadata?: Record<string, string>;
}

/** A signature that could not be read. */
export interface SignatureInspectionError {
  /** Digest of the signature manifest. */
  digest: string;
  /** Why it could not be read. */
  error: OcisignError;
}

/** Options for {@linkcode inspectSignatures}. */
export interface InspectSignaturesOptions {
  /** How many signatures to read at most (default 100). */
  maxSignatures?: number;
  /** Cancels the inspection. */
  signal?: AbortSignal;
}

/** What {@linkcode inspectSignatures} found. */
export interface InspectSignaturesResult {
  /** The resolved artifact. */
  subject: Descriptor;
  /** One entry per signature manifest, in discovery order. */
  signatures: (SignatureInspection | SignatureInspectionError)[];
  /** True when more signatures exist than `maxSignatures`. */
  exceeded: boolean;
}

async function summarize(cert: Certificate): Promise<CertificateSummary> {
  return {
    sha256Fingerprint: await cert.sha256Fingerprint(),
    issuedTo: cert.subject,
    issuedBy: cert.issuer,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
  };
}

async function describeTimestamp(
  token: Bytes,
): Promise<TimestampSummary | { error: OcisignError }> {
  try {
    const info = readTimestampToken(token);
    return {
      earliest: new Date(info.genTime.getTime() - info.accuracyMs),
      latest: new Date(info.genTime.getTime() + info.accuracyMs),
      certificates: await Promise.all(info.certificates.map(summarize)),
    };
  } catch (err) {
    if (err instanceof OcisignError) return { error: err };
    throw err;
  }
}

async function describeContent(
  digest: string,
  mediaType: string,
  parsed: ParsedEnvelope,
): Promise<SignatureInspection> {
  const content = parsed.unverifiedContent();
  const info = content.signerInfo;
  const t = parsePayload(content.payload.content);
  const certificates: CertificateSummary[] = [];
  for (const cert of parsed.certificates) certificates.push(await summarize(cert));
  const extendedAttributes: Record<string, unknown> = {};
  for (const a of info.signedAttributes.extendedAttributes) extendedAttributes[a.key] = a.value;
  const out: SignatureInspection = {
    digest,
    mediaType,
    format: mediaType === MEDIA_TYPE_JWS ? "jws" : "cose",
    signatureAlgorithm: SIGNATURE_ALGORITHM_NAMES[info.signatureAlgorithm] ??
      info.signatureAlgorithm,
    signingScheme: info.signedAttributes.signingScheme,
    signingTime: info.signedAttributes.signingTime,
    extendedAttributes,
    hasTimestamp: info.unsignedAttributes.timestampSignature !== undefined,
    certificates,
    signedArtifact: { mediaType: t.mediaType, digest: t.digest, size: t.size },
  };
  if (info.signedAttributes.expiry) out.expiry = info.signedAttributes.expiry;
  const token = info.unsignedAttributes.timestampSignature;
  if (token !== undefined) out.timestamp = await describeTimestamp(token);
  if (info.unsignedAttributes.signingAgent !== undefined) {
    out.signingAgent = info.unsignedAttributes.signingAgent;
  }
  if (t.annotations && Object.keys(t.annotations).length > 0) {
    out.userMetadata = { ...t.annotations };
  }
  return out;
}

/**
 * Reads what one envelope claims, without verifying it (for `blob inspect`: a detached
 * signature file).
 *
 * @example
 * ```ts ignore
 * import { inspectEnvelope } from "./inspect_signatures.ts";
 * const info = await inspectEnvelope(bytes, "application/jose+json", "sha256:…");
 * console.log(info.signedArtifact.digest);
 * ```
 * @param bytes The envelope.
 * @param mediaType `application/jose+json` or `application/cose`.
 * @param digest What identifies it in the result (e.g. the envelope's digest).
 * @returns What it claims.
 * @throws {EnvelopeInvalidError} ERR_ENVELOPE_INVALID when it cannot be parsed.
 */
export async function inspectEnvelope(
  bytes: Bytes,
  mediaType: string,
  digest: string,
): Promise<SignatureInspection> {
  return await describeContent(digest, mediaType, parseEnvelope(bytes, mediaType));
}

/**
 * Resolves `reference` and reads every signature's envelope without verifying it. Each manifest
 * and envelope is fetched bounded and digest-checked; a signature that cannot be read is
 * reported with its error (the others are still read).
 *
 * @example
 * ```ts ignore
 * import { inspectSignatures } from "./inspect_signatures.ts";
 * const { signatures } = await inspectSignatures(repo, "sha256:…");
 * ```
 * @param target Where the artifact is.
 * @param reference A tag or digest.
 * @param opts Limit and cancellation.
 * @returns The subject and what each signature claims.
 * @throws {NotFoundError} ERR_NOT_FOUND when the reference is unknown.
 * @throws {RangeError} when `maxSignatures` is not a positive integer.
 */
export async function inspectSignatures(
  target: ReadOnlyGraphTarget,
  reference: string,
  opts: InspectSignaturesOptions = {},
): Promise<InspectSignaturesResult> {
  const max = opts.maxSignatures ?? DEFAULT_MAX_SIGNATURES;
  if (!Number.isSafeInteger(max) || max <= 0) {
    throw new RangeError(`max-signatures value ${max} must be a positive number`);
  }
  const op = opts.signal ? { signal: opts.signal } : {};
  const subject = await resolveSubject(target, reference, op);
  const signatures: (SignatureInspection | SignatureInspectionError)[] = [];
  let exceeded = false;
  for await (const sig of findSignatureManifests(target, subject, op)) {
    if (signatures.length >= max) {
      exceeded = true;
      break;
    }
    const digest = sig.descriptor.digest;
    if ("error" in sig) {
      signatures.push({ digest, error: sig.error });
      continue;
    }
    try {
      const bytes = await fetchAll(target, sig.envelope, { maxBytes: MAX_ENVELOPE_BYTES, ...op });
      const parsed = parseEnvelope(bytes, sig.envelope.mediaType);
      signatures.push(
        await describeContent(digest, sig.envelope.mediaType, parsed),
      );
    } catch (err) {
      if (!(err instanceof OcisignError) || err.code === "ERR_ABORTED") throw err;
      signatures.push({ digest, error: err });
    }
  }
  return { subject, signatures, exceeded };
}
