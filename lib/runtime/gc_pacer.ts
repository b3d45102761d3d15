/**
 * Paced garbage collection for Bun, whose collector runs lazily: a command that streams gigabytes
 * through short-lived buffers (a build of many files, a copy, a registry upload) otherwise holds
 * tens of megabytes of garbage. Deno's V8 collects eagerly enough; there this does nothing.
 *
 * @module
 */

/** What the pacer uses of Bun. */
interface BunGc {
  gc(force: boolean): void;
}

/**
 * Runs a full collection every `intervalMs` while the process lives (the timer does not keep it
 * alive), under Bun only.
 *
 * @example
 * ```ts
 * import { paceGarbageCollection } from "./gc_pacer.ts";
 * const stop = paceGarbageCollection();
 * stop();
 * ```
 * @param intervalMs Time between collections (default 1 s: measured on a build of 20,000 files,
 *   peak RSS 176 → 145 MiB for 5% more time; every 250 ms saves little more and costs 12%).
 * @returns A function that stops the pacing.
 */
export function paceGarbageCollection(intervalMs = 1000): () => void {
  const bun = (globalThis as { Bun?: BunGc }).Bun;
  if (bun === undefined) return () => {};
  const timer = setInterval(() => bun.gc(true), intervalMs);
  (timer as unknown as { unref?: () => void }).unref?.();
  return () => clearInterval(timer);
}
