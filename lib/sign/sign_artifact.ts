/**
 * Signs an artifact in any target (layout directory, layout tar, registry, memory): resolves the
 * reference once, signs the digest, and pushes the envelope, the `{}` config and the signature
 * manifest whose `subject` is the artifact. How the referrer is indexed is the target's business
 * (a layout records it in `index.json`; a registry uses the referrers API or the tag schema).
 *
 * @module
 */
import { utf8 } from "../_internal/bytes.ts";
import type { Bytes } from "../_internal/bytes.ts";
import { resolveSubject } from "../content/resolve_subject.ts";
import type { Op, Target } from "../content/storage.ts";
import { digestBytes } from "../digest/digest_bytes.ts";
import { InvalidInputError, UnsupportedError } from "../errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { MEDIA_TYPE_COSE, MEDIA_TYPE_JWS } from "../oci/media_types.ts";
import type { EnvelopeFormat, ExtendedAttribute } from "../signature/envelope.ts";
import { parseEnvelope } from "../signature/parse_envelope.ts";
import { createPayload } from "../signature/payload.ts";
import { requestTimestamp } from "../signature/request_timestamp.ts";
import type { TimestampingOptions } from "../signature/request_timestamp.ts";
import { signEnvelope } from "../signature/sign_envelope.ts";
import type { Signer } from "../signature/signer.ts";
import type { Certificate } from "../x509/certificate.ts";
import { checkGeneratedEnvelope, generatesEnvelopes } from "./premade_envelope.ts";
import type { EnvelopeSigner } from "./premade_envelope.ts";
import { encodeSignatureManifest } from "./signature_manifest.ts";
import type { SignatureManifestShape } from "./signature_manifest.ts";

/** Options of {@linkcode signDescriptor}: everything that goes into the envelope. */
export interface SignDescriptorOptions extends Op {
  /**
   * Holds the key and chain; or builds the whole envelope (a plugin with envelope capability),
   * which is checked before it is used (see {@linkcode checkGeneratedEnvelope}).
   */
  signer: Signer | EnvelopeSigner;
  /** `jws` (default) or `cose`. */
  format?: EnvelopeFormat;
  /** Signing time (default now). */
  signingTime?: Date;
  /** How long the signature stays valid, in seconds (none by default). */
  expirySeconds?: number;
  /** User metadata, signed into `targetArtifact.annotations`. */
  userMetadata?: Record<string, string>;
  /** Extra signed attributes. */
  extendedAttributes?: ExtendedAttribute[];
  /** `io.cncf.notary.signingAgent`. */
  signingAgent?: string;
  /**
   * Countersigns the signature with an RFC 3161 timestamp (notation's `--timestamp-url` and
   * `--timestamp-root-cert`): the TSA client, the root its token must chain to and, to check
   * the TSA chain's revocation status as notation does, a revocation client. The token is checked
   * before it is embedded; nothing is pushed when timestamping fails.
   */
  timestamp?: TimestampingOptions;
}

/** Options of {@linkcode signArtifact}. */
export interface SignArtifactOptions extends SignDescriptorOptions {
  /** Signature manifest shape: notation 1.x (`v1`, default) or 2.x `artifactType` (`v2`). */
  manifestShape?: SignatureManifestShape;
}

/** An envelope made by {@linkcode signDescriptor}. */
export interface SignedEnvelope {
  /** The envelope bytes. */
  bytes: Bytes;
  /** `application/jose+json` or `application/cose`. */
  mediaType: string;
  /** The signing time written into it (whole seconds). */
  signingTime: Date;
  /** Its certificate chain, leaf first. */
  certificateChain: readonly Certificate[];
  /** Extra annotations for the signature manifest (from an envelope-generating plugin). */
  annotations?: Record<string, string>;
}

/** What {@linkcode signArtifact} produced. */
export interface SignArtifactResult {
  /** The signed artifact (mediaType, digest, size). */
  subject: Descriptor;
  /** The signature manifest pushed. */
  signature: Descriptor;
  /** The envelope blob pushed. */
  envelope: Descriptor;
}

const ENVELOPE_MEDIA_TYPE: Record<EnvelopeFormat, string> = {
  jws: MEDIA_TYPE_JWS,
  cose: MEDIA_TYPE_COSE,
};

