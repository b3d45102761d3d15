/**
 * Platforms (`os/arch[/variant][:os.version]`) as `--platform` flags write them, and how an image
 * index entry or an image config is matched against one.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/image-index.md#platform-variants
 * @module
 */
import { InvalidInputError } from "../errors.ts";
import type { Platform } from "./descriptor.ts";

/**
 * Parses `os/arch[/variant][:os.version]` (os, arch and variant are case-insensitive).
 *
 * @example
 * ```ts
 * import { parsePlatform } from "./platform.ts";
 * console.log(parsePlatform("linux/arm64/v8")); // { os: "linux", architecture: "arm64", variant: "v8" }
 * ```
 * @param text The platform as written.
 * @returns The platform.
 * @throws {InvalidInputError} ERR_INVALID_INPUT when it is not of that form.
 */
export function parsePlatform(text: string): Platform {
  const colon = text.indexOf(":");
  const head = (colon >= 0 ? text.slice(0, colon) : text).trim().toLowerCase();
  const parts = head.split("/");
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9._-]+$/.test(p))) {
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
 * Formats a platform as `os/arch[/variant]`.
 *
 * @example
 * ```ts
 * import { formatPlatform } from "./platform.ts";
 * console.log(formatPlatform({ os: "linux", architecture: "arm", variant: "v7" })); // linux/arm/v7
 * ```
 */
export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ""}`;
}

/** The variant with the architectures' default variants (arm64/v8, amd64/v1) made implicit. */
function normalVariant(p: Partial<Platform>): string {
  if (p.architecture === "arm64" && (p.variant === "v8" || p.variant === "8")) return "";
  if (p.architecture === "amd64" && p.variant === "v1") return "";
  return p.variant ?? "";
}

/**
 * Whether `candidate` (an index entry's or a config's platform) satisfies `wanted`: same os and
 * architecture, and the variant and os.version when `wanted` names them.
 *
 * @example
 * ```ts
 * import { platformMatches } from "./platform.ts";
 * console.log(platformMatches({ os: "linux", architecture: "arm64", variant: "v8" }, { os: "linux", architecture: "arm64" })); // true
 * ```
 * @param candidate The platform offered (undefined never matches).
 * @param wanted The platform asked for.
 * @returns True when it matches.
 */
export function platformMatches(
  candidate: Partial<Platform> | undefined,
  wanted: Platform,
): boolean {
  if (candidate === undefined) return false;
  if (candidate.os !== wanted.os || candidate.architecture !== wanted.architecture) return false;
  const variant = normalVariant(wanted);
  if (variant !== "" && variant !== normalVariant(candidate)) return false;
  if (wanted["os.version"] !== undefined && candidate["os.version"] !== wanted["os.version"]) {
    return false;
  }
  return true;
}
