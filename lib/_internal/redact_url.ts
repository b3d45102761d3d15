/**
 * Private: a URL fit for messages and logs — without user info, with query values that may carry
 * a credential (pre-signed URLs, tokens) masked.
 *
 * @module
 */

const SENSITIVE = /sig|token|key|credential|password|secret|auth/i;

/**
 * The URL with its user info removed and sensitive query values masked.
 *
 * @example
 * ```ts
 * import { redactUrl } from "./redact_url.ts";
 * console.log(redactUrl("http://me:pw@ca.example/crl?token=x")); // http://ca.example/crl?token=***
 * ```
 * @param raw The URL (returned as is when it does not parse).
 * @returns The URL without credentials.
 */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw;
  }
  url.username = "";
  url.password = "";
  for (const key of [...url.searchParams.keys()]) {
    if (SENSITIVE.test(key)) url.searchParams.set(key, "***");
  }
  return url.toString();
}
