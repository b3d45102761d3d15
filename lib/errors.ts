/**
 * Typed errors with stable codes. Every error ocisign throws for a domain condition is an
 * {@linkcode OcisignError} whose `code` is one of {@linkcode ErrorCode}; callers narrow on
 * `err.code` (or `instanceof`). Codes are public API: adding one is minor, renaming one is major.
 *
 * @example Narrow on the code
 * ```ts
 * import { DigestMismatchError, isErrorCode } from "./errors.ts";
 * const err: unknown = new DigestMismatchError("sha256:aa", "sha256:bb");
 * if (isErrorCode(err, "ERR_DIGEST_MISMATCH")) console.log(err.message);
 * ```
 *
 * @module
 */

/** Every stable error code. */
export type ErrorCode =
  | "ERR_INTERNAL"
  | "ERR_ABORTED"
  | "ERR_USAGE"
  | "ERR_INVALID_DIGEST"
  | "ERR_INVALID_REFERENCE"
  | "ERR_INVALID_MANIFEST"
  | "ERR_INVALID_LAYOUT"
  | "ERR_INVALID_INPUT"
  | "ERR_DIGEST_MISMATCH"
  | "ERR_SIZE_MISMATCH"
  | "ERR_SIZE_EXCEEDED"
  | "ERR_NOT_FOUND"
  | "ERR_ALREADY_EXISTS"
  | "ERR_UNSUPPORTED"
  | "ERR_REGISTRY"
  | "ERR_UNAUTHORIZED"
  | "ERR_DENIED"
  | "ERR_TIMEOUT"
  | "ERR_TIMESTAMP"
  | "ERR_CERTIFICATE_INVALID"
  | "ERR_KEY_INVALID"
  | "ERR_ENVELOPE_INVALID"
  | "ERR_SIGNATURE_INTEGRITY"
  | "ERR_SIGNATURE_AUTHENTICITY"
  | "ERR_SIGNATURE_TRUSTED_IDENTITY"
  | "ERR_SIGNATURE_EXPIRED"
  | "ERR_SIGNATURE_AUTHENTIC_TIMESTAMP"
  | "ERR_SIGNATURE_REVOCATION"
  | "ERR_SIGNATURE_USER_METADATA"
  | "ERR_TRUST_POLICY"
  | "ERR_TRUST_STORE"
  | "ERR_VERIFICATION_FAILED"
  | "ERR_CONFIG"
  | "ERR_BUILD"
  | "ERR_SIGNATURE_SUBJECT_MISMATCH"
  | "ERR_STORAGE"
  | "ERR_LOCKED";

/** Options accepted by every {@linkcode OcisignError} constructor. */
export interface OcisignErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** Structured, non-secret details for `--output json`. */
  details?: Record<string, unknown>;
}

/**
 * Root of every ocisign error.
 *
 * @example
 * ```ts
 * import { OcisignError } from "./errors.ts";
 * const e = new OcisignError("ERR_INTERNAL", "Cannot continue");
 * console.log(e.code, e.name);
 * ```
 */
export class OcisignError extends Error {
  /** The stable code. */
  readonly code: ErrorCode;
  /** Structured, non-secret details. */
  readonly details: Record<string, unknown> | undefined;

  /**
   * Creates an error.
   * @param code The stable code.
   * @param message What failed and what to do.
   * @param options Cause and details.
   */
  constructor(code: ErrorCode, message: string, options: OcisignErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
    this.name = new.target.name;
  }
}

/**
 * Whether `err` is an {@linkcode OcisignError} with the given code.
 *
 * @param err Anything caught.
 * @param code The code to test for.
 * @returns True when `err.code === code`.
 */
export function isErrorCode(err: unknown, code: ErrorCode): err is OcisignError {
  return err instanceof OcisignError && err.code === code;
}

/** An operation was cancelled through its `AbortSignal`. */
export class AbortedError extends OcisignError {
  /** The stable code: `ERR_ABORTED`. */
  declare readonly code: "ERR_ABORTED";
  /**
   * Creates the error.
   * @param message What was interrupted.
   */
  constructor(message = "The operation was aborted", options?: OcisignErrorOptions) {
    super("ERR_ABORTED", message, options);
  }
}

