/**
 * Distribution-spec error responses: `{"errors":[{"code","message","detail"}]}` with the status
 * each code carries, built from {@linkcode RegistryError}s thrown by the route handlers.
 *
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes
 * @module
 */
import { utf8 } from "../_internal/bytes.ts";
import { OcisignError, RegistryError } from "../errors.ts";

/**
 * Error codes of the distribution spec, plus `UNKNOWN` for internal failures and Distribution's
 * `UNAVAILABLE` (503) for storage that is busy.
 */
export type SpecErrorCode =
  | "BLOB_UNKNOWN"
  | "BLOB_UPLOAD_INVALID"
  | "BLOB_UPLOAD_UNKNOWN"
  | "DIGEST_INVALID"
  | "MANIFEST_BLOB_UNKNOWN"
  | "MANIFEST_INVALID"
  | "MANIFEST_UNKNOWN"
  | "NAME_INVALID"
  | "NAME_UNKNOWN"
  | "SIZE_INVALID"
  | "UNAUTHORIZED"
  | "DENIED"
  | "UNSUPPORTED"
  | "TOOMANYREQUESTS"
  | "PAGINATION_NUMBER_INVALID"
  | "RANGE_INVALID"
  | "UNAVAILABLE"
  | "UNKNOWN";

/** Makes the error a handler throws to answer with `status` and a spec error body. */
export function apiError(
  status: number,
  code: SpecErrorCode,
  message: string,
  headers?: Record<string, string>,
): RegistryError {
  return new RegistryError(message, status, [code], {
    details: headers === undefined ? {} : { headers },
  });
}

/** A JSON response with an exact `Content-Length`. */
export function jsonResponse(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
  contentType = "application/json",
): Response {
  const body = utf8(JSON.stringify(value));
  return new Response(body, {
    status,
    headers: { ...headers, "content-type": contentType, "content-length": String(body.length) },
  });
}

/** The spec error JSON response for a status, code and message. */
export function specErrorResponse(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return jsonResponse(status, { errors: [{ code, message, detail: {} }] }, headers);
}

/** Errors of the server's file system that its operator can fix: full, over quota, read-only. */
const STORAGE_WORDS: Record<string, [number, string]> = {
  ENOSPC: [507, "the registry's storage is full"],
  EDQUOT: [507, "the registry's storage quota is used up"],
  EROFS: [500, "the registry's storage is read-only"],
};

/** A write the storage refused: 507 when it is full, else 500, worded without paths. */
function storageErrorResponse(err: OcisignError): Response {
  const errno = String(err.details?.errno ?? "");
  const [status, words] = STORAGE_WORDS[errno] ?? [500, "the registry cannot write to its storage"];
  return specErrorResponse(
    status,
    "UNKNOWN",
    `The content could not be stored: ${words}; retry after the registry's operator has fixed it`,
  );
}

/** A tag that names several manifests in a layout's `index.json`. */
function ambiguousTagResponse(err: OcisignError): Response {
  const tag = String(err.details?.tag);
  const digests = Array.isArray(err.details?.digests) ? err.details.digests.map(String) : [];
  return specErrorResponse(
    409,
    "MANIFEST_UNKNOWN",
    `Tag ${JSON.stringify(tag)} names ${digests.length} different manifests in this repository ` +
      `(${digests.join(", ")}); pull one of them by digest, or have the registry's operator ` +
      `remove the duplicate entries from the layout's index.json`,
  );
}

/**
 * Turns anything a handler threw into a spec error response. Typed errors of the content layer map
 * to their spec codes (a busy lock 503, a full disk 507, an ambiguous tag 409); anything else is
 * a 500 whose body does not reveal internals.
 */
export function errorToResponse(err: unknown): Response {
  if (err instanceof RegistryError) {
    const headers = (err.details?.headers ?? {}) as Record<string, string>;
    return specErrorResponse(err.status, err.registryCodes[0] ?? "UNKNOWN", err.message, headers);
  }
  if (err instanceof OcisignError) {
    switch (err.code) {
      case "ERR_DIGEST_MISMATCH":
      case "ERR_INVALID_DIGEST":
        return specErrorResponse(400, "DIGEST_INVALID", err.message);
      case "ERR_SIZE_MISMATCH":
        return specErrorResponse(400, "SIZE_INVALID", err.message);
      case "ERR_SIZE_EXCEEDED":
        return specErrorResponse(413, "SIZE_INVALID", err.message);
      case "ERR_INVALID_MANIFEST":
        return specErrorResponse(400, "MANIFEST_INVALID", err.message);
      case "ERR_NOT_FOUND":
        // Content that vanished between the check and the read (a concurrent delete).
        return specErrorResponse(404, "BLOB_UNKNOWN", "The content was removed while it was read");
      case "ERR_INVALID_REFERENCE":
        return specErrorResponse(400, "NAME_INVALID", err.message);
      case "ERR_ABORTED":
        return specErrorResponse(400, "BLOB_UPLOAD_INVALID", "The request body ended early");
      case "ERR_LOCKED":
        // Another process (ocisign sign, cp) holds the layout's lock file: a retry will do.
        return specErrorResponse(
          503,
          "UNAVAILABLE",
          "Another writer holds the repository's lock; retry in a moment",
          { "retry-after": "10" },
        );
      case "ERR_STORAGE":
        return storageErrorResponse(err);
      case "ERR_INVALID_LAYOUT":
        if (typeof err.details?.tag === "string") return ambiguousTagResponse(err);
        break;
      default:
        break;
    }
  }
  return specErrorResponse(500, "UNKNOWN", "Internal server error; see the server log");
}
