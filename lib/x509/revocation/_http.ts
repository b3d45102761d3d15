/**
 * Private: one bounded, timed HTTP GET/POST for revocation data. The timeout covers the whole
 * exchange (headers and body), as Go's `http.Client.Timeout` does; the body is read up to a cap.
 *
 * @module
 */
import type { Bytes } from "../../_internal/bytes.ts";
import { readBounded } from "../../content/_streams.ts";
import { AbortedError, OcisignError, RevocationError, TimeoutError } from "../../errors.ts";
import type { RevocationFetch } from "./revocation_client.ts";

/** Options for {@linkcode fetchBounded}. */
export interface FetchBoundedOptions {
  timeoutMs: number;
  maxBytes: number;
  /** Names the thing fetched in errors, e.g. "OCSP response". */
  what: string;
  /** Message of the {@linkcode TimeoutError} when the time runs out. */
  timeoutMessage: string;
  signal?: AbortSignal | undefined;
}

/** Whether a failed fetch was refused (Deno, Bun and Node word it differently). */
function refused(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (/refused/i.test(e.message) || code === "ECONNREFUSED" || code === "ConnectionRefused") {
      return true;
    }
  }
  return false;
}

/**
 * Fetches `url` and returns the body of a 200 answer. Failures carry `details.reason`:
 * `timeout`, `HTTP <status>`, `connection refused` or `unreachable`.
 * @throws {AbortedError} ERR_ABORTED when the caller's signal fired.
 * @throws {TimeoutError} ERR_TIMEOUT when the exchange took longer than allowed.
 * @throws {SizeExceededError} ERR_SIZE_EXCEEDED when the body is larger than `maxBytes`.
 * @throws {RevocationError} ERR_SIGNATURE_REVOCATION for another status or a failed request.
 */
export async function fetchBounded(
  fetchFn: RevocationFetch,
  url: string,
  init: RequestInit,
  opts: FetchBoundedOptions,
): Promise<Bytes> {
  if (opts.signal?.aborted) {
    throw new AbortedError("Revocation checking was aborted", { cause: opts.signal.reason });
  }
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, opts.timeoutMs);
  const onAbort = (): void => controller.abort();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const res = await fetchFn(url, { ...init, signal: controller.signal, redirect: "follow" });
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => {});
      throw new RevocationError(`${url} answered with HTTP status ${res.status}`, {
        details: { reason: `HTTP ${res.status}` },
      });
    }
    return await readBounded(res.body ?? new Uint8Array(0), {
      limit: opts.maxBytes,
      what: opts.what,
    });
  } catch (err) {
    if (opts.signal?.aborted) {
      throw new AbortedError("Revocation checking was aborted", { cause: opts.signal.reason });
    }
    if (timedOut) {
      throw new TimeoutError(opts.timeoutMessage, { cause: err, details: { reason: "timeout" } });
    }
    if (err instanceof OcisignError) throw err;
    throw new RevocationError(
      `request to ${url} failed: ${(err as Error)?.message ?? String(err)}`,
      { cause: err, details: { reason: refused(err) ? "connection refused" : "unreachable" } },
    );
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onAbort);
  }
}
