/**
 * Starts an HTTP(S) server for a fetch-style handler on Deno (its per-connection `Deno.serve`) or
 * Bun (its native `node:http`), whichever runs the code; the runtime is detected when
 * {@linkcode serveHttp} is called. The port is bound exclusively (no `SO_REUSEPORT`: a second
 * server on the same address fails instead of sharing its requests), and client behaviour cannot
 * end the server: connections are bounded in number, in the time to send a request head and in
 * idle time, and accept errors such as EMFILE are survived.
 *
 * @module
 */
import { RegistryError } from "../errors.ts";
import { type ConnectionGuard, hostPort, startConnectionGuard } from "./_connection_guard.ts";
import { startBunNodeServer } from "./_bun_node_server.ts";
import { denoServeOnConnection, startConnectionHandover } from "./_connection_handover.ts";
import { followRuns } from "./_handler_runs.ts";

/**
 * A fetch-style request handler.
 *
 * @example
 * ```ts
 * import type { HttpHandler } from "./http_server.ts";
 * const hello: HttpHandler = () => Promise.resolve(new Response("hello"));
 * ```
 */
export type HttpHandler = (request: Request, info: HttpRequestInfo) => Promise<Response>;

/**
 * What the server knows about a request besides the request itself.
 *
 * @example
 * ```ts
 * import type { HttpRequestInfo } from "./http_server.ts";
 * const info: HttpRequestInfo = { remoteAddress: "127.0.0.1:50312" };
 * ```
 */
export interface HttpRequestInfo {
  /** The client's address, `host:port` (`[v6]:port` for IPv6). */
  remoteAddress: string;
  /**
   * Resolves once the response, body included, has been sent; rejects when it could not be (the
   * client went away). Absent where the runtime does not tell.
   */
  completed?: Promise<void>;
}

/**
 * Certificate and key for HTTPS, both PEM text.
 *
 * @example
 * ```ts ignore
 * import type { HttpTlsOptions } from "./http_server.ts";
 * const tls: HttpTlsOptions = { cert: await Deno.readTextFile("cert.pem"), key: await Deno.readTextFile("key.pem") };
 * ```
 */
export interface HttpTlsOptions {
  /** PEM certificate chain. */
  cert: string;
  /** PEM private key. */
  key: string;
}

/**
 * Options for {@linkcode serveHttp}.
 *
 * @example
 * ```ts
 * import type { ServeHttpOptions } from "./http_server.ts";
 * const options: ServeHttpOptions = { hostname: "127.0.0.1", port: 0 };
 * ```
 */
export interface ServeHttpOptions {
  /** Address to listen on (default `127.0.0.1`). */
  hostname?: string;
  /** Port to listen on; `0` (the default) picks a free one. */
  port?: number;
  /** Serve HTTPS with this certificate and key. */
  tls?: HttpTlsOptions;
  /**
   * Most client connections open at once (default 128). At the limit, the oldest connection that
   * is not in a request (none sent yet, or waiting for the next) is closed.
   */
  maxConnections?: number;
  /**
   * Time a connection has to send a request head, in milliseconds (default 10 000): the first
   * from the accept, each next one from the end of the last answer (the relay front of a Deno
   * without per-connection serving times only the first).
   */
  headersTimeoutMs?: number;
  /**
   * A connection silent both ways for this long is closed, in milliseconds (default 60 000).
   */
  idleTimeoutMs?: number;
}

/**
 * A running server.
 *
 * @example
 * ```ts
 * import { serveHttp } from "./http_server.ts";
 * const server = await serveHttp(() => Promise.resolve(new Response("ok")));
 * console.log(server.port > 0); // true
 * await server.close();
 * ```
 */
export interface HttpServer {
  /** The address it listens on. */
  readonly hostname: string;
  /** The port it listens on (the chosen one when `0` was asked for). */
  readonly port: number;
  /**
   * Stops accepting connections, ends open ones and resolves when the server is down and every
   * request's handler has ended (so nothing a handler writes is still being written).
   */
  close(): Promise<void>;
}

