/**
 * The embedded registry: a fetch-style handler implementing the OCI distribution spec 1.1 over
 * a {@linkcode RepositoryProvider} (typically one OCI image layout directory per repository).
 *
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md
 * @module
 */
import { MAX_MANIFEST_BYTES } from "../_internal/limits.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import { pureHasherFactory } from "../digest/pure_hasher.ts";
import { errorToResponse, specErrorResponse } from "./_api_error.ts";
import { deleteBlob, getBlob } from "./_blob_routes.ts";
import type { ResolvedLimits, ServerContext } from "./_context.ts";
import { listReferrers, listTags } from "./_discovery_routes.ts";
import { KeyedLock } from "../_internal/keyed_lock.ts";
import { deleteManifest, getManifest, putManifest } from "./_manifest_routes.ts";
import { matchRoute } from "./_routes.ts";
import type { Route } from "./_routes.ts";
import {
  deleteUpload,
  getUploadStatus,
  patchUpload,
  postUpload,
  putUpload,
} from "./_upload_routes.ts";
import { UploadSessions } from "./_upload_sessions.ts";
import type { RepositoryProvider } from "./repository.ts";

/**
 * Safety limits of the registry.
 *
 * @example
 * ```ts
 * import type { RegistryLimits } from "./registry_handler.ts";
 * const limits: RegistryLimits = { maxUploadSessions: 16, uploadIdleTimeoutMs: 60_000 };
 * ```
 */
export interface RegistryLimits {
  /** Largest manifest accepted on push, in bytes (default 4 MiB); larger gives 413. */
  maxManifestBytes?: number;
  /** Largest blob accepted, in bytes (default: no limit); larger gives 413. */
  maxBlobBytes?: number;
  /** Most upload sessions open at once (default 64); more gives 429 TOOMANYREQUESTS. */
  maxUploadSessions?: number;
  /** Idle time after which an upload session and its bytes are dropped (default 10 minutes). */
  uploadIdleTimeoutMs?: number;
}

/**
 * One line of the request log.
 *
 * @example Format an entry
 * ```ts
 * import type { RequestLogEntry } from "./registry_handler.ts";
 * const e: RequestLogEntry = { method: "GET", path: "/v2/", status: 200, bytes: 2, ms: 0.4 };
 * console.log(`${e.method} ${e.path} ${e.status} ${e.bytes}B ${e.ms}ms`);
 * ```
 */
export interface RequestLogEntry {
  /** HTTP method. */
  method: string;
  /** URL path (no query string). */
  path: string;
  /** Response status. */
  status: number;
  /** Response body bytes sent (0 when a body of known length could not be sent in full). */
  bytes: number;
  /** Milliseconds from request to the end of the response body. */
  ms: number;
  /** For 5xx answers: what went wrong inside the server (never sent to the client). */
  error?: string;
}

/**
 * What the socket server knows about the client of a request.
 *
 * @example
 * ```ts
 * import type { ClientInfo } from "./registry_handler.ts";
 * const client: ClientInfo = { remoteAddress: "127.0.0.1:50312" };
 * ```
 */
export interface ClientInfo {
  /** `host:port` (`[v6]:port` for IPv6). */
  remoteAddress: string;
  /**
   * Settles when the response has been sent (resolves) or could not be (rejects), where the
   * server tells; a body of known length is then logged without passing through a wrapper.
   */
  completed?: Promise<void>;
}

/**
 * Options for {@linkcode createRegistryHandler}.
 *
 * @example A read-only registry behind a Basic check
 * ```ts ignore
 * import type { RegistryHandlerOptions, RepositoryProvider } from "./mod.ts";
 * declare const repositories: RepositoryProvider;
 * const options: RegistryHandlerOptions = {
 *   repositories,
 *   readOnly: true,
 *   auth: (req) => req.headers.get("authorization") === `Basic ${btoa("user:secret")}`,
 * };
 * ```
 */
