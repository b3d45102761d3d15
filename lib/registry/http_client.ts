/**
 * The HTTP layer under the registry client: authentication (anonymous, Basic, Bearer token GET
 * and OAuth2 POST with a token cache per scope), redirects followed by hand (the Authorization
 * header is dropped when a redirect leaves the registry origin), and bounded retries with
 * backoff for idempotent requests on 408/429/5xx and dropped connections.
 *
 * @see https://distribution.github.io/distribution/spec/auth/token/
 * @module
 */
import { fromUtf8, toBase64, utf8 } from "../_internal/bytes.ts";
import { AbortedError, RegistryError, TimeoutError, UnauthorizedError } from "../errors.ts";
import { cleanScopes, parseChallenge } from "./_challenge.ts";
import type { Challenge } from "./_challenge.ts";
import type { Credential, CredentialProvider } from "./credentials.ts";
import { readAllBounded } from "./_read_bounded.ts";
import { checkRealm, type ResolveHost } from "./_realm_guard.ts";
export type { ResolveHost } from "./_realm_guard.ts";
import { IdleWatch, watchResponseBody, watchUploadBody } from "./_idle_watch.ts";
import { safeUrl } from "./_response_error.ts";
import { discard } from "./_response.ts";

/** The `fetch` signature the client calls (inject one for tests, TLS options or proxies). */
export type FetchFunction = (
  input: Request | URL | string,
  init?: RequestInit,
) => Promise<Response>;

/** Retry policy for idempotent requests. */
export interface RetryOptions {
  /** Retries after the first attempt (default 5). */
  maxRetries?: number;
  /** First backoff in milliseconds, doubled per retry with 10% jitter (default 250). */
  baseDelayMs?: number;
  /** Largest backoff, also the cap for `Retry-After` (default 3000). */
  maxDelayMs?: number;
}

/** Options of {@linkcode HttpClient}. */
export interface HttpClientOptions {
  /** The fetch implementation (default: global `fetch`). */
  fetch?: FetchFunction;
  /** Looks up credentials by registry name. */
  credentials?: CredentialProvider;
  /** Retry policy. */
  retry?: RetryOptions;
  /** `User-Agent` header (default `ocisign`). */
  userAgent?: string;
  /** Use the OAuth2 password grant (POST) even without a refresh token. */
  forceOAuth2?: boolean;
  /** `client_id` for OAuth2 requests (default `ocisign`). */
  clientId?: string;
  /**
   * Longest silence of the registry, in milliseconds (default 60000): while waiting for a
   * response's headers, for each next chunk of its body, and for the registry to take each next
   * chunk of a streamed upload. The time the caller spends between reads does not count.
   */
  timeoutMs?: number;
  /**
   * Resolves host names, so that a token realm named like a public host but resolving into the
   * user's network is refused (without it, only `localhost` names are recognised).
   */
  resolveHost?: ResolveHost;
}