/** The limits, with their defaults. */
interface Limits {
  maxConnections: number;
  headersTimeoutMs: number;
  idleTimeoutMs: number;
}

function resolveLimits(options: ServeHttpOptions): Limits {
  const limits = {
    maxConnections: options.maxConnections ?? 128,
    headersTimeoutMs: options.headersTimeoutMs ?? 10_000,
    idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
  };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new RangeError(`serveHttp(): ${name} must be a positive integer, got ${value}`);
    }
  }
  return limits;
}

/** The reason a bind failed, in words, from Deno's error classes or Bun's `code`. */
function bindReason(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  if (err instanceof Error && (err.name === "AddrInUse" || code === "EADDRINUSE")) {
    return "address already in use";
  }
  if (err instanceof Error && (err.name === "PermissionDenied" || code === "EACCES")) {
    return "permission denied";
  }
  if (err instanceof Error && (err.name === "AddrNotAvailable" || code === "EADDRNOTAVAIL")) {
    return "address not available on this machine";
  }
  return err instanceof Error ? err.message : String(err);
}

function listenError(hostname: string, port: number, err: unknown): RegistryError {
  return new RegistryError(
    `cannot listen on ${hostPort(hostname, port)}: ${
      bindReason(err)
    }; stop what uses it or choose another address`,
    0,
    [],
    { cause: err },
  );
}

async function serveWithBun(
  handler: HttpHandler,
  hostname: string,
  port: number,
  limits: Limits,
  tls?: HttpTlsOptions,
): Promise<HttpServer> {
  // Bun's node:http is a native server that reports each connection: no relay is needed.
  const http = tls === undefined ? await import("node:http") : await import("node:https");
  try {
    const server = await startBunNodeServer(
      http,
      { hostname, port, ...(tls === undefined ? {} : { tls }) },
      handler,
      internalError,
      limits,
    );
    return { hostname, port: server.port, close: () => server.close() };
  } catch (err) {
    throw listenError(hostname, port, err);
  }
}

function listenDeno(hostname: string, port: number, tls?: HttpTlsOptions): Deno.Listener {
  try {
    return tls === undefined
      ? Deno.listen({ hostname, port })
      : Deno.listenTls({ hostname, port, cert: tls.cert, key: tls.key });
  } catch (err) {
    throw listenError(hostname, port, err);
  }
}

/** A 500 in the registry's error format, for a handler that threw. */
function internalError(err: unknown): Response {
  const text = err instanceof Error ? err.message : String(err);
  return new Response(
    JSON.stringify({ errors: [{ code: "UNKNOWN", message: `internal error: ${text}` }] }),
    { status: 500, headers: { "content-type": "application/json" } },
  );
}

/**
 * The request the handler sees: a signal that aborts only when the client goes away (Deno's own
 * request.signal also aborts after every successful response), and `body` in place of the
 * request's own.
 */
function handlerRequest(
  request: Request,
  info: Deno.ServeHandlerInfo,
  body: ReadableStream<Uint8Array> | null,
): Request {
  const disconnected = new AbortController();
  info.completed.catch(() => disconnected.abort(new Error("The client disconnected")));
  const init: RequestInit & { duplex?: "half" } = {
    method: request.method,
    headers: request.headers,
    body,
    signal: disconnected.signal,
    redirect: "manual",
  };
  if (body !== null) init.duplex = "half";
  return new Request(request.url, init);
}

async function serveWithDeno(
  handler: HttpHandler,
  hostname: string,
  port: number,
  limits: Limits,
  tls?: HttpTlsOptions,
): Promise<HttpServer> {
  const listener = listenDeno(hostname, port, tls);
  const serveOn = denoServeOnConnection();
  if (serveOn === undefined) return await serveWithDenoRelay(handler, hostname, listener, limits);
  // Each connection goes to Deno's server as it is: no byte passes through JavaScript twice.
  const guard = startConnectionHandover(
    listener,
    serveOn,
    (request, info, handed) =>
      handler(handlerRequest(request, info, handed.body), {
        remoteAddress: handed.remoteAddress,
        completed: info.completed,
      }),
    internalError,
    limits,
  );
  return {
    hostname,
    port: (listener.addr as Deno.NetAddr).port,
    close: () => guard.close(),
  };
}

