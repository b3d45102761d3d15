/**
 * Private response helpers: header parsing, body disposal and `Link` pagination.
 *
 * @module
 */
import { RegistryError } from "../errors.ts";

/** The `Content-Type` without parameters, lower-cased. */
export function mediaTypeOf(res: Response): string | undefined {
  const ct = res.headers.get("content-type");
  if (ct === null) return undefined;
  const t = ct.split(";")[0]!.trim().toLowerCase();
  return t === "" ? undefined : t;
}

/** `Content-Length` when it is a plain integer. */
export function contentLength(res: Response): number | undefined {
  const v = res.headers.get("content-length");
  if (v === null || !/^[0-9]+$/.test(v)) return undefined;
  return Number(v);
}

/** Cancels an unread body so the connection can be reused. */
export async function discard(res: Response): Promise<void> {
  if (res.body !== null && !res.bodyUsed) await res.body.cancel().catch(() => {});
}

/** Parses `Link: <url>; rel="next"` (RFC 8288) and keeps only same-origin links. */
export function nextLink(res: Response, current: URL): URL | undefined {
  const link = res.headers.get("link");
  if (link === null) return undefined;
  for (const part of link.split(",")) {
    const m = /^\s*<([^>]*)>\s*(.*)$/.exec(part);
    if (m === null || !/rel="?next"?/i.test(m[2]!)) continue;
    const url = new URL(m[1]!, current);
    if (url.origin !== current.origin) {
      throw new RegistryError(
        `The registry sent a pagination link to another origin (${url.origin}); refusing to follow it`,
        res.status,
      );
    }
    return url;
  }
  return undefined;
}
