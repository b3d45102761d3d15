/**
 * Single byte-range requests (RFC 9110 §14) for blob GETs.
 *
 * @module
 */

/** The outcome of reading a `Range` header against a blob of known size. */
export type RangeResult =
  | { kind: "full" }
  | { kind: "partial"; offset: number; length: number }
  | { kind: "unsatisfiable" };

const RANGE_REGEXP = /^bytes=(\d*)-(\d*)$/;

/**
 * Interprets a `Range` header. No header, another unit or several ranges give the full content
 * (which RFC 9110 allows); a range that cannot be served gives `unsatisfiable` (416).
 */
export function parseRange(header: string | null, size: number): RangeResult {
  if (header === null) return { kind: "full" };
  const m = RANGE_REGEXP.exec(header.trim());
  if (m === null) return { kind: "full" };
  const [, first, last] = m as unknown as [string, string, string];
  if (first === "" && last === "") return { kind: "unsatisfiable" };
  if (first === "") {
    // Suffix range: the last N bytes.
    const n = Number(last);
    if (n === 0 || size === 0) return { kind: "unsatisfiable" };
    const length = Math.min(n, size);
    return { kind: "partial", offset: size - length, length };
  }
  const start = Number(first);
  if (start >= size) return { kind: "unsatisfiable" };
  if (last === "") return { kind: "partial", offset: start, length: size - start };
  const end = Number(last);
  if (end < start) return { kind: "unsatisfiable" };
  return { kind: "partial", offset: start, length: Math.min(end, size - 1) - start + 1 };
}
