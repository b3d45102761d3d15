/**
 * Turns a failed registry response into a typed error: the spec error body (`{"errors":[…]}`)
 * is parsed, bounded, and never echoed beyond its codes and messages.
 *
 * @module
 */
import {
  DeniedError,
  NotFoundError,
  type OcisignError,
  RegistryError,
  UnauthorizedError,
} from "../errors.ts";
import { fromUtf8 } from "../_internal/bytes.ts";
import { readAllBounded } from "./_read_bounded.ts";

const MAX_ERROR_BODY = 64 * 1024;

/** One entry of a distribution-spec error body. */
export interface RegistryErrorEntry {
  code: string;
  message: string;
}

/** Parses a distribution-spec error body; anything else yields no entries. */
export async function readErrorEntries(res: Response): Promise<RegistryErrorEntry[]> {
  if (res.body === null) return [];
  try {
    const bytes = await readAllBounded(res.body, MAX_ERROR_BODY, "Registry error body");
    const parsed: unknown = JSON.parse(fromUtf8(bytes));
    const errors = (parsed as { errors?: unknown }).errors;
    if (!Array.isArray(errors)) return [];
    return errors.slice(0, 16).map((e: unknown) => {
      const o = (typeof e === "object" && e !== null ? e : {}) as Record<string, unknown>;
      return {
        code: typeof o.code === "string" ? o.code.slice(0, 64) : "UNKNOWN",
        message: typeof o.message === "string" ? o.message.slice(0, 300) : "",
      };
    });
  } catch {
    return [];
  }
}

/** A URL without its query or fragment (presigned URLs carry secrets in the query). */
export function safeUrl(url: string | URL): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

/**
 * Builds the typed error for a response that failed.
 * @param res The response (its body is consumed).
 * @param action What was attempted, e.g. `Cannot fetch manifest localhost:5000/a:v1`.
 */
export async function responseError(res: Response, action: string): Promise<OcisignError> {
  const entries = await readErrorEntries(res);
  const codes = entries.map((e) => e.code);
  const detail = entries.length === 0
    ? ""
    : `: ${entries.map((e) => e.message ? `${e.code} ${e.message}` : e.code).join("; ")}`;
  const head = `${action}: the registry answered ${res.status}${detail}`;
  const details = { status: res.status, registryCodes: codes };
  switch (res.status) {
    case 401:
      return new UnauthorizedError(
        `${head}; log in or pass credentials with access to this repository`,
        { details },
      );
    case 403:
      return new DeniedError(`${head}; the credentials lack permission for this operation`, {
        details,
      });
    case 404:
      return new NotFoundError(`${head}; check the repository, tag or digest`, { details });
    default:
      return new RegistryError(
        res.status === 429
          ? `${head}; the registry is rate limiting, try again later`
          : res.status >= 500
          ? `${head}; the registry failed, try again later`
          : head,
        res.status,
        codes,
      );
  }
}
