/**
 * Where a registry may send the client for a token. The realm of a Bearer challenge comes from
 * the registry, so a hostile registry could point it into the user's network (a cloud metadata
 * endpoint, a service on loopback) or at plain http. As oras-go does since the fix for
 * GHSA-xf85-363p-868w: only http(s); no plain http when the registry is reached over https; and
 * an IP-literal host that is loopback, link-local, private or unspecified only when it is the
 * registry's own host. The same rules hold for every redirect the token service sends.
 *
 * @module
 */
import { UnauthorizedError } from "../errors.ts";

/**
 * Resolves a host name to its IP addresses (as `URL.hostname` spells IPv4, or bare IPv6).
 *
 * @example
 * ```ts
 * import type { ResolveHost } from "./_realm_guard.ts";
 * const fixed: ResolveHost = (name) => Promise.resolve(name === "localhost" ? ["127.0.0.1"] : []);
 * ```
 */
export type ResolveHost = (hostname: string) => Promise<string[]>;

function ipv4Bytes(host: string): number[] | undefined {
  const parts = host.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p))) return undefined;
  const bytes = parts.map(Number);
  return bytes.every((b) => b <= 255) ? bytes : undefined;
}

function ipv6Bytes(host: string): number[] | undefined {
  if (!host.startsWith("[") || !host.endsWith("]")) return undefined;
  const text = host.slice(1, -1).toLowerCase();
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === "") return [];
    const out: number[] = [];
    const pieces = half.split(":");
    for (const [i, piece] of pieces.entries()) {
      const v4 = i === pieces.length - 1 ? ipv4Bytes(piece) : undefined;
      if (v4 !== undefined) {
        out.push(...v4);
        continue;
      }
      if (!/^[0-9a-f]{1,4}$/.test(piece)) return undefined;
      const n = parseInt(piece, 16);
      out.push(n >> 8, n & 0xff);
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  if (halves.length === 1) return head.length === 16 ? head : undefined;
  if (head.length + tail.length > 14) return undefined;
  return [...head, ...Array(16 - head.length - tail.length).fill(0), ...tail];
}

function isNonPublicV4([a, b]: number[]): boolean {
  return a === 127 || a === 10 || a === 0 || // loopback, private, unspecified ("this network")
    (a === 169 && b === 254) || // link-local (cloud metadata endpoints)
    (a === 172 && b! >= 16 && b! <= 31) || (a === 192 && b === 168); // private
}

/**
 * Whether `hostname` (as `URL.hostname` spells it) is an IP literal that is loopback,
 * link-local, private or unspecified, IPv4-mapped IPv6 included.
 *
 * @example
 * ```ts
 * import { isNonPublicIpLiteral } from "./_realm_guard.ts";
 * console.log(isNonPublicIpLiteral("169.254.169.254")); // true
 * console.log(isNonPublicIpLiteral("[::ffff:7f00:1]")); // true
 * console.log(isNonPublicIpLiteral("auth.example.com")); // false
 * ```
 */
export function isNonPublicIpLiteral(hostname: string): boolean {
  const v4 = ipv4Bytes(hostname);
  if (v4 !== undefined) return isNonPublicV4(v4);
  const v6 = ipv6Bytes(hostname);
  if (v6 === undefined) return false;
  const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  if (mapped) return isNonPublicV4(v6.slice(12));
  const zeroPrefix = v6.slice(0, 15).every((b) => b === 0);
  return (zeroPrefix && (v6[15] === 0 || v6[15] === 1)) || // unspecified, loopback
    (v6[0] === 0xfe && (v6[1]! & 0xc0) === 0x80) || // link-local fe80::/10
    (v6[0]! & 0xfe) === 0xfc; // unique local fc00::/7
}

/** Whether `hostname` (a name, not an IP literal) leads into the user's network. */
async function isNonPublicName(hostname: string, resolve: ResolveHost | undefined) {
  const name = hostname.toLowerCase().replace(/\.$/, "");
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  if (resolve === undefined) return false;
  let addresses: string[];
  try {
    addresses = await resolve(name);
  } catch {
    return false; // unresolvable: the request will fail on its own
  }
  return addresses.some((a) => isNonPublicIpLiteral(a.includes(":") ? `[${a}]` : a));
}

/**
 * Refuses a token realm (or a redirect of the token service) the client must not contact.
 *
 * @example
 * ```ts
 * import { checkRealm } from "./_realm_guard.ts";
 * const registry = new URL("https://registry.example.com");
 * await checkRealm(new URL("https://auth.example.com/token"), registry, "registry.example.com");
 * ```
 * @param realm Where the client would go.
 * @param registryBase The registry's base URL (its scheme and host).
 * @param registryName The registry as the user named it, for messages.
 * @param resolve Resolves host names (without it, only `localhost` names are known).
 * @throws {UnauthorizedError} ERR_UNAUTHORIZED for a realm that is not http(s), plain http while
 *   the registry is https, or a host other than the registry's own that is (or resolves to) a
 *   loopback, link-local, private or unspecified address.
 */
export async function checkRealm(
  realm: URL,
  registryBase: URL,
  registryName: string,
  resolve?: ResolveHost,
): Promise<void> {
  if (realm.protocol !== "https:" && realm.protocol !== "http:") {
    throw new UnauthorizedError(
      `The registry ${registryName} sent a token realm with the unsupported scheme ${
        JSON.stringify(realm.protocol.slice(0, -1))
      }; refusing to contact it`,
    );
  }
  if (realm.protocol === "http:" && registryBase.protocol === "https:") {
    throw new UnauthorizedError(
      `The registry ${registryName} sent a token realm ${realm.origin} that is not https; refusing to send credentials there`,
    );
  }
  if (realm.hostname === registryBase.hostname) return;
  const literal = ipv4Bytes(realm.hostname) !== undefined ||
    ipv6Bytes(realm.hostname) !== undefined;
  if (
    literal ? isNonPublicIpLiteral(realm.hostname) : await isNonPublicName(realm.hostname, resolve)
  ) {
    throw new UnauthorizedError(
      `The registry ${registryName} sent a token realm on ${realm.hostname}, ${
        literal ? "" : "a name for "
      }a loopback, link-local, private or unspecified address that is not the registry's own host; refusing to contact it (a registry may not send the client into your network)`,
    );
  }
}
