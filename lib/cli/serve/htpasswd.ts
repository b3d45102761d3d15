/**
 * Basic authentication against an htpasswd file (bcrypt entries, as Distribution requires).
 *
 * @module
 */
import bcrypt from "npm:bcryptjs@3.0.3";
import { InvalidInputError, RegistryError } from "../../errors.ts";
import type { ClientInfo } from "../../server/registry_handler.ts";

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

/** Options of {@linkcode htpasswdAuth}. */
export interface HtpasswdAuthOptions {
  /** Checks a password against a bcrypt hash (default: bcryptjs). */
  compare?: (password: string, hash: string) => Promise<boolean>;
  /** How long a successful check is remembered, in milliseconds (default 5 minutes). */
  cacheTtlMs?: number;
  /** Most successful checks remembered (default 1000; the oldest is forgotten first). */
  cacheSize?: number;
  /** Most uncached checks one client address may have running at once (default 2). */
  maxChecksPerClient?: number;
  /** The clock, in milliseconds (default `Date.now`). */
  now?: () => number;
}

/** The client address without its port (`[v6]:port` and `v4:port`). */
function clientHost(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined) return "unknown";
  return remoteAddress.replace(/:\d+$/, "");
}

/** A bcrypt hash of a random password with the cost of the file's costliest entry. */
function dummyHash(users: Htpasswd): string {
  let cost = 4;
  for (const hash of users.values()) {
    cost = Math.max(cost, Number(/^\$2[aby]?\$(\d\d)\$/.exec(hash)?.[1] ?? 0));
  }
  const random = crypto.getRandomValues(new Uint8Array(18));
  return bcrypt.hashSync(btoa(String.fromCharCode(...random)), cost);
}

/**
 * Builds a request check for the registry handler: the `Authorization: Basic` header must name a
 * user of the file with the right password.
 *
 * bcrypt is slow on purpose and runs on the server's only thread, so: an unknown user costs the
 * same bcrypt run as a known one (against a dummy hash of the same cost), so the answer time does
 * not tell which names exist; a successful check is remembered for a while (keyed by a salted
 * SHA-256 of user and password, never the password itself), so an authenticated client costs one
 * run per TTL; and each client address may have only a few uncached checks running at once,
 * beyond which it gets 429 TOOMANYREQUESTS without any bcrypt run.
 *
 * @example
 * ```ts ignore
 * const auth = htpasswdAuth(parseHtpasswd(await Deno.readTextFile("htpasswd")));
 * const ok = await auth(request, { remoteAddress: "127.0.0.1:50312" });
 * ```
 * @param users The parsed file.
 * @param options The comparison, the cache and the per-client limit.
 * @returns The check for `createRegistryHandler({ auth })`.
 */
export function htpasswdAuth(
  users: Htpasswd,
  options: HtpasswdAuthOptions = {},
): (request: Request, client?: ClientInfo) => Promise<boolean> {
  const compare = options.compare ?? ((password, hash) => bcrypt.compare(password, hash));
  const ttl = options.cacheTtlMs ?? 5 * 60_000;
  const cacheSize = options.cacheSize ?? 1000;
  const perClient = options.maxChecksPerClient ?? 2;
  const now = options.now ?? Date.now;
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const remembered = new Map<string, number>();
  const running = new Map<string, number>();
  const dummy = dummyHash(users);

  const cacheKey = async (userPassword: string): Promise<string> => {
    const text = new TextEncoder().encode(userPassword);
    const data = new Uint8Array(salt.length + text.length);
    data.set(salt);
    data.set(text, salt.length);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
    return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  };

  return async (request, client) => {
    const header = request.headers.get("authorization") ?? "";
    if (!header.toLowerCase().startsWith("basic ")) return false;
    let decoded: string;
    try {
      decoded = atob(header.slice(6).trim());
    } catch {
      return false;
    }
    const key = await cacheKey(decoded);
    const until = remembered.get(key);
    if (until !== undefined && until > now()) return true;
    remembered.delete(key);

    const who = clientHost(client?.remoteAddress);
    const inFlight = running.get(who) ?? 0;
    if (inFlight >= perClient) {
      throw new RegistryError(
        `Too many log-in attempts at once from ${who}; wait for the previous ones and retry`,
        429,
        ["TOOMANYREQUESTS"],
        { details: { headers: { "retry-after": "1" } } },
      );
    }
    running.set(who, inFlight + 1);
    try {
      const colon = decoded.indexOf(":");
      const hash = colon > 0 ? users.get(decoded.slice(0, colon)) : undefined;
      // The same bcrypt work whether or not the user exists.
      const matched = await compare(decoded.slice(colon + 1), hash ?? dummy);
      const ok = hash !== undefined && matched;
      if (ok) {
        remembered.set(key, now() + ttl);
        for (const oldest of remembered.keys()) {
          if (remembered.size <= cacheSize) break;
          remembered.delete(oldest);
        }
      }
      return ok;
    } finally {
      const left = (running.get(who) ?? 1) - 1;
      if (left === 0) running.delete(who);
      else running.set(who, left);
    }
  };
}
