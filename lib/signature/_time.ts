/**
 * RFC 3339 times as notation writes and reads them.
 *
 * @module
 */

const RFC3339_REGEXP =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Formats a time as RFC 3339 in UTC, truncated to whole seconds (`2025-05-01T10:00:00Z`).
 *
 * @example
 * ```ts
 * import { formatRfc3339 } from "./_time.ts";
 * console.log(formatRfc3339(new Date(Date.UTC(2025, 4, 1, 10, 0, 0, 999)))); // 2025-05-01T10:00:00Z
 * ```
 * @param date The time.
 * @returns The text.
 */
export function formatRfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * Parses an RFC 3339 time with any offset and optional fractional seconds.
 *
 * @example
 * ```ts
 * import { parseRfc3339 } from "./_time.ts";
 * console.log(parseRfc3339("2025-05-01T15:30:00+05:30")?.toISOString()); // 2025-05-01T10:00:00.000Z
 * ```
 * @param text The text.
 * @returns The time, or undefined when the text is not RFC 3339.
 */
export function parseRfc3339(text: unknown): Date | undefined {
  if (typeof text !== "string") return undefined;
  const m = RFC3339_REGEXP.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (
    month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 ||
    Number(s) > 59
  ) {
    return undefined;
  }
  const ms = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(s)) +
    Math.floor(Number(frac ?? "0") * 1000);
  if (new Date(Date.UTC(Number(y), month - 1, day)).getUTCDate() !== day) return undefined;
  let offset = 0;
  if (zone !== "Z") {
    const sign = zone!.startsWith("-") ? -1 : 1;
    const oh = Number(zone!.slice(1, 3));
    const om = Number(zone!.slice(4, 6));
    if (oh > 23 || om > 59) return undefined;
    offset = sign * (oh * 60 + om) * 60_000;
  }
  return new Date(ms - offset);
}
