/**
 * Private: a request handler whose runs are followed, so that a server can wait for the last one
 * to end when it closes. Closing a connection does not end its handler at once: a handler
 * receiving an upload sees its body fail, then removes what it wrote. A server that said it was
 * down before that would let files be written (and left behind) after its close.
 *
 * @module
 */

/** A handler, and a way to wait until none of its runs is left. */
export interface FollowedHandler<A extends unknown[], R> {
  /** Runs the handler, following the run until it settles. */
  handler(...args: A): Promise<R>;
  /** Resolves once every run started so far (and any started meanwhile) has settled. */
  ended(): Promise<void>;
}

/**
 * Follows the runs of `handler`.
 *
 * @example
 * ```ts
 * import { followRuns } from "./_handler_runs.ts";
 * const runs = followRuns((n: number) => Promise.resolve(n * 2));
 * const doubled = runs.handler(21);
 * await runs.ended();
 * console.log(await doubled); // 42
 * ```
 */
export function followRuns<A extends unknown[], R>(
  handler: (...args: A) => Promise<R>,
): FollowedHandler<A, R> {
  const running = new Set<Promise<R>>();
  return {
    handler(...args: A): Promise<R> {
      const run = handler(...args);
      running.add(run);
      run.finally(() => running.delete(run)).catch(() => {});
      return run;
    },
    async ended(): Promise<void> {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