export interface RegistryHandlerOptions {
  /** Opens repositories by name. */
  repositories: RepositoryProvider;
  /** Refuse pushes and deletes with 405 UNSUPPORTED. */
  readOnly?: boolean;
  /**
   * Decides whether a request is authorised (for example a Basic/htpasswd check done by the
   * caller), given the client the server saw. Refused requests get 401 UNAUTHORIZED with a Basic
   * challenge; a `RegistryError` it throws becomes that error's answer (e.g. 429).
   */
  auth?: (request: Request, client?: ClientInfo) => boolean | Promise<boolean>;
  /** Receives one entry per request once its response has been sent. */
  log?: (entry: RequestLogEntry) => void;
  /** Safety limits. */
  limits?: RegistryLimits;
  /** Realm named in the `WWW-Authenticate` challenge (default `ocisign`). */
  realm?: string;
  /** Hashes uploads of blobs that are already stored (default: the pure-TypeScript hasher). */
  hasher?: HasherFactory;
  /** The clock that ages idle upload sessions, in ms since the epoch (default `Date.now`). */
  now?: () => number;
}

function resolveLimits(limits: RegistryLimits = {}): ResolvedLimits {
  const positive = (value: number | undefined, fallback: number, what: string): number => {
    if (value === undefined) return fallback;
    if (!(value > 0)) {
      throw new RangeError(`Cannot create the registry: ${what} must be positive, got ${value}`);
    }
    return value;
  };
  return {
    maxManifestBytes: positive(limits.maxManifestBytes, MAX_MANIFEST_BYTES, "maxManifestBytes"),
    maxBlobBytes: positive(limits.maxBlobBytes, Number.POSITIVE_INFINITY, "maxBlobBytes"),
    maxUploadSessions: positive(limits.maxUploadSessions, 64, "maxUploadSessions"),
    uploadIdleTimeoutMs: positive(
      limits.uploadIdleTimeoutMs,
      10 * 60 * 1000,
      "uploadIdleTimeoutMs",
    ),
  };
}

function unsupportedMethod(method: string, kind: string): Response {
  return specErrorResponse(
    405,
    "UNSUPPORTED",
    `Method ${method} is not supported on the ${kind} endpoint`,
  );
}

function dispatch(ctx: ServerContext, request: Request, url: URL, route: Route): Promise<Response> {
  const m = request.method;
  const read = m === "GET" || m === "HEAD";
  switch (route.kind) {
    case "base":
      if (!read) return Promise.resolve(unsupportedMethod(m, "base"));
      return Promise.resolve(
        new Response(m === "HEAD" ? null : "{}", {
          status: 200,
          headers: { "content-type": "application/json", "content-length": "2" },
        }),
      );
    case "tags":
      return read
        ? listTags(ctx, request, url, route.name)
        : Promise.resolve(unsupportedMethod(m, "tags"));
    case "manifest":
      if (read) return getManifest(ctx, request, route.name, route.reference);
      if (m === "PUT") return putManifest(ctx, request, url, route.name, route.reference);
      if (m === "DELETE") return deleteManifest(ctx, request, route.name, route.reference);
      return Promise.resolve(unsupportedMethod(m, "manifest"));
    case "uploads":
      return m === "POST"
        ? postUpload(ctx, request, url, route.name)
        : Promise.resolve(unsupportedMethod(m, "upload"));
    case "upload":
      if (m === "PATCH") return patchUpload(ctx, request, route.name, route.id);
      if (m === "PUT") return putUpload(ctx, request, url, route.name, route.id);
      if (read) return getUploadStatus(ctx, route.name, route.id);
      if (m === "DELETE") return deleteUpload(ctx, route.name, route.id);
      return Promise.resolve(unsupportedMethod(m, "upload session"));
    case "blob":
      if (read) return getBlob(ctx, request, route.name, route.digest);
      if (m === "DELETE") return deleteBlob(ctx, request, route.name, route.digest);
      return Promise.resolve(unsupportedMethod(m, "blob"));
    case "referrers":
      return read
        ? listReferrers(ctx, request, url, route.name, route.digest)
        : Promise.resolve(unsupportedMethod(m, "referrers"));
  }
}

/**
 * Writes the log entry when the last byte has gone out: when the server says so (`completed`)
 * for a body of known length, which then reaches the server untouched (a file stream is sent
 * without JavaScript per chunk), else by counting through a wrapper.
 */
