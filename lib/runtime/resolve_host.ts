/**
 * Host name resolution for the registry client's token-realm guard, with the system resolver
 * (`getaddrinfo`, so `/etc/hosts` counts, as it does for the request that would follow).
 *
 * @module
 */
/**
 * Resolves `hostname` to all of its IPv4 and IPv6 addresses.
 *
 * @example
 * ```ts
 * import { resolveHost } from "./resolve_host.ts";
 * const addresses = await resolveHost("localhost");
 * console.log(addresses.some((a) => a === "127.0.0.1" || a === "::1")); // true
 * ```
 * @param hostname A host name.
 * @returns Its addresses (IPv6 without brackets).
 * @throws {Error} when the name does not resolve.
 */
export async function resolveHost(hostname: string): Promise<string[]> {
  // Loaded on first use: most commands never resolve a registry host.
  const { lookup } = await import("node:dns/promises");
  const found = await lookup(hostname, { all: true, verbatim: true });
  return found.map((entry) => entry.address);
}
