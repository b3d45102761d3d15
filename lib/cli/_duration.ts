/**
 * Go-style durations (`24h`, `30m`, `3h20m`, `90s`), as notation's `--expiry` takes them.
 *
 * @module
 */
import { UsageError } from "./_args.ts";

const UNIT_SECONDS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  "µs": 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

/**
 * Parses a duration into whole seconds.
 * @throws {UsageError} ERR_USAGE when malformed, negative or not a whole number of seconds.
 */
export function parseDurationSeconds(text: string, flag: string): number {
  const parts = [...text.matchAll(/([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h)/g)];
  if (text === "0") return 0;
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) {
    throw new UsageError(
      `--${flag} expects a duration such as 24h, 30m or 3h20m, got ${JSON.stringify(text)}`,
    );
  }
  const seconds = parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_SECONDS[p[2]!]!, 0);
  const rounded = Math.round(seconds);
  if (Math.abs(seconds - rounded) > 1e-9) {
    throw new UsageError(
      `--${flag} must be a whole number of seconds, got ${JSON.stringify(text)}`,
    );
  }
  return rounded;
}
