/**
 * The one table that maps error codes to process exit codes.
 *
 * @module
 */
import type { ErrorCode } from "../errors.ts";

/** Process exit codes. */
export const EXIT = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  VERIFICATION_FAILED: 3,
  TRUST: 4,
  NOT_FOUND: 5,
  AUTH: 6,
  REGISTRY: 7,
  INVALID_INPUT: 8,
  STORAGE: 9,
  INTERRUPTED: 130,
} as const;

/** Every code has an entry, so a new code cannot go unmapped. */
const BY_CODE: Record<ErrorCode, number> = {
  ERR_INTERNAL: EXIT.INTERNAL,
  ERR_ABORTED: EXIT.INTERRUPTED,
  ERR_USAGE: EXIT.USAGE,
  ERR_BUILD: EXIT.USAGE,
  ERR_UNSUPPORTED: EXIT.USAGE,
  ERR_SIGNATURE_INTEGRITY: EXIT.VERIFICATION_FAILED,
  ERR_SIGNATURE_AUTHENTICITY: EXIT.VERIFICATION_FAILED,
  ERR_SIGNATURE_TRUSTED_IDENTITY: EXIT.VERIFICATION_FAILED,
  ERR_SIGNATURE_EXPIRED: EXIT.VERIFICATION_FAILED,
  ERR_SIGNATURE_AUTHENTIC_TIMESTAMP: EXIT.VERIFICATION_FAILED,
  ERR_SIGNATURE_REVOCATION: EXIT.VERIFICATION_FAILED,
  ERR_SIGNATURE_USER_METADATA: EXIT.VERIFICATION_FAILED,
  ERR_SIGNATURE_SUBJECT_MISMATCH: EXIT.VERIFICATION_FAILED,
  ERR_VERIFICATION_FAILED: EXIT.VERIFICATION_FAILED,
  ERR_TRUST_POLICY: EXIT.TRUST,
  ERR_TRUST_STORE: EXIT.TRUST,
  ERR_CONFIG: EXIT.TRUST,
  ERR_NOT_FOUND: EXIT.NOT_FOUND,
  ERR_UNAUTHORIZED: EXIT.AUTH,
  ERR_DENIED: EXIT.AUTH,
  ERR_REGISTRY: EXIT.REGISTRY,
  ERR_TIMEOUT: EXIT.REGISTRY,
  ERR_TIMESTAMP: EXIT.REGISTRY,
  ERR_INVALID_DIGEST: EXIT.INVALID_INPUT,
  ERR_INVALID_REFERENCE: EXIT.INVALID_INPUT,
  ERR_INVALID_MANIFEST: EXIT.INVALID_INPUT,
  ERR_INVALID_LAYOUT: EXIT.INVALID_INPUT,
  ERR_INVALID_INPUT: EXIT.INVALID_INPUT,
  ERR_DIGEST_MISMATCH: EXIT.INVALID_INPUT,
  ERR_SIZE_MISMATCH: EXIT.INVALID_INPUT,
  ERR_SIZE_EXCEEDED: EXIT.INVALID_INPUT,
  ERR_ENVELOPE_INVALID: EXIT.VERIFICATION_FAILED,
  ERR_CERTIFICATE_INVALID: EXIT.INVALID_INPUT,
  ERR_KEY_INVALID: EXIT.INVALID_INPUT,
  // An existing name without --force is a usage mistake, as in notation.
  ERR_ALREADY_EXISTS: EXIT.USAGE,
  ERR_STORAGE: EXIT.STORAGE,
  ERR_LOCKED: EXIT.STORAGE,
};

/**
 * The error codes of each exit code (for the README's table and its test).
 *
 * @returns Exit code to its error codes, in code order.
 */
export function errorCodesByExit(): Map<number, ErrorCode[]> {
  const out = new Map<number, ErrorCode[]>();
  for (const [code, exit] of Object.entries(BY_CODE) as Array<[ErrorCode, number]>) {
    out.set(exit, [...(out.get(exit) ?? []), code]);
  }
  return new Map([...out].sort((a, b) => a[0] - b[0]));
}

/** Maps an error code to its exit code. */
export function exitCodeFor(code: ErrorCode): number {
  return BY_CODE[code];
}

/** The exit-code table as shown in `--help`. */
export const EXIT_CODE_HELP = `Exit codes:
  0    success
  1    unexpected internal error
  2    usage error (bad arguments, existing name without --force, unsupported Dockerfile instruction)
  3    verification failed (no signature passed; malformed envelope)
  4    trust policy, trust store or configuration problem
  5    not found (image, tag, key, certificate)
  6    authentication failed or access denied
  7    registry or network error, timeout
  8    invalid input data (digest mismatch, malformed layout or manifest)
  9    local file system: no space, quota, read-only, permission denied, layout locked
  130  interrupted`;