/** Where Deno lacks its per-connection server: a relay to a private `Deno.serve`. */
async function serveWithDenoRelay(
  handler: HttpHandler,
  hostname: string,
  listener: Deno.Listener,
  limits: Limits,
): Promise<HttpServer> {
  // Set once the private server listens; only its relayed connections are served.
  const front: { guard?: ConnectionGuard } = {};
  const abort = new AbortController();
  const serveRequest = (request: Request, info: Deno.ServeHandlerInfo): Promise<Response> => {
    const remoteAddress = front.guard?.clientOf((info.remoteAddr as Deno.NetAddr).port);
    if (remoteAddress === undefined) {
      // Only the front may use the private port.
      return Promise.resolve(new Response(null, { status: 403 }));
    }
    return handler(handlerRequest(request, info, request.body), {
      remoteAddress,
      completed: info.completed,
    });
  };
  let privatePort = 0;
  const servers: Deno.HttpServer[] = [];
  const startPrivate = async (): Promise<void> => {
    const { promise: listening, resolve } = Promise.withResolvers<number>();
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      signal: abort.signal,
      onListen: (addr: Deno.NetAddr) => resolve(addr.port),
      onError: internalError,
    }, serveRequest);
    servers.push(server);
    privatePort = await listening;
    // Deno.serve ends when an accept fails (EMFILE): start another; the front keeps the public
    // port, so only the connections in flight are lost.
    server.finished.catch(async () => {
      while (!abort.signal.aborted) {
        await new Promise((r) => setTimeout(r, 100));
        if (abort.signal.aborted) return;
        try {
          return await startPrivate();
        } catch {
          // still out of descriptors: try again
        }
      }
    });
  };
  try {
    await startPrivate();
  } catch (err) {
    listener.close();
    throw err;
  }
  const guard = startConnectionGuard(listener, () => privatePort, limits);
  front.guard = guard;
  return {
    hostname,
    port: (listener.addr as Deno.NetAddr).port,
    async close(): Promise<void> {
      await guard.close();
      abort.abort();
      await Promise.allSettled(servers.map((s) => s.finished));
    },
  };
}

/**
 * Serves `handler` over HTTP (or HTTPS with `tls`) on Deno or Bun.
 *
 * @example Serve on a free loopback port
 * ```ts
 * import { serveHttp } from "./http_server.ts";
 * const server = await serveHttp(() => Promise.resolve(new Response("ok")), { port: 0 });
 * const res = await fetch(`http://127.0.0.1:${server.port}/`);
 * console.log(await res.text()); // "ok"
 * await server.close();
 * ```
 * @param handler Answers each request.
 * @param options Address, port, TLS material and connection limits.
 * @returns The running server.
 * @throws {RegistryError} ERR_REGISTRY when the address cannot be bound (in use, not ours,
 *   not permitted).
 * @throws {RangeError} for a port or a limit out of range.
 * @throws {TypeError} when neither Deno nor Bun is running the code.
 */
export function serveHttp(
  handler: HttpHandler,
  options: ServeHttpOptions = {},
): Promise<HttpServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`Cannot serve on port ${port}: use an integer from 0 to 65535`);
  }
  const limits = resolveLimits(options);
  // A closed connection's handler may still be ending (an upload removing its part): close()
  // waits for it.
  const runs = followRuns(handler);
  let started: Promise<HttpServer>;
  if ((globalThis as { Bun?: unknown }).Bun !== undefined) {
    started = serveWithBun(runs.handler, hostname, port, limits, options.tls);
  } else if (typeof (globalThis as { Deno?: unknown }).Deno === "object") {
    started = serveWithDeno(runs.handler, hostname, port, limits, options.tls);
  } else {
    throw new TypeError("Cannot start an HTTP server: this runtime is neither Deno nor Bun");
  }
  return started.then((server) => ({
    hostname: server.hostname,
    port: server.port,
    async close(): Promise<void> {
      await server.close();
      await runs.ended();
    },
  }));
}
