/**
 * Private: the one way a {@linkcode Repository} talks to its registry. Every request goes through
 * {@linkcode RepositoryHttp.send}: the URL under `/v2/<name>/`, the token scopes, the retry
 * policy, and a status check that turns any unexpected answer into the typed error of
 * `responseError`. Authentication retries, debug logging and the idle watch live below, in
 * `HttpClient.send`.
 *
 * @module
 */
import { isDigest } from "../digest/digest.ts";
import { repositoryScope } from "./_challenge.ts";
import { responseError } from "./_response_error.ts";
import type { HttpClient, HttpRequest } from "./http_client.ts";

/** One request of a repository. */
export interface RepositoryRequest {
  /** HTTP method. */
  method: HttpRequest["method"];
  /** A path under `/v2/<name>/` (`manifests/v1`), or an absolute URL (a pagination link). */
  url: string | URL;
  /** Actions on this repository the token needs (`pull`, `push`, `delete`). */
  actions: readonly string[];
  /** Further scopes (a mount's source repository). */
  extraScopes?: readonly string[];
  /** Extra headers. */
  headers?: Record<string, string>;
  /** Body (bytes can be re-sent; a stream is sent once). */
  body?: Uint8Array | ReadableStream<Uint8Array>;
  /** Statuses the caller handles; any other becomes the typed error of `responseError`. */
  expect: readonly number[];
  /** What was attempted, for that error (`Cannot fetch manifest localhost:5000/a:v1`). */
  failure: string;
  /** Cancels the request. */
  signal?: AbortSignal | undefined;
}

/** Addresses and sends the requests of one repository. */
export class RepositoryHttp {
  /** Registry name as written in references. */
  readonly registry: string;
  /** Repository name. */
  readonly name: string;
  /** The registry's HTTP client. */
  readonly client: HttpClient;
  /** Registry base URL. */
  readonly base: URL;

  constructor(registry: string, name: string, client: HttpClient, base: URL) {
    this.registry = registry;
    this.name = name;
    this.client = client;
    this.base = base;
  }

  /** The URL of `path` under `/v2/<name>/`. */
  url(path: string): URL {
    return new URL(`/v2/${this.name}/${path}`, this.base);
  }

  /** The token scopes for `actions` on this repository. */
  scope(...actions: string[]): string[] {
    return [repositoryScope(this.name, actions)];
  }

  /** `registry/name:tag` or `registry/name@digest`, for messages. */
  where(ref: string): string {
    return `${this.registry}/${this.name}${isDigest(ref) ? "@" : ":"}${ref}`;
  }

  /**
   * Sends `req` (every repository request may be retried: reads, by-reference writes, and the
   * `POST` that opens an upload session) and checks its status.
   * @returns The response, its status one of `req.expect`.
   * @throws {OcisignError} The typed error of `responseError` for any other status.
   */
  async send(req: RepositoryRequest): Promise<Response> {
    const res = await this.client.send({
      method: req.method,
      url: typeof req.url === "string" ? this.url(req.url) : req.url,
      ...(req.headers !== undefined ? { headers: req.headers } : {}),
      ...(req.body !== undefined ? { body: req.body } : {}),
      scopes: [...this.scope(...req.actions), ...(req.extraScopes ?? [])],
      idempotent: true,
      signal: req.signal,
    });
    if (!req.expect.includes(res.status)) throw await responseError(res, req.failure);
    return res;
  }
}
