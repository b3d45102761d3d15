/**
 * Routing for the distribution API. Repository names contain slashes, so routes are matched by
 * their path suffix (`.../manifests/<ref>`, `.../blobs/uploads/<id>`, ...).
 *
 * @module
 */

/** A matched route: which endpoint, the repository name and the last path segment. */
export type Route =
  | { kind: "base" }
  | { kind: "tags"; name: string }
  | { kind: "manifest"; name: string; reference: string }
  | { kind: "uploads"; name: string }
  | { kind: "upload"; name: string; id: string }
  | { kind: "blob"; name: string; digest: string }
  | { kind: "referrers"; name: string; digest: string };

const ROUTES: ReadonlyArray<[RegExp, (m: RegExpExecArray) => Route]> = [
  [/^\/v2\/?$/, () => ({ kind: "base" })],
  [/^\/v2\/(.+)\/tags\/list$/, (m) => ({ kind: "tags", name: m[1]! })],
  [
    /^\/v2\/(.+)\/manifests\/([^/]+)$/,
    (m) => ({ kind: "manifest", name: m[1]!, reference: m[2]! }),
  ],
  [/^\/v2\/(.+)\/blobs\/uploads\/?$/, (m) => ({ kind: "uploads", name: m[1]! })],
  [/^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/, (m) => ({ kind: "upload", name: m[1]!, id: m[2]! })],
  [/^\/v2\/(.+)\/blobs\/([^/]+)$/, (m) => ({ kind: "blob", name: m[1]!, digest: m[2]! })],
  [/^\/v2\/(.+)\/referrers\/([^/]+)$/, (m) => ({ kind: "referrers", name: m[1]!, digest: m[2]! })],
];

/** Longest repository name accepted (clients cap `host/name` at 255 characters). */
export const MAX_REPOSITORY_NAME_LENGTH = 255;

/** Matches a URL path to a route, or `undefined` when no endpoint has this shape. */
export function matchRoute(pathname: string): Route | undefined {
  for (const [re, make] of ROUTES) {
    const m = re.exec(pathname);
    if (m !== null) return make(m);
  }
  return undefined;
}

/** Decodes a percent-encoded path segment, or `undefined` when the encoding is broken. */
export function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
