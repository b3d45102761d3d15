/**
 * A bound on how long a test waits for something that must not hang (not a speed test: the
 * bound is generous, and passing it means "hangs", not "slow").
 *
 * @module
 */

/**
 * Resolves as `p` does, or rejects when `p` takes longer than `ms`.
 *
 * @example
 * ```ts ignore
 * await within(server.closed, 20_000, "closing the idle connections");
 * ```
 */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