/** A digest string is malformed or uses an unsupported algorithm. */
export class InvalidDigestError extends OcisignError {
  /** The stable code: `ERR_INVALID_DIGEST`. */
  declare readonly code: "ERR_INVALID_DIGEST";
  /**
   * Creates the error.
   * @param digest The offending value.
   * @param reason Why it is invalid.
   */
  constructor(digest: string, reason: string, options?: OcisignErrorOptions) {
    super("ERR_INVALID_DIGEST", `Invalid digest ${JSON.stringify(digest)}: ${reason}`, options);
  }
}

/** A reference (`path:tag`, `registry/repo@digest`, ...) cannot be parsed. */
export class InvalidReferenceError extends OcisignError {
  /** The stable code: `ERR_INVALID_REFERENCE`. */
  declare readonly code: "ERR_INVALID_REFERENCE";
  /**
   * Creates the error.
   * @param reference The offending value.
   * @param reason Why it is invalid.
   */
  constructor(reference: string, reason: string, options?: OcisignErrorOptions) {
    super(
      "ERR_INVALID_REFERENCE",
      `Invalid reference ${JSON.stringify(reference)}: ${reason}`,
      options,
    );
  }
}

/** A manifest or index is not valid JSON of the expected shape. */
export class InvalidManifestError extends OcisignError {
  /** The stable code: `ERR_INVALID_MANIFEST`. */
  declare readonly code: "ERR_INVALID_MANIFEST";
  /**
   * Creates the error.
   * @param message What is wrong.
   */
  constructor(message: string, options?: OcisignErrorOptions) {
    super("ERR_INVALID_MANIFEST", message, options);
  }
}

/** An OCI image layout (directory or tar) is malformed. */
export class InvalidLayoutError extends OcisignError {
  /** The stable code: `ERR_INVALID_LAYOUT`. */
  declare readonly code: "ERR_INVALID_LAYOUT";
  /**
   * Creates the error.
   * @param message What is wrong.
   */
  constructor(message: string, options?: OcisignErrorOptions) {
    super("ERR_INVALID_LAYOUT", message, options);
  }
}

/** Untrusted input (a file, an argument's content) is malformed. */
export class InvalidInputError extends OcisignError {
  /** The stable code: `ERR_INVALID_INPUT`. */
  declare readonly code: "ERR_INVALID_INPUT";
  /**
   * Creates the error.
   * @param message What is wrong.
   */
  constructor(message: string, options?: OcisignErrorOptions) {
    super("ERR_INVALID_INPUT", message, options);
  }
}

/** Content did not hash to the digest it was fetched or pushed under. */
export class DigestMismatchError extends OcisignError {
  /** The stable code: `ERR_DIGEST_MISMATCH`. */
  declare readonly code: "ERR_DIGEST_MISMATCH";
  /** The digest that was expected. */
  readonly expected: string;
  /** The digest of the bytes actually seen. */
  readonly actual: string;
  /**
   * Creates the error.
   * @param expected Expected digest.
   * @param actual Digest of the bytes seen.
   */
  constructor(expected: string, actual: string, options?: OcisignErrorOptions) {
    super(
      "ERR_DIGEST_MISMATCH",
      `Content digest mismatch: expected ${expected}, got ${actual}; the source is corrupt or was tampered with`,
      { ...options, details: { expected, actual, ...options?.details } },
    );
    this.expected = expected;
    this.actual = actual;
  }
}

/** Content was not the size its descriptor says. */
export class SizeMismatchError extends OcisignError {
  /** The stable code: `ERR_SIZE_MISMATCH`. */
  declare readonly code: "ERR_SIZE_MISMATCH";
  /**
   * Creates the error.
   * @param digest Content digest.
   * @param expected Declared size.
   * @param actual Size seen (a lower bound when more arrived).
   */
  constructor(digest: string, expected: number, actual: number, options?: OcisignErrorOptions) {
    super(
      "ERR_SIZE_MISMATCH",
      `Content size mismatch for ${digest}: expected ${expected} bytes, got ${actual}`,
      { ...options, details: { digest, expected, actual } },
    );
  }
}

