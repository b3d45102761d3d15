/**
 * Basic authentication against an htpasswd file (bcrypt entries, as Distribution requires).
 *
 * @module
 */
import bcrypt from "npm:bcryptjs@3.0.3";
import { InvalidInputError } from "../../errors.ts";

/** Users and their bcrypt hashes. */
export type Htpasswd = ReadonlyMap<string, string>;

/**
 * Parses `user:$2y$...` lines; blank lines and `#` comments are skipped.
 * @throws {InvalidInputError} ERR_INVALID_INPUT for a line that is not `user:bcrypt-hash`.
 */
export function parseHtpasswd(text: string): Htpasswd {
  const users = new Map<string, string>();
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const colon = trimmed.indexOf(":");
    const hash = trimmed.slice(colon + 1);
    if (colon <= 0 || !/^\$2[aby]?\$\d\d\$/.test(hash)) {
      throw new InvalidInputError(
        `htpasswd line ${i + 1} is not "user:bcrypt-hash"; create entries with "htpasswd -B"`,
      );
    }
    users.set(trimmed.slice(0, colon), hash);
  });
  return users;
}

/**
 * Builds a request check for the registry handler: the `Authorization: Basic` header must name a
 * user of the file with the right password. Results are cached per header (bcrypt is slow).
 */
export function htpasswdAuth(users: Htpasswd): (request: Request) => Promise<boolean> {
  const cache = new Map<string, boolean>();
  return async (request) => {
    const header = request.headers.get("authorization") ?? "";
    if (!header.toLowerCase().startsWith("basic ")) return false;
    const cached = cache.get(header);
    if (cached !== undefined) return cached;
    let decoded: string;
    try {
      decoded = atob(header.slice(6).trim());
    } catch {
      return false;
    }
    const colon = decoded.indexOf(":");
    const hash = colon > 0 ? users.get(decoded.slice(0, colon)) : undefined;
    const ok = hash !== undefined && await bcrypt.compare(decoded.slice(colon + 1), hash);
    if (cache.size > 1000) cache.clear();
    cache.set(header, ok);
    return ok;
  };
}
