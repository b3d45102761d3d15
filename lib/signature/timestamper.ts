/**
 * Timestamping authorities: a {@linkcode Timestamper} sends a DER TimeStampReq and returns the
 * DER TimeStampResp. {@linkcode HttpTimestamper} speaks RFC 3161 over HTTP as notation's
 * tspclient does (POST `application/timestamp-query`, a 200 `application/timestamp-reply` of at
 * most 1 MiB), through a `fetch`-like function the caller injects, with a timeout.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3161#section-3.4
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { concat } from "../_internal/bytes.ts";
import type { Op } from "../content/storage.ts";
import { AbortedError, TimestampError } from "../errors.ts";

/** Sends timestamp requests to a TSA. */
export interface Timestamper {
  /**
   * Sends a DER TimeStampReq and returns the DER TimeStampResp, unchecked.
   * @throws {TimestampError} ERR_TIMESTAMP when the TSA cannot be reached or answers badly.
   */
  timestamp(request: Bytes, options?: Op): Promise<Bytes>;
}

/** The part of `fetch` a {@linkcode HttpTimestamper} uses. */
export type TimestampFetch = (url: string, init: RequestInit) => Promise<Response>;

/** Options of {@linkcode HttpTimestamper}. */
export interface HttpTimestamperOptions {
  /** The HTTP client (e.g. `globalThis.fetch`). */
  fetch: TimestampFetch;
  /** How long the whole exchange may take, in milliseconds (default 15 s, as notation). */
  timeoutMs?: number;
}

/** Largest TimeStampResp read (tspclient's limit). */
export const MAX_TIMESTAMP_RESPONSE_BYTES = 1024 * 1024;

/** Default timeout of {@linkcode HttpTimestamper} (notation's `timestampingTimeout`). */
export const DEFAULT_TIMESTAMP_TIMEOUT_MS = 15_000;

/**
 * An RFC 3161 TSA reached over HTTP(S).
 *
 * @example
 * ```ts
 * import { HttpTimestamper } from "./timestamper.ts";
 * const tsa = new HttpTimestamper("http://timestamp.example/", { fetch });
 * console.log(tsa.url); // http://timestamp.example/
 * ```
 */
export class HttpTimestamper implements Timestamper {
  /** The TSA endpoint. */
  readonly url: string;
  #fetch: TimestampFetch;
  #timeoutMs: number;

  /**
   * Checks the endpoint as tspclient's `NewHTTPTimestamper` does.
   * @param url An `http` or `https` URL with a host.
   * @param options The HTTP client and timeout.
   * @throws {TimestampError} ERR_TIMESTAMP for another scheme or a missing host.
   */
  constructor(url: string, options: HttpTimestamperOptions) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (cause) {
      throw new TimestampError(
        `cannot get http timestamper for timestamping: endpoint ${
          JSON.stringify(url)
        } is not a valid URL; give an http or https URL of an RFC 3161 TSA`,
        { cause },
      );
    }
    const scheme = parsed.protocol.slice(0, -1);
    if (scheme !== "http" && scheme !== "https") {
      throw new TimestampError(
        `cannot get http timestamper for timestamping: endpoint ${
          JSON.stringify(url)
        }: scheme must be http or https, but got ${JSON.stringify(scheme)}`,
      );
    }
    if (parsed.host === "") {
      throw new TimestampError(
        `cannot get http timestamper for timestamping: endpoint ${
          JSON.stringify(url)
        }: host cannot be empty`,
      );
    }
    this.url = url;
    this.#fetch = options.fetch;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMESTAMP_TIMEOUT_MS;
  }

  /**
   * POSTs the request and reads the reply within the timeout.
   * @param request DER TimeStampReq.
   * @param options Cancellation.
   * @returns DER TimeStampResp.
   * @throws {TimestampError} ERR_TIMESTAMP when the TSA is unreachable, slow, answers with
   * another status or content type, or sends more than 1 MiB.
   * @throws {AbortedError} ERR_ABORTED when `options.signal` fires.
   */
  async timestamp(request: Bytes, options: Op = {}): Promise<Bytes> {
    const where = `POST ${JSON.stringify(this.url)}`;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.#timeoutMs);
    const signal = options.signal
      ? AbortSignal.any([options.signal, timeout.signal])
      : timeout.signal;
    try {
      const res = await this.#fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/timestamp-query" },
        body: request,
        signal,
      });
      if (res.status !== 200) {
        await res.body?.cancel();
        throw new TimestampError(
          `timestamp: ${where}: https response bad status: ${res.status} ${res.statusText}`
            .trimEnd(),
        );
      }
      const contentType = res.headers.get("content-type") ?? "";
      if (contentType !== "application/timestamp-reply") {
        await res.body?.cancel();
        throw new TimestampError(
          `timestamp: ${where}: unexpected response content type: ${contentType}`,
        );
      }
      return await readBounded(res, where);
    } catch (err) {
      if (err instanceof TimestampError) throw err;
      if (options.signal?.aborted) throw new AbortedError("Timestamping was interrupted");
      if (timeout.signal.aborted) {
        throw new TimestampError(
          `timestamp: ${where}: the TSA did not answer within ${this.#timeoutMs} ms; check the TSA URL and that it is reachable`,
          { cause: err },
        );
      }
      throw new TimestampError(
        `timestamp: ${where}: ${describe(err)}; check the TSA URL and that it is reachable`,
        { cause: err },
      );
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The error's message, with its cause's (fetch puts the network reason there). */
function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : "";
  return cause && !message.includes(cause) ? `${message}: ${cause}` : message;
}

async function readBounded(res: Response, where: string): Promise<Bytes> {
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total >= MAX_TIMESTAMP_RESPONSE_BYTES) {
      await reader.cancel();
      throw new TimestampError(
        `timestamp: ${where}: unexpected large http response, max response body size allowed is ${
          MAX_TIMESTAMP_RESPONSE_BYTES / 1024 / 1024
        } MiB`,
      );
    }
    chunks.push(value);
  }
  return concat(chunks);
}
