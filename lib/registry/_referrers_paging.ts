/**
 * Private: listing referrers through the referrers API (`GET /v2/<name>/referrers/<digest>`),
 * page by page along `Link` headers, and detecting whether the registry has that API at all.
 *
 * @see https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#listing-referrers
 * @module
 */
import type { Op } from "../content/storage.ts";
import { RegistryError } from "../errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { MEDIA_TYPE_OCI_INDEX } from "../oci/media_types.ts";
import { readReferrersPage, type ReferrersPage } from "./_referrers_index.ts";
import type { RepositoryHttp } from "./_repository_http.ts";
import { discard, mediaTypeOf } from "./_response.ts";
import { responseError } from "./_response_error.ts";

/** How referrers are listed and indexed: detected, the referrers API, or the tag schema. */
export type ReferrersMode = "auto" | "api" | "tag";

/** What a repository knows about the registry's referrers API. */
export interface ReferrersSupport {
  /** The mode asked for. */
  readonly mode: ReferrersMode;
  /** Whether the API is there: `undefined` until detected. */
  supported: boolean | undefined;
  /** In `api` mode: whether the registry answered a referrers query. */
  apiConfirmed: boolean;
}

/** The support state a repository starts with in `mode`. */
export function referrersSupport(mode: ReferrersMode): ReferrersSupport {
  return {
    mode,
    supported: mode === "api" ? true : mode === "tag" ? false : undefined,
    apiConfirmed: false,
  };
}

/** The first referrers API page for `digest`, filtered by `artifactType` when given. */
export function referrersUrl(
  http: RepositoryHttp,
  digest: string,
  artifactType: string | undefined,
): URL {
  const url = http.url(`referrers/${digest}`);
  if (artifactType !== undefined) url.searchParams.set("artifactType", artifactType);
  return url;
}

/**
 * Reads one referrers API page; `undefined` when the registry has no referrers API (a 404 that
 * is not `NAME_UNKNOWN`, or a 200 that is not an image index), which `auto` mode remembers.
 * @throws {RegistryError} In `api` mode, when the registry has no referrers API.
 */
export async function fetchReferrersPage(
  http: RepositoryHttp,
  support: ReferrersSupport,
  url: URL,
  opts: Op & { artifactType?: string },
): Promise<ReferrersPage | undefined> {
  const failure = `Cannot list referrers in ${http.registry}/${http.name}`;
  const res = await http.send({
    method: "GET",
    url,
    actions: ["pull"],
    headers: { accept: MEDIA_TYPE_OCI_INDEX },
    expect: [200, 404],
    failure,
    signal: opts.signal,
  });
  if (res.status === 404 || mediaTypeOf(res) !== MEDIA_TYPE_OCI_INDEX) {
    if (res.status === 404) {
      const err = await responseError(res, failure);
      const codes = (err.details?.registryCodes ?? []) as string[];
      if (codes.includes("NAME_UNKNOWN")) throw err;
    } else {
      await discard(res);
    }
    if (support.mode === "api") {
      throw new RegistryError(
        `The registry ${http.registry} does not support the referrers API; use the tag schema instead (--to-referrers tag, or auto to detect)`,
        res.status,
      );
    }
    support.supported = false;
    return undefined;
  }
  if (support.mode === "auto") support.supported = true;
  return await readReferrersPage(res, url, opts.artifactType);
}

/**
 * Yields the referrers of `subject` from the referrers API, following at most `maxPages` pages.
 * @returns Whether the API answered (else the caller falls back to the tag schema).
 * @throws {RegistryError} When there are more than `maxPages` pages.
 */
export async function* referrersByApi(
  http: RepositoryHttp,
  support: ReferrersSupport,
  subject: Descriptor,
  maxPages: number,
  opts: Op & { artifactType?: string },
): AsyncGenerator<Descriptor, boolean> {
  const first = referrersUrl(http, subject.digest, opts.artifactType);
  let page = await fetchReferrersPage(http, support, first, opts);
  if (page === undefined) return false;
  for (let n = 1;; n++) {
    yield* page.items;
    if (page.next === undefined) return true;
    if (n >= maxPages) {
      throw new RegistryError(
        `The referrers list of ${subject.digest} has more than ${maxPages} pages; refusing to read further`,
        200,
      );
    }
    const next: ReferrersPage | undefined = await fetchReferrersPage(
      http,
      support,
      page.next,
      opts,
    );
    if (next === undefined) return true;
    page = next;
  }
}

/**
 * In `api` mode, before the first manifest with a subject is pushed, asks the referrers API
 * about that subject: a registry without it would store the referrer where no tool finds it,
 * so the push is refused (`fetchReferrersPage` throws in `api` mode) instead.
 */
export async function requireReferrersApi(
  http: RepositoryHttp,
  support: ReferrersSupport,
  subjectOf: () => Descriptor | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (support.mode !== "api" || support.apiConfirmed) return;
  const subject = subjectOf();
  if (subject === undefined) return;
  await fetchReferrersPage(http, support, referrersUrl(http, subject.digest, undefined), {
    signal,
  });
  support.apiConfirmed = true;
}
