/**
 * A `fetch` with custom TLS trust, the way each runtime offers it: Deno through
 * `Deno.createHttpClient`, Bun through its `tls` fetch option.
 *
 * @module
 */
import { UnsupportedError } from "../errors.ts";

/** Options of {@linkcode tlsFetch}. */
export interface TlsFetchOptions {
  /** PEM certificates trusted besides the system roots. */
  caCerts?: string[];
  /** Skip certificate verification (see {@linkcode canSkipTlsVerification}). */
  insecure?: boolean;
}

function denoRuntime(): typeof Deno | undefined {
  return (globalThis as { Deno?: typeof Deno }).Deno;
}

/**
 * Whether this runtime can skip certificate verification for one client: Deno cannot, so
 * `insecure` works only in the compiled (Bun) binary.
 *
 * @example
 * ```ts
 * import { canSkipTlsVerification } from "./tls_fetch.ts";
 * const bun = (globalThis as { Deno?: unknown }).Deno === undefined;
 * if (canSkipTlsVerification() !== bun) throw new Error("only Bun skips TLS verification");
 * ```
 * @returns `true` under Bun.
 */
export function canSkipTlsVerification(): boolean {
  return denoRuntime() === undefined;
}

/**
 * A `fetch` trusting `caCerts` too, or (where {@linkcode canSkipTlsVerification}) trusting
 * any certificate when `insecure`.
 *
 * @example
 * ```ts
 * import { tlsFetch } from "./tls_fetch.ts";
 * const fetchWithRoots = tlsFetch({});
 * if (typeof fetchWithRoots !== "function") throw new Error("no fetch");
 * ```
 * @param options Extra CA certificates, or no verification.
 * @returns The `fetch` to use for the registry.
 * @throws {UnsupportedError} ERR_UNSUPPORTED under Deno when `insecure` is set (check
 * {@linkcode canSkipTlsVerification} first).
 */
export function tlsFetch(options: TlsFetchOptions): typeof fetch {
  const deno = denoRuntime();
  if (deno !== undefined) {
    if (options.insecure) {
      throw new UnsupportedError("Deno cannot skip TLS certificate verification for one client");
    }
    const client = deno.createHttpClient(options.caCerts ? { caCerts: options.caCerts } : {});
    return ((input, init) => fetch(input, { ...init, client })) as typeof fetch;
  }
  const tls = {
    ...(options.caCerts ? { ca: options.caCerts } : {}),
    ...(options.insecure ? { rejectUnauthorized: false } : {}),
  };
  return ((input, init) =>
    fetch(input, { ...init, tls } as unknown as RequestInit)) as typeof fetch;
}
