/**
 * Small statistics and unit helpers for the benchmark tables.
 *
 * @module
 */

/**
 * The median of a non-empty list.
 *
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(values: number[]): number {
  if (values.length === 0) throw new RangeError("Cannot take the median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One MiB in bytes. */
export const MIB = 1024 * 1024;

/** One GiB in bytes. */
export const GIB = 1024 * MIB;

/**
 * Throughput in MB/s (10^6 bytes per second) for `bytes` moved in `ms` milliseconds.
 *
 * @example
 * ```ts
 * mbPerSecond(1e9, 1000); // 1000
 * ```
 */
export function mbPerSecond(bytes: number, ms: number): number {
  return bytes / 1e6 / (ms / 1000);
}

/**
 * CPU time per GiB, as text: `ms` of CPU spent on `bytes`.
 *
 * @example
 * ```ts
 * cpuPerGiB(750, 512 * MIB); // "1.50 s/GiB"
 * ```
 */
export function cpuPerGiB(ms: number | undefined, bytes: number): string {
  return ms === undefined ? "?" : `${(ms / 1000 / (bytes / GIB)).toFixed(2)} s/GiB`;
}
