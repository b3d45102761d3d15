/**
 * Platform selection for `copy --platform`, matched as oras does: os and architecture must be
 * equal; variant and os.version only when given.
 *
 * @module
 */
import { InvalidInputError } from "../errors.ts";
import type { Platform } from "../oci/descriptor.ts";

/**
 * Parses `os/arch[/variant][:os.version]`.
 *
 * @example
 * ```ts
 * import { parsePlatform } from "./platform.ts";
 * console.log(parsePlatform("linux/arm64/v8")); // { os: "linux", architecture: "arm64", variant: "v8" }
 * ```
 * @param text The platform text.
 * @returns The platform.
 * @throws {InvalidInputError} ERR_INVALID_INPUT when malformed.
 */
export function parsePlatform(text: string): Platform {
  const colon = text.indexOf(":");
  const head = colon >= 0 ? text.slice(0, colon) : text;
  const parts = head.split("/");
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-zA-Z0-9._-]+$/.test(p))) {
    throw new InvalidInputError(
      `Invalid platform ${
        JSON.stringify(text)
      }: write it as os/arch[/variant][:os.version], e.g. linux/amd64`,
    );
  }
  const platform: Platform = { os: parts[0]!, architecture: parts[1]! };
  if (parts[2] !== undefined) platform.variant = parts[2];
  if (colon >= 0) platform["os.version"] = text.slice(colon + 1);
  return platform;
}

/**
 * Whether `candidate` satisfies `wanted`.
 *
 * @example
 * ```ts
 * import { platformMatches } from "./platform.ts";
 * console.log(platformMatches({ os: "linux", architecture: "amd64" }, { os: "linux", architecture: "amd64" })); // true
 * ```
 * @param candidate The platform of an index entry or image config.
 * @param wanted The platform asked for.
 * @returns True when os and architecture are equal and given variant/os.version match.
 */
export function platformMatches(
  candidate: Partial<Platform> | undefined,
  wanted: Platform,
): boolean {
  if (candidate === undefined) return false;
  if (candidate.os !== wanted.os || candidate.architecture !== wanted.architecture) return false;
  if (wanted.variant !== undefined && candidate.variant !== wanted.variant) return false;
  if (wanted["os.version"] !== undefined && candidate["os.version"] !== wanted["os.version"]) {
    return false;
  }
  return true;
}
