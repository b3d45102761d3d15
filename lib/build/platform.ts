/**
 * Platform strings (`linux/amd64`, `linux/arm64/v8`, `linux/arm/v7`) as `--platform` takes them.
 *
 * @module
 */
import type { Platform } from "../oci/descriptor.ts";
import { BuildError } from "../errors.ts";

/**
 * Parses `os/arch[/variant]`.
 *
 * @example
 * ```ts
 * import { parsePlatform } from "./platform.ts";
 * console.log(parsePlatform("linux/arm/v7")); // { os: "linux", architecture: "arm", variant: "v7" }
 * ```
 * @param text The platform string.
 * @returns The platform.
 * @throws {BuildError} ERR_BUILD when malformed.
 */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().toLowerCase().split("/");
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9._-]+$/.test(p))) {
    throw new BuildError(
      `Invalid platform ${JSON.stringify(text)}: use os/arch[/variant], e.g. linux/amd64`,
    );
  }
  const platform: Platform = { os: parts[0]!, architecture: parts[1]! };
  if (parts[2] !== undefined) platform.variant = parts[2];
  return platform;
}

/**
 * Formats a platform as `os/arch[/variant]`.
 *
 * @example
 * ```ts
 * import { formatPlatform } from "./platform.ts";
 * console.log(formatPlatform({ os: "linux", architecture: "amd64" })); // "linux/amd64"
 * ```
 * @param p The platform.
 * @returns The string.
 */
export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ""}`;
}

function normalVariant(p: Platform): string {
  if (p.architecture === "arm64" && (p.variant === "v8" || p.variant === "8")) return "";
  if (p.architecture === "amd64" && p.variant === "v1") return "";
  return p.variant ?? "";
}

/**
 * Whether an available platform satisfies a wanted one (the variant only counts when wanted).
 *
 * @example
 * ```ts
 * import { platformMatches } from "./platform.ts";
 * console.log(platformMatches({ os: "linux", architecture: "arm64" }, { os: "linux", architecture: "arm64", variant: "v8" })); // true
 * ```
 * @param wanted The requested platform.
 * @param available A candidate's platform.
 * @returns True on a match.
 */
export function platformMatches(wanted: Platform, available: Platform): boolean {
  if (wanted.os !== available.os || wanted.architecture !== available.architecture) return false;
  const w = normalVariant(wanted);
  return w === "" || w === normalVariant(available);
}