/** Content is larger than a safety limit allows (e.g. a manifest over 4 MiB). */
export class SizeExceededError extends OcisignError {
  /** The stable code: `ERR_SIZE_EXCEEDED`. */
  declare readonly code: "ERR_SIZE_EXCEEDED";
  /**
   * Creates the error.
   * @param what What was read.
   * @param size Its size.
   * @param limit The limit.
   */
  constructor(what: string, size: number, limit: number, options?: OcisignErrorOptions) {
    super(
      "ERR_SIZE_EXCEEDED",
      `${what} is ${size} bytes, over the limit of ${limit} bytes`,
      { ...options, details: { size, limit } },
    );
  }
}

/** A blob, manifest, tag, key, certificate or file does not exist. */
export class NotFoundError extends OcisignError {
  /** The stable code: `ERR_NOT_FOUND`. */
  declare readonly code: "ERR_NOT_FOUND";
  /**
   * Creates the error.
   * @param message What is missing.
   */
  constructor(message: string, options?: OcisignErrorOptions) {
    super("ERR_NOT_FOUND", message, options);
  }
}

/** Something that must be new already exists. */
export class AlreadyExistsError extends OcisignError {
  /** The stable code: `ERR_ALREADY_EXISTS`. */
  declare readonly code: "ERR_ALREADY_EXISTS";
  /**
   * Creates the error.
   * @param message What exists.
   */
  constructor(message: string, options?: OcisignErrorOptions) {
    super("ERR_ALREADY_EXISTS", message, options);
  }
}

/** A feature, algorithm or media type is not supported. */
export class UnsupportedError extends OcisignError {
  /** The stable code: `ERR_UNSUPPORTED`. */
  declare readonly code: "ERR_UNSUPPORTED";
  /**
   * Creates the error.
   * @param message What is unsupported.
   */
  constructor(message: string, options?: OcisignErrorOptions) {
    super("ERR_UNSUPPORTED", message, options);
  }
}

/** A certificate cannot be parsed or breaks the Notary Project certificate profile. */
export class CertificateInvalidError extends OcisignError {
  /** The stable code: `ERR_CERTIFICATE_INVALID`. */
  declare readonly code: "ERR_CERTIFICATE_INVALID";
  /**
   * Creates the error.
   * @param message What is wrong.
   */
  constructor(message: string, options?: OcisignErrorOptions) {
    super("ERR_CERTIFICATE_INVALID", message, options);
  }
}

/** A key cannot be parsed, or does not fit its certificate or algorithm. */
export class KeyInvalidError extends OcisignError {
  /** The stable code: `ERR_KEY_INVALID`. */
  declare readonly code: "ERR_KEY_INVALID";
  /**
   * Creates the error.
   * @param message What is wrong.
   */
  constructor(message: string, options?: OcisignErrorOptions) {
    super("ERR_KEY_INVALID", message, options);
  }
}

/** A signature envelope is malformed (bad JSON, base64, CBOR, headers). */
export class EnvelopeInvalidError extends OcisignError {
  /** The stable code: `ERR_ENVELOPE_INVALID`. */
  declare readonly code: "ERR_ENVELOPE_INVALID";
  /**
   * Creates the error.
   * @param message What is wrong.
   */
  constructor(message: string, options?: OcisignErrorOptions) {
    super("ERR_ENVELOPE_INVALID", message, options);
  }
}

/** The signature does not verify, or the envelope breaks an integrity rule. */
export class SignatureIntegrityError extends OcisignError {
  /** The stable code: `ERR_SIGNATURE_INTEGRITY`. */
  declare readonly code: "ERR_SIGNATURE_INTEGRITY";
  /**
   * Creates the error.
   * @param message What failed.
   */
  constructor(message: string, options?: OcisignErrorOptions) {
    super("ERR_SIGNATURE_INTEGRITY", message, options);
  }
}

