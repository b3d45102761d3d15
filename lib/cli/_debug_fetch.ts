/**
 * `--debug`: a `fetch` that reports each request's method, URL and status on stderr. Headers
 * and bodies are never shown, and query parameters that may carry a credential (pre-signed blob
 * URLs, tokens) are masked.
 *
 * @module
 */
import { redactUrl } from "../_internal/redact_url.ts";

/**
 * Wraps a fetch so that each request is logged.
 *
 * @example
 * ```ts ignore
 * const f = debugFetch(fetch, (line) => console.error(line), () => Date.now());
 * ```
 * @param inner The fetch to call.
 * @param log Receives one line per request.
 * @param clock Milliseconds, for the duration.
 * @param label Starts each line (`-v` logs revocation requests as `Revocation`).
 * @returns The logging fetch.
 */
export function debugFetch(
  inner: typeof fetch,
  log: (line: string) => void,
  clock: () => number,
  label = "Debug",
): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : undefined;
    const method = init?.method ?? request?.method ?? "GET";
    const url = redactUrl(request ? request.url : String(input));
    const start = clock();
    try {
      const res = await inner(input, init);
      log(`${label}: ${method} ${url} ${res.status} ${clock() - start}ms`);
      return res;
    } catch (err) {
      log(
        `${label}: ${method} ${url} failed after ${clock() - start}ms: ${(err as Error).message}`,
      );
      throw err;
    }
  }) as typeof fetch;
}
