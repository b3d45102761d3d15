/**
 * Starts an HTTP(S) server for a fetch-style handler on Deno (`Deno.serve`) or Bun (`Bun.serve`),
 * whichever runs the code; the runtime is detected when {@linkcode serveHttp} is called.
 *
 * @module
 */

/**
 * A fetch-style request handler.
 *
 * @example
 * ```ts
 * import type { HttpHandler } from "./http_server.ts";
 * const hello: HttpHandler = () => Promise.resolve(new Response("hello"));
 * ```
 */
export type HttpHandler = (request: Request) => Promise<Response>;

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
  /** Stops accepting connections, ends open ones and resolves when the server is down. */
  close(): Promise<void>;
}

interface BunServer {
  readonly port: number;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
}

interface BunRuntime {
  serve(options: {
    hostname: string;
    port: number;
    fetch: (request: Request) => Promise<Response>;
    tls?: { cert: string; key: string };
    maxRequestBodySize: number;
    idleTimeout: number;
    development: boolean;
  }): BunServer;
}

/**
 * Bun drops a handler's `Content-Length` when the body is a stream that is still being produced,
 * and sends it chunked. Registry clients need the length, so bodies up to this size are read
 * into memory first; larger ones go out chunked.
 */
const BUN_BUFFER_LIMIT = 16 * 1024 * 1024;

async function withLength(response: Response): Promise<Response> {
  const declared = Number(response.headers.get("content-length") ?? "NaN");
  if (response.body === null || !(declared >= 0 && declared <= BUN_BUFFER_LIMIT)) return response;
  const bytes = await response.arrayBuffer();
  return new Response(bytes, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

function serveWithBun(
  bun: BunRuntime,
  handler: HttpHandler,
  hostname: string,
  port: number,
  tls?: HttpTlsOptions,
): HttpServer {
  const server = bun.serve({
    hostname,
    port,
    fetch: async (request: Request): Promise<Response> => await withLength(await handler(request)),
    ...(tls === undefined ? {} : { tls: { cert: tls.cert, key: tls.key } }),
    // Uploads are streamed, so the body size is not limited here (Bun's default is 128 MiB).
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    idleTimeout: 120,
    development: false,
  });
  return {
    hostname,
    port: server.port,
    async close(): Promise<void> {
      await server.stop(true);
    },
  };
}

async function serveWithDeno(
  handler: HttpHandler,
  hostname: string,
  port: number,
  tls?: HttpTlsOptions,
): Promise<HttpServer> {
  const { promise: listening, resolve } = Promise.withResolvers<number>();
  const abort = new AbortController();
  const options = {
    hostname,
    port,
    signal: abort.signal,
    onListen(addr: Deno.NetAddr): void {
      resolve(addr.port);
    },
    onError(err: unknown): Response {
      const text = err instanceof Error ? err.message : String(err);
      return new Response(
        JSON.stringify({ errors: [{ code: "UNKNOWN", message: `internal error: ${text}` }] }),
        { status: 500, headers: { "content-type": "application/json" } },
      );
    },
  };
  // The handler sees a signal that aborts only when the client goes away (Deno's own
  // request.signal also aborts after every successful response).
  const serveRequest = (request: Request, info: Deno.ServeHandlerInfo): Promise<Response> => {
    const disconnected = new AbortController();
    info.completed.catch(() => disconnected.abort(new Error("The client disconnected")));
    const init: RequestInit & { duplex?: "half" } = {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: disconnected.signal,
      redirect: "manual",
    };
    if (request.body !== null) init.duplex = "half";
    return handler(new Request(request.url, init));
  };
  const server = tls === undefined
    ? Deno.serve(options, serveRequest)
    : Deno.serve({ ...options, cert: tls.cert, key: tls.key }, serveRequest);
  const actualPort = await listening;
  return {
    hostname,
    port: actualPort,
    async close(): Promise<void> {
      abort.abort();
      await server.finished;
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
 * @param options Address, port and TLS material.
 * @returns The running server.
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
  const bun = (globalThis as { Bun?: BunRuntime }).Bun;
  if (bun !== undefined) {
    return Promise.resolve(serveWithBun(bun, handler, hostname, port, options.tls));
  }
  if (typeof (globalThis as { Deno?: unknown }).Deno === "object") {
    return serveWithDeno(handler, hostname, port, options.tls);
  }
  throw new TypeError("Cannot start an HTTP server: this runtime is neither Deno nor Bun");
}