/** The certificate chain does not lead to a certificate in the trust store. */
export class SignatureAuthenticityError extends OcisignError {
  /** The stable code: `ERR_SIGNATURE_AUTHENTICITY`. */
  declare readonly code: "ERR_SIGNATURE_AUTHENTICITY";
  /**
   * Creates the error.
   * @param message What failed.
   */
  constructor(message: string, options?: OcisignErrorOptions) {
    super("ERR_SIGNATURE_AUTHENTICITY", message, options);
  }
}

/** The signing certificate matches none of the trust policy's trusted identities. */
export class TrustedIdentityError extends OcisignError {
  /** The stable code: `ERR_SIGNATURE_TRUSTED_IDENTITY`. */
  declare readonly code: "ERR_SIGNATURE_TRUSTED_IDENTITY";
  /**
   * Creates the error.
   * @param message What failed.
   */
  constructor(message: string, options?: OcisignErrorOptions) {
    super("ERR_SIGNATURE_TRUSTED_IDENTITY", message, options);
  }
}

/** The signature's expiry has passed. */
export class SignatureExpiredError extends OcisignError {
  /** The stable code: `ERR_SIGNATURE_EXPIRED`. */
  declare readonly code: "ERR_SIGNATURE_EXPIRED";
  /**
   * Creates the error.
   * @param message What failed.
   */
  constructor(message: string, options?: OcisignErrorOptions) {
    super("ERR_SIGNATURE_EXPIRED", message, options);
  }
}

/** A certificate of the signing chain is revoked, or its revocation status is unknown. */
export class RevocationError extends OcisignError {
  /** The stable code: `ERR_SIGNATURE_REVOCATION`. */
  declare readonly code: "ERR_SIGNATURE_REVOCATION";
  /**
   * Creates the error.
   * @param message What failed.
   */
  constructor(message: string, options?: OcisignErrorOptions) {
    super("ERR_SIGNATURE_REVOCATION", message, options);
  }
}

/** The signing time (or now) lies outside a certificate's validity. */
export class AuthenticTimestampError extends OcisignError {
  /** The stable code: `ERR_SIGNATURE_AUTHENTIC_TIMESTAMP`. */
  declare readonly code: "ERR_SIGNATURE_AUTHENTIC_TIMESTAMP";
  /**
   * Creates the error.
   * @param message What failed.
   */
  constructor(message: string, options?: OcisignErrorOptions) {
    super("ERR_SIGNATURE_AUTHENTIC_TIMESTAMP", message, options);
  }
}

/** Signed user metadata does not contain what the verifier asked for. */
export class UserMetadataError extends OcisignError {
  /** The stable code: `ERR_SIGNATURE_USER_METADATA`. */
  declare readonly code: "ERR_SIGNATURE_USER_METADATA";
  /**
   * Creates the error.
   * @param message What failed.
   */
  constructor(message: string, options?: OcisignErrorOptions) {
    super("ERR_SIGNATURE_USER_METADATA", message, options);
  }
}

/** The trust policy document is invalid, or no policy applies. */
export class TrustPolicyError extends OcisignError {
  /** The stable code: `ERR_TRUST_POLICY`. */
  declare readonly code: "ERR_TRUST_POLICY";
  /**
   * Creates the error.
   * @param message What is wrong.
   */
  constructor(message: string, options?: OcisignErrorOptions) {
    super("ERR_TRUST_POLICY", message, options);
  }
}

/** A trust store is missing, empty or holds an invalid certificate. */
export class TrustStoreError extends OcisignError {
  /** The stable code: `ERR_TRUST_STORE`. */
  declare readonly code: "ERR_TRUST_STORE";
  /**
   * Creates the error.
   * @param message What is wrong.
   */
  constructor(message: string, options?: OcisignErrorOptions) {
    super("ERR_TRUST_STORE", message, options);
  }
}