/**
 * Signs the artifact `reference` (a tag or digest) in `target`.
 *
 * @example
 * ```ts ignore
 * import { signArtifact } from "./sign_artifact.ts";
 * const { subject, signature } = await signArtifact(layout, "v1", { signer, format: "cose" });
 * console.log(`Successfully signed ${subject.digest} (signature ${signature.digest})`);
 * ```
 * @param target Where the artifact is and the signature goes.
 * @param reference Tag or digest of the artifact.
 * @param options Signer, format, expiry, user metadata, manifest shape.
 * @returns The subject, signature manifest and envelope descriptors.
 * @throws {NotFoundError} ERR_NOT_FOUND when the reference does not resolve.
 * @throws {InvalidInputError} ERR_INVALID_INPUT for bad user metadata or expiry.
 * @throws {TimestampError} ERR_TIMESTAMP when `timestamp` is set and the TSA fails, its token
 * is refused, or a TSA chain certificate is revoked or has an unknown revocation status.
 */
export async function signArtifact(
  target: Target,
  reference: string,
  options: SignArtifactOptions,
): Promise<SignArtifactResult> {
  const subject = await resolveSubject(target, reference, options);
  const prepared = await prepareSignature(subject, options);
  return await pushSignature(target, prepared, options);
}

/** A signature made and checked but not yet pushed: see {@linkcode prepareSignature}. */
export interface PreparedSignature {
  /** The signed artifact. */
  subject: Descriptor;
  /** The envelope blob's descriptor. */
  envelope: Descriptor;
  /** The envelope blob's bytes. */
  envelopeBytes: Bytes;
  /** The signature manifest's descriptor, bytes and config. */
  manifest: { descriptor: Descriptor; bytes: Bytes; config: Descriptor };
}

/**
 * Signs `subject` (envelope, timestamp, signature manifest) without touching any target, so
 * several signatures can be made before the first is pushed (all or nothing).
 *
 * @example
 * ```ts ignore
 * import { prepareSignature, pushSignature } from "./sign_artifact.ts";
 * const prepared = await prepareSignature(subject, { signer });
 * await pushSignature(layout, prepared);
 * ```
 * @param subject The artifact's descriptor (mediaType, digest, size).
 * @param options Signer, format, expiry, user metadata, manifest shape.
 * @returns The envelope and signature manifest.
 * @throws {InvalidInputError} ERR_INVALID_INPUT for bad user metadata or expiry.
 * @throws {TimestampError} ERR_TIMESTAMP when timestamping fails.
 */
export async function prepareSignature(
  subject: Descriptor,
  options: SignArtifactOptions,
): Promise<PreparedSignature> {
  const signed = await signDescriptor(subject, options);
  const envelopeBytes = signed.bytes;
  const envelope: Descriptor = {
    mediaType: signed.mediaType,
    digest: await digestBytes(envelopeBytes),
    size: envelopeBytes.length,
  };
  const thumbprints = await Promise.all(
    signed.certificateChain.map((c) => c.sha256Fingerprint()),
  );
  const manifest = await encodeSignatureManifest({
    subject,
    envelope,
    thumbprints,
    signingTime: signed.signingTime,
    shape: options.manifestShape ?? "v1",
    ...(signed.annotations ? { annotations: signed.annotations } : {}),
  });
  return { subject, envelope, envelopeBytes, manifest };
}

/**
 * Pushes a prepared signature: the envelope, the `{}` config, then the signature manifest.
 *
 * @example
 * ```ts ignore
 * import { pushSignature } from "./sign_artifact.ts";
 * const { signature } = await pushSignature(layout, prepared);
 * ```
 * @param target Where the signature goes.
 * @param prepared What {@linkcode prepareSignature} made.
 * @param opts Cancellation.
 * @returns The subject, signature manifest and envelope descriptors.
 */
export async function pushSignature(
  target: Target,
  prepared: PreparedSignature,
  opts: Op = {},
): Promise<SignArtifactResult> {
  const { manifest, envelope } = prepared;
  await pushIfMissing(target, envelope, prepared.envelopeBytes, opts);
  await pushIfMissing(target, manifest.config, utf8("{}"), opts);
  await target.push(manifest.descriptor, manifest.bytes, opts);
  return { subject: prepared.subject, signature: manifest.descriptor, envelope };
}

/**
 * Signs a descriptor into an envelope: the payload `{"targetArtifact": subject}` (with the user
 * metadata as `annotations`), the signed attributes, the optional RFC 3161 timestamp; the
 * envelope passes its own integrity checks before it is returned. Images and blobs are signed
 * this way.
 *
 * @example
 * ```ts ignore
 * import { signDescriptor } from "./sign_artifact.ts";
 * const { bytes, mediaType } = await signDescriptor(
 *   { mediaType: "application/octet-stream", digest, size },
 *   { signer, format: "cose", userMetadata: { release: "1.0" } },
 * );
 * ```
 * @param subject What is signed (mediaType, digest, size).
 * @param options Signer, format, expiry, user metadata, timestamping.
 * @returns The envelope, its media type and its signing time.
 * @throws {InvalidInputError} ERR_INVALID_INPUT for bad user metadata or expiry.
 * @throws {TimestampError} ERR_TIMESTAMP when `timestamp` is set and the TSA fails, its token
 * is refused, or a TSA chain certificate is revoked or has an unknown revocation status.
 */