/** One request to the registry. */
export interface HttpRequest {
  /** HTTP method. */
  method: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Absolute URL. */
  url: URL;
  /** Extra headers. */
  headers?: Record<string, string>;
  /**
   * Body. Bytes in memory can be re-sent after a challenge, a redirect or a retry; a stream is
   * sent once (no retry, no re-send after a challenge or redirect: the caller restarts).
   */
  body?: Uint8Array | ReadableStream<Uint8Array>;
  /** Token scopes the request needs (`repository:a:pull`). */
  scopes: string[];
  /** Whether the request may be retried (GET, HEAD and by-reference PUT/DELETE). */
  idempotent: boolean;
  /** Cancels the request. */
  signal?: AbortSignal | undefined;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;
const MAX_TOKEN_RESPONSE = 1024 * 1024;

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError("The registry request was aborted"));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError("The registry request was aborted"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Sends requests to one registry host with auth, redirects and retries.
 *
 * @example
 * ```ts ignore
 * import { HttpClient } from "./http_client.ts";
 * const client = new HttpClient("localhost:5000", new URL("http://localhost:5000"));
 * const res = await client.send({ method: "GET", url: new URL("http://localhost:5000/v2/"), scopes: [], idempotent: true });
 * console.log(res.status);
 * ```
 */
export class HttpClient {
  #registry: string;
  #origin: string;
  #base: URL;
  #fetch: FetchFunction;
  #credentials: CredentialProvider | undefined;
  #credentialLookup: Promise<Credential | undefined> | undefined;
  #retry: Required<RetryOptions>;
  #userAgent: string;
  #forceOAuth2: boolean;
  #clientId: string;
  #timeoutMs: number;
  #resolveHost: ResolveHost | undefined;
  #scheme: "basic" | "bearer" | undefined;
  #challenge: Challenge | undefined;
  #tokens = new Map<string, Promise<string>>();

  /**
   * Creates a client for one registry.
   * @param registry The registry name used to look up credentials (`localhost:5000`).
   * @param base The registry base URL (`http://localhost:5000`).
   * @param options Fetch, credentials, retries.
   */
  constructor(registry: string, base: URL, options: HttpClientOptions = {}) {
    this.#registry = registry;
    this.#origin = base.origin;
    this.#base = base;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#credentials = options.credentials;
    this.#retry = {
      maxRetries: options.retry?.maxRetries ?? 5,
      baseDelayMs: options.retry?.baseDelayMs ?? 250,
      maxDelayMs: options.retry?.maxDelayMs ?? 3000,
    };
    this.#userAgent = options.userAgent ?? "ocisign";
    this.#forceOAuth2 = options.forceOAuth2 ?? false;
    this.#clientId = options.clientId ?? "ocisign";
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#resolveHost = options.resolveHost;
  }

  /** The registry origin (`http://localhost:5000`). */
  get origin(): string {
    return this.#origin;
  }

  /**
   * Sends a request; retries idempotent ones on 408/429/5xx and dropped connections, answers
   * auth challenges once, and follows redirects. The caller owns the returned response body.
   *
   * @throws {RegistryError} ERR_REGISTRY (status 0) when the registry cannot be reached.
   * @throws {UnauthorizedError} ERR_UNAUTHORIZED when the token service refuses.
   * @throws {AbortedError} ERR_ABORTED when the signal fires.
   */
  async send(req: HttpRequest): Promise<Response> {
    for (let attempt = 0;; attempt++) {
      let res: Response;
      try {
        res = await this.#sendAuthorized(req);
      } catch (err) {
        if (req.signal?.aborted) throw new AbortedError("The registry request was aborted");
        if (!(err instanceof TypeError) && !(err instanceof TimeoutError)) throw err;
        if (err instanceof TimeoutError && (!req.idempotent || attempt >= this.#retry.maxRetries)) {
          throw err;
        }
        if (!req.idempotent || attempt >= this.#retry.maxRetries) {
          throw new RegistryError(
            `Cannot reach the registry for ${req.method} ${
              safeUrl(req.url)
            }: ${err.message}; check the address and that the registry is running`,
            0,
            [],
            { cause: err },
          );
        }
        await abortableSleep(this.#backoff(attempt), req.signal);
        continue;
      }
      if (req.idempotent && isRetryableStatus(res.status) && attempt < this.#retry.maxRetries) {
        const retryAfter = Number(res.headers.get("retry-after"));
        await discard(res);
        const delay = Number.isFinite(retryAfter) && retryAfter > 0
          ? Math.min(retryAfter * 1000, this.#retry.maxDelayMs)
          : this.#backoff(attempt);
        await abortableSleep(delay, req.signal);
        continue;
      }
      return res;
    }
  }

  #backoff(attempt: number): number {
    const base = this.#retry.baseDelayMs * 2 ** attempt;
    const jittered = base * (0.9 + Math.random() * 0.2);
    return Math.min(jittered, this.#retry.maxDelayMs);
  }

  async #sendAuthorized(req: HttpRequest): Promise<Response> {
    const auth = await this.#cachedAuthorization(req.scopes, req.signal);
    const res = await this.#sendFollowing(req, auth);
    if (res.status !== 401) return res;
    const challenge = parseChallenge(res.headers.get("www-authenticate"));
    if (challenge === undefined) return res;
    const fresh = await this.#answerChallenge(challenge, req.scopes, auth, req.signal);
    if (fresh === undefined || req.body instanceof ReadableStream) return res;
    await discard(res);
    return await this.#sendFollowing(req, fresh);
  }

  async #credential(): Promise<Credential | undefined> {
    if (this.#credentials === undefined) return undefined;
    this.#credentialLookup ??= this.#credentials(this.#registry);
    return await this.#credentialLookup;
  }

  async #cachedAuthorization(
    scopes: string[],
    signal: AbortSignal | undefined,
  ): Promise<string | undefined> {
    if (this.#scheme === "basic") return await this.#basic();
    if (this.#scheme === "bearer" && this.#challenge !== undefined) {
      const key = cleanScopes(scopes).join(" ");
      let token = this.#tokens.get(key);
      if (token === undefined) {
        token = this.#fetchToken(this.#challenge, cleanScopes(scopes), signal);
        this.#tokens.set(key, token);
        token.catch(() => this.#tokens.delete(key));
      }
      return `Bearer ${await token}`;
    }
    return undefined;
  }

  async #basic(): Promise<string | undefined> {
    const cred = await this.#credential();
    if (cred?.username === undefined || cred.password === undefined) return undefined;
    return `Basic ${toBase64(utf8(`${cred.username}:${cred.password}`))}`;
  }

  async #answerChallenge(
    challenge: Challenge,
    scopes: string[],
    sent: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<string | undefined> {
    if (challenge.scheme === "basic") {
      const basic = await this.#basic();
      if (basic === undefined) {
        throw new UnauthorizedError(
          `The registry ${this.#registry} requires a user name and password; log in or pass credentials`,
        );
      }
      this.#scheme = "basic";
      return basic === sent ? undefined : basic;
    }
    if (challenge.scheme !== "bearer") return undefined;
    this.#scheme = "bearer";
    this.#challenge = challenge;
    const all = cleanScopes([...scopes, challenge.params.scope ?? ""]);
    const key = cleanScopes(scopes).join(" ");
    const token = this.#fetchToken(challenge, all, signal);
    this.#tokens.set(key, token);
    token.catch(() => this.#tokens.delete(key));
    const header = `Bearer ${await token}`;
    return header === sent ? undefined : header;
  }

  async #fetchToken(
    challenge: Challenge,
    scopes: string[],
    signal: AbortSignal | undefined,
  ): Promise<string> {
    const realmText = challenge.params.realm;
    let realm: URL;
    try {
      realm = new URL(realmText ?? "");
    } catch {
      throw new UnauthorizedError(
        `The registry ${this.#registry} sent a Bearer challenge without a valid realm URL`,
      );
    }
    const cred = await this.#credential();
    if (cred?.registryToken !== undefined) return cred.registryToken;
    await checkRealm(realm, this.#base, this.#registry, this.#resolveHost);
    const service = challenge.params.service;
    let res: Response;
    if (cred?.identityToken !== undefined || (this.#forceOAuth2 && cred?.password !== undefined)) {
      const form = new URLSearchParams();
      if (cred.identityToken !== undefined) {
        form.set("grant_type", "refresh_token");
        form.set("refresh_token", cred.identityToken);
      } else {
        form.set("grant_type", "password");
        form.set("username", cred.username ?? "");
        form.set("password", cred.password ?? "");
      }
      if (service !== undefined) form.set("service", service);
      form.set("client_id", this.#clientId);
      if (scopes.length > 0) form.set("scope", scopes.join(" "));
      res = await this.#tokenRequest(
        realm,
        "POST",
        {
          "content-type": "application/x-www-form-urlencoded",
        },
        utf8(form.toString()),
        signal,
      );
    } else {
      const url = new URL(realm);
      if (service !== undefined) url.searchParams.set("service", service);
      for (const s of scopes) url.searchParams.append("scope", s);
      const headers: Record<string, string> = {};
      if (cred?.username !== undefined && cred.password !== undefined) {
        headers.authorization = `Basic ${toBase64(utf8(`${cred.username}:${cred.password}`))}`;
      }
      res = await this.#tokenRequest(url, "GET", headers, undefined, signal);
    }
    if (res.status !== 200) {
      await discard(res);
      if (res.status === 401 || res.status === 403) {
        throw new UnauthorizedError(
          `The token service of ${this.#registry} refused the request (${res.status}); check the credentials`,
        );
      }
      throw new RegistryError(
        `The token service of ${this.#registry} answered ${res.status}; try again later`,
        res.status,
      );
    }
    let parsed: { token?: unknown; access_token?: unknown };
    try {
      const bytes = await readAllBounded(res.body, MAX_TOKEN_RESPONSE, "Token response");
      parsed = JSON.parse(fromUtf8(bytes));
    } catch (err) {
      if (err instanceof TimeoutError) throw err;
      throw new RegistryError(
        `The token service of ${this.#registry} sent a response that is not JSON`,
        res.status,
        [],
        { cause: err },
      );
    }
    const token = typeof parsed.access_token === "string" && parsed.access_token !== ""
      ? parsed.access_token
      : parsed.token;
    if (typeof token !== "string" || token === "") {
      throw new RegistryError(
        `The token service of ${this.#registry} sent no token`,
        res.status,
      );
    }
    return token;
  }

  async #tokenRequest(
    url: URL,
    method: "GET" | "POST",
    headers: Record<string, string>,
    body: Uint8Array | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Response> {
    try {
      return await this.#follow(
        url,
        method,
        headers,
        body,
        url.origin,
        signal,
        (next) => checkRealm(next, this.#base, this.#registry, this.#resolveHost),
      );
    } catch (err) {
      if (signal?.aborted) throw new AbortedError("The token request was aborted");
      if (err instanceof UnauthorizedError) throw err;
      throw new RegistryError(
        `Cannot reach the token service ${safeUrl(url)} of ${this.#registry}: ${
          (err as Error).message
        }`,
        0,
        [],
        { cause: err },
      );
    }
  }

  #sendFollowing(req: HttpRequest, authorization: string | undefined): Promise<Response> {
    const headers: Record<string, string> = { "user-agent": this.#userAgent, ...req.headers };
    if (authorization !== undefined) headers.authorization = authorization;
    return this.#follow(req.url, req.method, headers, req.body, this.#origin, req.signal);
  }

  async #fetchWithTimeout(
    url: URL,
    init: RequestInit,
    signal: AbortSignal | undefined,
  ): Promise<Response> {
    const timeout = new AbortController();
    const watch = new IdleWatch(this.#timeoutMs, () => timeout.abort());
    init.signal = signal === undefined ? timeout.signal : AbortSignal.any([signal, timeout.signal]);
    const what = `${init.method} ${safeUrl(url)}`;
    const timeoutError = (cause: unknown): TimeoutError =>
      new TimeoutError(
        `The registry did not answer ${what}: no progress for ${this.#timeoutMs} ms; check the network and the registry, or raise the timeout (OCISIGN_REGISTRY_TIMEOUT, in seconds)`,
        { cause },
      );
    if (init.body instanceof ReadableStream) init.body = watchUploadBody(init.body, watch);
    else watch.arm();
    let res: Response;
    try {
      res = await watch.race(this.#fetch(url, init), () => timeoutError(undefined));
    } catch (err) {
      if (err instanceof TimeoutError) throw err;
      if (watch.fired && !signal?.aborted) throw timeoutError(err);
      throw err;
    } finally {
      watch.disarm();
    }
    return watchResponseBody(res, watch, timeoutError, init.signal);
  }

  async #follow(
    start: URL,
    startMethod: string,
    startHeaders: Record<string, string>,
    startBody: Uint8Array | ReadableStream<Uint8Array> | undefined,
    trustedOrigin: string,
    signal: AbortSignal | undefined,
    guard?: (next: URL) => Promise<void>,
  ): Promise<Response> {
    let url = start;
    let method = startMethod;
    let headers = startHeaders;
    let body = startBody;
    for (let hop = 0;; hop++) {
      const init: RequestInit = { method, headers, redirect: "manual" };
      const streaming = body instanceof ReadableStream;
      if (body !== undefined) {
        init.body = body as Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>;
      }
      // A streamed request body needs half-duplex fetch (Deno and Bun).
      if (streaming) (init as RequestInit & { duplex: "half" }).duplex = "half";
      const res = await this.#fetchWithTimeout(url, init, signal);
      const location = res.headers.get("location");
      if (!REDIRECTS.has(res.status) || location === null || streaming) return res;
      await discard(res);
      if (hop >= MAX_REDIRECTS) {
        throw new RegistryError(
          `Too many redirects for ${startMethod} ${safeUrl(start)}; the registry is misconfigured`,
          res.status,
        );
      }
      const next = new URL(location, url);
      await guard?.(next);
      if (next.protocol !== "https:" && next.protocol !== "http:") {
        throw new RegistryError(`The registry redirected to an unsupported URL scheme`, res.status);
      }
      if (url.protocol === "https:" && next.protocol === "http:") {
        throw new RegistryError(
          `The registry redirected ${safeUrl(start)} from https to plain http; refusing`,
          res.status,
        );
      }
      if (next.origin !== trustedOrigin) {
        // Credentials never leave the registry origin (distribution-spec: MUST NOT forward
        // Authorization across hosts).
        headers = Object.fromEntries(
          Object.entries(headers).filter(([k]) => k.toLowerCase() !== "authorization"),
        );
      }
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
        method = "GET";
        body = undefined;
      }
      url = next;
    }
  }
}