function logged(
  response: Response,
  completed: Promise<void> | undefined,
  done: (bytes: number) => void,
): Response {
  if (response.body === null) {
    done(0);
    return response;
  }
  const length = Number(response.headers.get("content-length") ?? NaN);
  if (completed !== undefined && Number.isSafeInteger(length) && length >= 0) {
    // Sent in full, or not: how much of it went out before the client left is not known.
    completed.then(() => done(length), () => done(0));
    return response;
  }
  const reader = response.body.getReader();
  let bytes = 0;
  let finished = false;
  const finish = (): void => {
    if (!finished) {
      finished = true;
      done(bytes);
    }
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller): Promise<void> {
      try {
        const { done: end, value } = await reader.read();
        if (end) {
          finish();
          controller.close();
          return;
        }
        bytes += value.length;
        controller.enqueue(value);
      } catch (err) {
        finish();
        controller.error(err);
      }
    },
    async cancel(reason): Promise<void> {
      finish();
      await reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, headers: response.headers });
}

/**
 * Creates the registry request handler: the whole of distribution-spec 1.1 (pull, push with
 * monolithic, streamed and chunked uploads, cross-repository mount, tags, referrers, deletes) over
 * the repositories `repositories` opens. Serve it with `serveHttp` from the runtime layer.
 *
 * @example Serve two repositories from memory-backed layouts
 * ```ts ignore
 * import { createLayoutRepositoryProvider, createRegistryHandler } from "./mod.ts";
 * import type { Fs } from "../content/fs.ts";
 * declare const fs: Fs; // the runtime layer's file system
 * const repositories = createLayoutRepositoryProvider({ root: "./registry", fs });
 * const handler = createRegistryHandler({ repositories, log: (e) => console.error(e) });
 * const res = await handler(new Request("http://localhost:5000/v2/"));
 * console.log(res.status); // 200
 * ```
 * @param options The repositories, access control, limits and log.
 * @returns A `(Request) => Promise<Response>` handler.
 * @throws {RangeError} when a limit is not a positive number.
 */
export function createRegistryHandler(
  options: RegistryHandlerOptions,
): (request: Request, client?: ClientInfo) => Promise<Response> {
  const limits = resolveLimits(options.limits);
  const ctx: ServerContext = {
    repositories: options.repositories,
    sessions: new UploadSessions(limits.maxUploadSessions, limits.uploadIdleTimeoutMs, options.now),
    limits,
    readOnly: options.readOnly ?? false,
    locks: new KeyedLock(),
    hasher: options.hasher ?? pureHasherFactory,
  };
  const realm = (options.realm ?? "ocisign").replace(/["\\]/g, "");
  const log = options.log;
  return async function handleRegistryRequest(
    request: Request,
    client?: ClientInfo,
  ): Promise<Response> {
    const started = performance.now();
    let url: URL;
    let response: Response;
    let error: string | undefined;
    try {
      url = new URL(request.url);
    } catch {
      return specErrorResponse(400, "UNSUPPORTED", "The request URL cannot be parsed");
    }
    try {
      if (options.auth !== undefined && !(await options.auth(request, client))) {
        response = specErrorResponse(
          401,
          "UNAUTHORIZED",
          "Authentication required; log in and retry",
          {
            "www-authenticate": `Basic realm="${realm}"`,
          },
        );
      } else {
        const route = matchRoute(url.pathname);
        response = route === undefined
          ? specErrorResponse(
            404,
            "UNSUPPORTED",
            `No registry endpoint at ${url.pathname.slice(0, 200)}`,
          )
          : await dispatch(ctx, request, url, route);
      }
    } catch (err) {
      response = errorToResponse(err);
      if (response.status >= 500) {
        error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      }
    }
    response.headers.set("docker-distribution-api-version", "registry/2.0");
    if (log === undefined) return response;
    return logged(response, client?.completed, (bytes) => {
      const entry: RequestLogEntry = {
        method: request.method,
        path: url.pathname,
        status: response.status,
        bytes,
        ms: Math.round((performance.now() - started) * 10) / 10,
      };
      if (error !== undefined) entry.error = error;
      log(entry);
    });
  };
}