/** A configuration file (signingkeys.json, ...) is missing or invalid. */
export class ConfigError extends OcisignError {
  /** The stable code: `ERR_CONFIG`. */
  declare readonly code: "ERR_CONFIG";
  /**
   * Creates the error.
   * @param message What is wrong.
   */
  constructor(message: string, options?: OcisignErrorOptions) {
    super("ERR_CONFIG", message, options);
  }
}

/** A build step cannot be carried out. */
export class BuildError extends OcisignError {
  /** The stable code: `ERR_BUILD`. */
  declare readonly code: "ERR_BUILD";
  /**
   * Creates the error.
   * @param message What failed, with the Dockerfile line where known.
   */
  constructor(message: string, options?: OcisignErrorOptions) {
    super("ERR_BUILD", message, options);
  }
}

/** A registry answered with an error. */
export class RegistryError extends OcisignError {
  /** The stable code: `ERR_REGISTRY`. */
  declare readonly code: "ERR_REGISTRY";
  /** HTTP status. */
  readonly status: number;
  /** Distribution-spec error codes from the body (`BLOB_UNKNOWN`, ...). */
  readonly registryCodes: string[];
  /**
   * Creates the error.
   * @param message What failed.
   * @param status HTTP status.
   * @param registryCodes Spec error codes from the body.
   */
  constructor(
    message: string,
    status: number,
    registryCodes: string[] = [],
    options?: OcisignErrorOptions,
  ) {
    super("ERR_REGISTRY", message, {
      ...options,
      details: { status, registryCodes, ...options?.details },
    });
    this.status = status;
    this.registryCodes = registryCodes;
  }
}

/** The registry needs credentials, or refused the ones given. */
export class UnauthorizedError extends OcisignError {
  /** The stable code: `ERR_UNAUTHORIZED`. */
  declare readonly code: "ERR_UNAUTHORIZED";
  /**
   * Creates the error.
   * @param message What failed (never the credentials).
   */
  constructor(message: string, options?: OcisignErrorOptions) {
    super("ERR_UNAUTHORIZED", message, options);
  }
}

/** The registry refused the operation for these credentials. */
export class DeniedError extends OcisignError {
  /** The stable code: `ERR_DENIED`. */
  declare readonly code: "ERR_DENIED";
  /**
   * Creates the error.
   * @param message What failed (never the credentials).
   */
  constructor(message: string, options?: OcisignErrorOptions) {
    super("ERR_DENIED", message, options);
  }
}

/**
 * The local file system refused a write or a read: no space left, quota exceeded, read-only
 * file system, permission denied. `details.errno` names the condition (`ENOSPC`, ...).
 */
export class StorageError extends OcisignError {
  /** The stable code: `ERR_STORAGE`. */
  declare readonly code: "ERR_STORAGE";
  /**
   * Creates the error.
   * @param message What failed and what to do.
   * @param options The cause and details (`errno`).
   */
  constructor(message: string, options?: OcisignErrorOptions) {
    super("ERR_STORAGE", message, options);
  }
}

/** A lock file is held by another process (a layout being written), or was lost while held. */
export class LockedError extends OcisignError {
  /** The stable code: `ERR_LOCKED`. */
  declare readonly code: "ERR_LOCKED";
  /**
   * Creates the error.
   * @param message Which lock, who holds it, and what to do.
   * @param options The cause and details.
   */
  constructor(message: string, options?: OcisignErrorOptions) {
    super("ERR_LOCKED", message, options);
  }
}

/** A network operation took too long. */
export class TimeoutError extends OcisignError {
  /** The stable code: `ERR_TIMEOUT`. */
  declare readonly code: "ERR_TIMEOUT";
  /**
   * Creates the error.
   * @param message What timed out.
   */
  constructor(message: string, options?: OcisignErrorOptions) {
    super("ERR_TIMEOUT", message, options);
  }
}

/** One signature's verification result, as carried by {@linkcode VerificationFailedError}. */
export interface SignatureFailure {
  /** Digest of the signature manifest (or envelope blob). */
  signature: string;
  /** The error that made it fail. */
  error: OcisignError;
}

