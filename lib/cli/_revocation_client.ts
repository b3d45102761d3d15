/**
 * The revocation client of `sign` and `verify`, as notation's CLI builds it: OCSP and CRL over
 * plain HTTP with notation's timeouts (2 s per OCSP request, 5 s per CRL download) and a CRL file
 * cache in `$XDG_CACHE_HOME/ocisign/crl` (else `~/.cache/ocisign/crl`), in notation's format.
 * Cache errors are discarded with one warning per run, as notation does.
 *
 * @module
 */
import type { Fs } from "../content/fs.ts";
import type { CrlCache } from "../x509/revocation/crl_cache.ts";
import {
  DEFAULT_CRL_TIMEOUT_MS,
  DEFAULT_OCSP_TIMEOUT_MS,
} from "../x509/revocation/revocation_client.ts";
import type { RevocationClient } from "../x509/revocation/revocation_client.ts";
import { joinPath } from "./config/config_dir.ts";
import { debugFetch } from "./_debug_fetch.ts";
import type { CliIo } from "./io.ts";

/**
 * The CRL cache directory: `$XDG_CACHE_HOME/ocisign/crl` when that variable holds an absolute
 * path (the XDG spec ignores relative ones), else `<home>/.cache/ocisign/crl`.
 *
 * @example
 * ```ts
 * import { crlCacheDir } from "./_revocation_client.ts";
 * const dir = crlCacheDir({ env: () => undefined, home: "/home/me" });
 * console.log(dir); // /home/me/.cache/ocisign/crl
 * ```
 * @param io Environment and home directory.
 * @returns The directory path.
 */
export function crlCacheDir(io: Pick<CliIo, "env" | "home">): string {
  const xdg = io.env("XDG_CACHE_HOME");
  const base = xdg !== undefined && xdg.startsWith("/") ? xdg : joinPath(io.home, ".cache");
  return joinPath(base, "ocisign", "crl");
}

/**
 * The CRL file cache, loaded when a CRL is first looked up: most certificates name no CRL
 * (start-up time; `+ ""`: see commands/registry.ts).
 */
function lazyCrlCache(fs: Fs, dir: string): CrlCache {
  let cache: Promise<CrlCache> | undefined;
  const load = () =>
    cache ??= (import("../x509/revocation/fs_crl_cache.ts" + "") as Promise<
      typeof import("../x509/revocation/fs_crl_cache.ts")
    >).then((m) => new m.FsCrlCache(fs, dir));
  return {
    get: async (url, opts) => await (await load()).get(url, opts),
    set: async (url, bundle, opts) => await (await load()).set(url, bundle, opts),
  };
}

/**
 * Builds the client over `io.fetch` and `io.fs`. With `-v/--verbose`, each OCSP and CRL request
 * is logged on stderr with its outcome and time (`Revocation: GET <url> 200 12ms`).
 *
 * @example
 * ```ts ignore
 * const revocationClient = cliRevocationClient(io);
 * await verifyArtifact(target, "v1", { ...options, revocationClient });
 * ```
 * @param io The environment.
 * @returns The revocation client.
 */
export function cliRevocationClient(io: CliIo): RevocationClient {
  let warned = false;
  const logged = debugFetch(io.fetch, (line) => io.stderr(`${line}\n`), Date.now, "Revocation");
  return {
    fetch: ((input, init) => (io.verbose ? logged : io.fetch)(input, init)) as typeof fetch,
    ocspTimeoutMs: DEFAULT_OCSP_TIMEOUT_MS,
    crlTimeoutMs: DEFAULT_CRL_TIMEOUT_MS,
    crlCache: lazyCrlCache(io.fs, crlCacheDir(io)),
    onCacheError: (error) => {
      if (warned) return;
      warned = true;
      io.stderr(`Warning: CRL cache error discarded: ${error.message}\n`);
    },
  };
}
