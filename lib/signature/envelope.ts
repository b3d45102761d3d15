/**
 * The format-neutral view of a Notary Project signature envelope. JWS and COSE both parse into
 * {@linkcode ParsedEnvelope}; every check after the format-specific signature verification is
 * written once against {@linkcode EnvelopeContent}.
 *
 * @see https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import type { Certificate } from "../x509/certificate.ts";

/** Notary Project signing schemes. */
export type SigningScheme = "notary.x509" | "notary.x509.signingAuthority";

/** Signature algorithms of the Notary Project (JWS names). */
export type SignatureAlgorithm = "PS256" | "PS384" | "PS512" | "ES256" | "ES384" | "ES512";

/** An extended signed attribute (any protected header outside the standard ones). */
export interface ExtendedAttribute {
  /** The header name (COSE integer labels as decimal text). */
  key: string;
  /** Whether the header is listed in `crit`. */
  critical: boolean;
  /** The header value (JSON for JWS, CBOR data model for COSE). */
  value: unknown;
}

/** Attributes covered by the signature. */
export interface SignedAttributes {
  /** `io.cncf.notary.signingScheme`. */
  signingScheme: SigningScheme;
  /** `io.cncf.notary.signingTime` (x509) or `authenticSigningTime` (signingAuthority). */
  signingTime: Date;
  /** `io.cncf.notary.expiry`, when present. */
  expiry?: Date;
  /** Every other protected header. */
  extendedAttributes: ExtendedAttribute[];
}

/** Attributes outside the signature. */
export interface UnsignedAttributes {
  /** DER RFC 3161 TimeStampToken, when present. */
  timestampSignature?: Bytes;
  /** `io.cncf.notary.signingAgent`, when present. */
  signingAgent?: string;
}

/** Who signed and how. */
export interface SignerInfo {
  /** Attributes covered by the signature. */
  signedAttributes: SignedAttributes;
  /** Attributes outside the signature. */
  unsignedAttributes: UnsignedAttributes;
  /** The algorithm, bound to the leaf key spec. */
  signatureAlgorithm: SignatureAlgorithm;
  /** DER certificates, leaf first. */
  certificateChain: Bytes[];
  /** The raw signature bytes. */
  signature: Bytes;
}

/** The signed payload. */
export interface Payload {
  /** Always `application/vnd.cncf.notary.payload.v1+json` for a valid envelope. */
  contentType: string;
  /** Raw payload bytes (JSON `{"targetArtifact": Descriptor}`). */
  content: Bytes;
}

/** The content of an envelope whose signature has been verified. */
export interface EnvelopeContent {
  /** Who signed and how. */
  signerInfo: SignerInfo;
  /** The signed payload. */
  payload: Payload;
}

/**
 * A parsed, not yet trusted envelope. Nothing in it may be trusted until `verify()` resolves.
 */
export interface ParsedEnvelope {
  /** `application/jose+json` or `application/cose`. */
  readonly mediaType: string;
  /**
   * The certificate chain, leaf first, parsed once from the envelope (the same certificates as
   * `signerInfo.certificateChain`). Not trusted until `verify()` resolves.
   */
  readonly certificates: readonly Certificate[];
  /**
   * Verifies the signature with the leaf certificate's key and all integrity rules of the
   * envelope format and the Notary Project (headers, crit, algorithm/key match, chain shape).
   * @throws {SignatureIntegrityError} ERR_SIGNATURE_INTEGRITY when anything fails.
   */
  verify(): Promise<EnvelopeContent>;
  /** The content without verification, for `inspect` only. Never trust it. */
  unverifiedContent(): EnvelopeContent;
}

/** Envelope formats, by their short names. */
export type EnvelopeFormat = "jws" | "cose";

/** Most certificates accepted in an envelope's chain (`x5c`, `x5chain`). */
export const MAX_CHAIN_LENGTH = 32;

/** Largest envelope parsed (notation's limit for signature blobs: 32 MiB). */
export const MAX_ENVELOPE_BYTES = 32 * 1024 * 1024;
