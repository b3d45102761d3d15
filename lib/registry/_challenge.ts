/**
 * `WWW-Authenticate` challenges (RFC 7235 / RFC 6750) and distribution token scopes.
 *
 * @module
 */

/** A parsed challenge. */
export interface Challenge {
  /** `basic` or `bearer` (lower-case). */
  scheme: string;
  /** Auth parameters with lower-case names (`realm`, `service`, `scope`, `error`). */
  params: Record<string, string>;
}

/**
 * Parses the first challenge of a `WWW-Authenticate` header value.
 * Returns `undefined` when the header is missing or unparseable.
 */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (header === null) return undefined;
  const m = /^\s*([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)\s*(.*)$/s.exec(header);
  if (m === null) return undefined;
  const scheme = m[1]!.toLowerCase();
  const params: Record<string, string> = {};
  let rest = m[2]!;
  const param = /^\s*,?\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*/s;
  for (let i = 0; i < 32 && rest.length > 0; i++) {
    const p = param.exec(rest);
    if (p === null) break;
    const value = p[2] !== undefined ? p[2].replace(/\\(.)/gs, "$1") : p[3]!;
    params[p[1]!.toLowerCase()] = value;
    rest = rest.slice(p[0].length);
  }
  return { scheme, params };
}

/**
 * Merges scopes (`repository:<name>:<actions>`) per resource, unions their actions, and sorts,
 * as oras-go's `CleanScopes` does; the result keys the token cache.
 */
export function cleanScopes(scopes: readonly string[]): string[] {
  const byResource = new Map<string, Set<string>>();
  for (const scope of scopes) {
    for (const s of scope.split(" ")) {
      const first = s.indexOf(":");
      const last = s.lastIndexOf(":");
      if (first <= 0 || last === first) continue;
      const resource = s.slice(0, last);
      const actions = byResource.get(resource) ?? new Set<string>();
      for (const a of s.slice(last + 1).split(",")) if (a !== "") actions.add(a);
      byResource.set(resource, actions);
    }
  }
  const out: string[] = [];
  for (const [resource, actions] of byResource) {
    if (actions.size === 0) continue;
    const list = actions.has("*") ? ["*"] : [...actions].sort();
    out.push(`${resource}:${list.join(",")}`);
  }
  return out.sort();
}

/** The scope for actions on a repository. */
export function repositoryScope(repository: string, actions: readonly string[]): string {
  return `repository:${repository}:${actions.join(",")}`;
}