export async function signDescriptor(
  subject: Descriptor,
  options: SignDescriptorOptions,
): Promise<SignedEnvelope> {
  const metadata = checkUserMetadata(options.userMetadata ?? {});
  const signingTime = new Date(
    Math.floor((options.signingTime ?? new Date()).getTime() / 1000) * 1000,
  );
  const expiry = expiryTime(signingTime, options.expirySeconds);
  const format = options.format ?? "jws";
  const payload = createPayload(
    Object.keys(metadata).length > 0 ? { ...subject, annotations: metadata } : subject,
  );
  const signer = options.signer;
  if (generatesEnvelopes(signer)) {
    return await generatedEnvelope(signer, payload, format, signingTime, options);
  }
  const envelopeBytes = await signEnvelope({
    format,
    payload,
    signer,
    signingTime,
    ...(expiry ? { expiry } : {}),
    ...(options.signingAgent ? { signingAgent: options.signingAgent } : {}),
    ...(options.extendedAttributes ? { extendedAttributes: options.extendedAttributes } : {}),
    ...(options.timestamp
      ? { timestamp: timestamper({ ...options, signer }, options.timestamp) }
      : {}),
  });
  // Self-check before anything is written: the envelope must pass its own integrity checks.
  await parseEnvelope(envelopeBytes, ENVELOPE_MEDIA_TYPE[format]).verify();
  return {
    bytes: envelopeBytes,
    mediaType: ENVELOPE_MEDIA_TYPE[format],
    signingTime,
    certificateChain: signer.certificateChain,
  };
}

/** The envelope-generating path: options the key holder cannot honour are refused. */
async function generatedEnvelope(
  signer: EnvelopeSigner,
  payload: Bytes,
  format: EnvelopeFormat,
  askedAt: Date,
  options: SignDescriptorOptions,
): Promise<SignedEnvelope> {
  const refused = [
    options.timestamp && "timestamping",
    options.extendedAttributes?.length && "extended attributes",
  ].filter(Boolean);
  if (refused.length > 0) {
    throw new UnsupportedError(
      `${signer.name} builds the whole envelope: ${
        refused.join(", ")
      } cannot be added; sign without them`,
    );
  }
  const request = {
    payload,
    format,
    mediaType: ENVELOPE_MEDIA_TYPE[format],
    ...(options.expirySeconds ? { expirySeconds: options.expirySeconds } : {}),
  };
  const answer = await signer.generateEnvelope(request);
  return await checkGeneratedEnvelope(request, answer, signer.name, askedAt);
}

function timestamper(
  options: SignDescriptorOptions & { signer: Signer },
  timestamping: TimestampingOptions,
): (signature: Bytes) => Promise<Bytes> {
  return (signature) =>
    requestTimestamp(signature, {
      ...timestamping,
      hash: options.signer.keySpec.hash,
      signingChain: options.signer.certificateChain,
      ...(options.signal ? { signal: options.signal } : {}),
    });
}

async function pushIfMissing(
  target: Target,
  desc: Descriptor,
  bytes: Bytes,
  opts: Op,
): Promise<void> {
  if (await target.exists(desc, opts)) return;
  await target.push(desc, bytes, opts);
}

function checkUserMetadata(metadata: Record<string, string>): Record<string, string> {
  for (const [key, value] of Object.entries(metadata)) {
    if (key === "" || value === "") {
      throw new InvalidInputError(
        `User metadata needs a non-empty key and value, got "${key}=${value}"`,
      );
    }
    if (key.startsWith("io.cncf.notary")) {
      throw new InvalidInputError(
        `User metadata key "${key}" is reserved: keys starting with "io.cncf.notary" cannot be used`,
      );
    }
  }
  return metadata;
}

function expiryTime(signingTime: Date, seconds: number | undefined): Date | undefined {
  if (seconds === undefined || seconds === 0) return undefined;
  if (!Number.isInteger(seconds) || seconds < 0) {
    throw new InvalidInputError(
      `The expiry must be a whole, non-negative number of seconds, got ${seconds}`,
    );
  }
  return new Date(signingTime.getTime() + seconds * 1000);
}
