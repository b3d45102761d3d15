/**
 * Private: sends an OCSP request as Go's ocsp client does: GET with the base64 request in the
 * path, POST when the encoded request is 255 characters or more.
 *
 * @module
 */
import type { Bytes } from "../../_internal/bytes.ts";
import { toBase64 } from "../../_internal/bytes.ts";
import { fetchBounded } from "./_http.ts";
import { DEFAULT_OCSP_TIMEOUT_MS, MAX_OCSP_RESPONSE_BYTES } from "./revocation_client.ts";
import type { RevocationClient } from "./revocation_client.ts";

/**
 * Sends `request` to `server` and returns the response body (bounded in time and size).
 * @throws {RevocationError} ERR_SIGNATURE_REVOCATION on a network failure or timeout.
 */
export async function fetchOcspResponse(
  server: string,
  request: Bytes,
  client: RevocationClient,
  signal: AbortSignal | undefined,
): Promise<Bytes> {
  const timeoutMs = client.ocspTimeoutMs ?? DEFAULT_OCSP_TIMEOUT_MS;
  const encoded = encodeURIComponent(toBase64(request));
  const get = encoded.length < 255;
  return await fetchBounded(
    client.fetch,
    get ? `${server.replace(/\/+$/, "")}/${encoded}` : server,
    get ? { method: "GET" } : {
      method: "POST",
      headers: { "Content-Type": "application/ocsp-request" },
      body: request,
    },
    {
      timeoutMs,
      maxBytes: MAX_OCSP_RESPONSE_BYTES,
      what: `the OCSP response from ${server}`,
      timeoutMessage: `exceeded timeout threshold of ${
        (timeoutMs / 1000).toFixed(2)
      } seconds for OCSP check`,
      signal,
    },
  );
}
