/**
 * Private: the Bun server, on Bun's `node:http` (a native server that reports each accepted
 * connection), with no relay: a request's bytes and a response's bytes pass through JavaScript
 * once, between the handler's streams and the connection. The relay this replaces
 * (a `Bun.listen` front carrying every byte to a private `Bun.serve`) cost 0.7-0.9 s of CPU per
 * GiB sent, this about 0.5 s. Bun's `node:http` ignores `headersTimeout`, so the rules of
 * {@linkcode startConnectionGuard} are kept here from the server's events:
 *
 * - at most `maxConnections` at once; at the limit, the oldest connection that has not yet had a
 *   request is closed to make room (else the new one is refused);
 * - a connection must complete its first request head within `headersTimeoutMs` (a request
 *   event is the sign);
 * - a connection on which nothing moves for `idleTimeoutMs` is closed: no request, no request body
 *   chunk, no response chunk taken by the socket, while no handler is working. An upload whose
 *   body stalls, or a client that stops reading a response, is cut off.
 *
 * Bytes that are not HTTP get a 400. Accept errors are the native server's own, and it survives
 * them.
 *
 * @module
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import {
  type ConnectionGuard,
  type ConnectionLimits,
  type GuardedRelay,
  hostPort,
  makeRoomFor,
  MAX_HEAD,
  NOT_HTTP,
  sweepRelays,
} from "./_connection_guard.ts";

/** What the handler learns of the connection a request came on. */
export interface NodeRequestInfo {
  /** The client's address, `host:port` (`[v6]:port` for IPv6). */
  remoteAddress: string;
  /** Resolves once the response has been sent in full; rejects when the client went away. */
  completed: Promise<void>;
}

/** A request handler behind the server. */
export type NodeHandler = (request: Request, info: NodeRequestInfo) => Promise<Response>;

/** Where the server listens. */
export interface NodeServerAddress {
  hostname: string;
  port: number;
  /** PEM certificate chain and key: serve HTTPS. */
  tls?: { cert: string; key: string };
}

/** A listening server. */
export interface BunNodeServer extends Pick<ConnectionGuard, "close"> {
  /** The port it listens on. */
  readonly port: number;
}

/** One accepted connection, as the limits see it. */
class Connection implements GuardedRelay {
  readonly acceptedAt = Date.now();
  readonly address: string;
  #lastActivity = Date.now();
  headDone = false;
  /** Handlers working: neither waiting for the client's body nor for the client to read. */
  working = 0;

  constructor(readonly socket: Socket) {
    this.address = hostPort(socket.remoteAddress ?? "unknown", socket.remotePort ?? 0);
  }

  /** Now while a handler works; else when something last moved. */
  get lastActivity(): number {
    return this.working > 0 ? Date.now() : this.#lastActivity;
  }