/** No signature of the artifact passed verification. */
export class VerificationFailedError extends OcisignError {
  /** The stable code: `ERR_VERIFICATION_FAILED`. */
  declare readonly code: "ERR_VERIFICATION_FAILED";
  /** Why each signature that was tried failed. */
  readonly failures: SignatureFailure[];
  /**
   * Creates the error.
   * @param message Summary.
   * @param failures Per-signature reasons.
   */
  constructor(message: string, failures: SignatureFailure[], options?: OcisignErrorOptions) {
    super("ERR_VERIFICATION_FAILED", message, {
      ...options,
      details: {
        failures: failures.map((f) => ({
          signature: f.signature,
          code: f.error.code,
          message: f.error.message,
        })),
        ...options?.details,
      },
    });
    this.failures = failures;
  }
}

/** RFC 3161 timestamping at signing failed: the TSA was unreachable or its answer was refused. */
export class TimestampError extends OcisignError {
  /** The stable code: `ERR_TIMESTAMP`. */
  declare readonly code: "ERR_TIMESTAMP";
  /**
   * Creates the error.
   * @param message What failed (notation's wording: `timestamp: ...`).
   */
  constructor(message: string, options?: OcisignErrorOptions) {
    super("ERR_TIMESTAMP", message, options);
  }
}

/** A verified signature was made for a different artifact (digest, size or media type differ). */
export class SubjectMismatchError extends OcisignError {
  /** The stable code: `ERR_SIGNATURE_SUBJECT_MISMATCH`. */
  declare readonly code: "ERR_SIGNATURE_SUBJECT_MISMATCH";
  /**
   * Creates the error.
   * @param message What differs.
   */
  constructor(message: string, options?: OcisignErrorOptions) {
    super("ERR_SIGNATURE_SUBJECT_MISMATCH", message, options);
  }
}

/**
 * Every ocisign error class, discriminated by its `code`: a `switch (err.code)` on this type
 * narrows `err` to the class with that code (and its extra fields). Codes with no class of their
 * own (`ERR_INTERNAL`, and `ERR_USAGE` from the command line) arrive as a plain
 * {@linkcode OcisignError}: test `instanceof OcisignError` first, then narrow.
 *
 * @example Narrow on the code
 * ```ts
 * import { type AnyOcisignError, DigestMismatchError, OcisignError } from "./errors.ts";
 *
 * function describe(err: unknown): string {
 *   if (!(err instanceof OcisignError)) return "not an ocisign error";
 *   const e = err as AnyOcisignError;
 *   switch (e.code) {
 *     case "ERR_DIGEST_MISMATCH":
 *       return `expected ${e.expected}, got ${e.actual}`; // narrowed to DigestMismatchError
 *     case "ERR_REGISTRY":
 *       return `registry answered ${e.status}`; // narrowed to RegistryError
 *     default:
 *       return e.code;
 *   }
 * }
 *
 * const text = describe(new DigestMismatchError("sha256:aa", "sha256:bb"));
 * if (text !== "expected sha256:aa, got sha256:bb") throw new Error(text);
 * ```
 */
export type AnyOcisignError =
  | AbortedError
  | InvalidDigestError
  | InvalidReferenceError
  | InvalidManifestError
  | InvalidLayoutError
  | InvalidInputError
  | DigestMismatchError
  | SizeMismatchError
  | SizeExceededError
  | NotFoundError
  | AlreadyExistsError
  | UnsupportedError
  | CertificateInvalidError
  | KeyInvalidError
  | EnvelopeInvalidError
  | SignatureIntegrityError
  | SignatureAuthenticityError
  | TrustedIdentityError
  | SignatureExpiredError
  | RevocationError
  | AuthenticTimestampError
  | UserMetadataError
  | TrustPolicyError
  | TrustStoreError
  | ConfigError
  | BuildError
  | RegistryError
  | UnauthorizedError
  | DeniedError
  | StorageError
  | LockedError
  | TimeoutError
  | VerificationFailedError
  | TimestampError
  | SubjectMismatchError;