  touch(): void {
    this.#lastActivity = Date.now();
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Whether a request has a body: a length above zero, or chunked. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined ||
    (length !== undefined && length !== "0");
}

/**
 * The request body as a web stream, read only as fast as the handler pulls. While the handler
 * waits for it, the connection is not working: its chunks are the activity.
 */
function bodyOf(req: IncomingMessage, conn: Connection): ReadableStream<Uint8Array> {
  let waiting = false;
  let ended = false;
  const wait = (on: boolean): void => {
    if (waiting === on || (on && ended)) return;
    waiting = on;
    conn.working += on ? -1 : 1;
  };
  return new ReadableStream<Uint8Array>({
    start(controller): void {
      req.on("data", (chunk: Uint8Array) => {
        conn.touch();
        wait(false);
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.once("end", () => {
        ended = true;
        wait(false);
        controller.close();
      });
      req.once("error", (err: Error) => {
        wait(false);
        controller.error(err);
      });
      req.once("close", () => {
        wait(false);
        if (!ended) controller.error(new Error("The client disconnected"));
      });
      req.pause();
    },
    pull(): void {
      wait(true);
      req.resume();
    },
    cancel(): void {
      wait(false);
      req.resume();
    },
  }, { highWaterMark: 0 });
}

/** The request the handler sees, or undefined when its URL or headers are not valid. */
function requestOf(
  req: IncomingMessage,
  conn: Connection,
  scheme: string,
  signal: AbortSignal,
): Request | undefined {
  const headers = new Headers();
  const raw = req.rawHeaders;
  try {
    for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
    const host = req.headers.host ?? hostPort(conn.socket.localAddress ?? "localhost", 0);
    const body = hasBody(req) ? bodyOf(req, conn) : null;
    const init: RequestInit & { duplex?: "half" } = {
      method: req.method,
      headers,
      body,
      signal,
      redirect: "manual",
    };
    if (body !== null) init.duplex = "half";
    return new Request(`${scheme}://${host}${req.url ?? "/"}`, init);
  } catch {
    return undefined;
  }
}

/** Writes `chunk`; resolves once the socket took it (or the response closed). */
function write(res: ServerResponse, chunk: Uint8Array): Promise<void> | undefined {
  if (res.write(chunk) || res.destroyed) return undefined;
  return new Promise((resolve) => {
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/**
 * Sends `response` on `res`; while the client is slow to take it, the connection is not working.
 * @throws when the body fails or the client goes away before it is sent.
 */
async function send(res: ServerResponse, response: Response, conn: Connection): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie") headers[name] = value;
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  res.writeHead(response.status, response.statusText || undefined, headers);
  if (response.body === null) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      const taking = write(res, next.value);
      if (taking !== undefined) {
        conn.working--;
        try {
          await taking;
        } finally {
          conn.working++;
        }
        conn.touch();
      }
      if (res.destroyed) throw new Error("The client disconnected");
    }
  } catch (err) {
    await reader.cancel(err).catch(() => {});
    throw err;
  }
  res.end();
}

/**
 * Listens on `address` and serves `handler` there.
 * @param http Bun's `node:http` (or `node:https` with `address.tls`) module.
 * @param address Where to listen, and TLS material.
 * @param handler Answers each request.
 * @param onError The response for a handler that threw.
 * @param limits Connection count and timeouts.
 * @returns The listening server.
 * @throws the listen error (`code` EADDRINUSE, EACCES, EADDRNOTAVAIL) when the bind fails.
 */
export async function startBunNodeServer(
  http: { createServer(options: object): Server },
  address: NodeServerAddress,
  handler: NodeHandler,
  onError: (error: unknown) => Response,
  limits: ConnectionLimits,
): Promise<BunNodeServer> {
  const connections = new Set<Connection>();
  const bySocket = new WeakMap<Socket, Connection>();
  const scheme = address.tls === undefined ? "http" : "https";
  const server = http.createServer({
    maxHeaderSize: MAX_HEAD,
    requireHostHeader: false,
    // The rules below replace the server's own timeouts.
    requestTimeout: 0,
    headersTimeout: 0,
    keepAliveTimeout: limits.idleTimeoutMs,
    ...(address.tls ?? {}),
  });
  server.timeout = 0;

  server.on("connection", (socket: Socket) => {
    const conn = new Connection(socket);
    if (!makeRoomFor(connections, limits.maxConnections)) {
      socket.destroy();
      return;
    }
    connections.add(conn);
    bySocket.set(socket, conn);
    socket.once("close", () => connections.delete(conn));
  });

  server.on("clientError", (_err: Error, socket: Socket) => {
    // Bytes that are not HTTP (a TLS handshake, say), or a head too large.
    if (socket.writable) socket.end(NOT_HTTP);
    else socket.destroy();
  });

  server.on("request", async (req: IncomingMessage, res: ServerResponse) => {
    const conn = bySocket.get(req.socket as Socket);
    if (conn === undefined) {
      res.destroy();
      return;
    }
    conn.headDone = true;
    conn.touch();
    conn.working++;
    const disconnected = new AbortController();
    const { promise: completed, resolve, reject } = Promise.withResolvers<void>();
    completed.catch(() => {});
    res.once("finish", () => resolve());
    res.once("close", () => {
      if (res.writableFinished) return;
      const gone = new Error("The client disconnected");
      disconnected.abort(gone);
      reject(gone);
    });
    try {
      const request = requestOf(req, conn, scheme, disconnected.signal);
      let response: Response;
      if (request === undefined) response = new Response(null, { status: 400 });
      else {
        try {
          response = await handler(request, { remoteAddress: conn.address, completed });
        } catch (err) {
          response = onError(err);
        }
      }
      await send(res, response, conn);
    } catch {
      // The client went away while the answer was sent.
      res.destroy();
    } finally {
      conn.working--;
      conn.touch();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: address.hostname, port: address.port, exclusive: true }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const sweeper = sweepRelays(connections, limits);
  const bound = server.address();
  return {
    port: typeof bound === "object" && bound !== null ? bound.port : address.port,
    async close(): Promise<void> {
      clearInterval(sweeper);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const conn of connections) conn.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
