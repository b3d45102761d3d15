/**
 * Private: the Bun server, on Bun's `node:http` (a native server that reports each accepted
 * connection), with no relay: a request's bytes and a response's bytes pass through JavaScript
 * once, between the handler's streams and the connection. The relay this replaces
 * (a `Bun.listen` front carrying every byte to a private `Bun.serve`) cost 0.7-0.9 s of CPU per
 * GiB sent, this about 0.5 s. Bun's `node:http` ignores `headersTimeout`, so the rules of
 * {@linkcode startConnectionGuard} are kept here from the server's events:
 *
 * - at most `maxConnections` at once; at the limit, the oldest connection that is not in a
 *   request (none yet, or waiting for the next) is closed to make room (else the new one is
 *   refused);
 * - a connection must complete each request head within `headersTimeoutMs` (a request event is the
 *   sign), counted from the accept and then from the end of each answer ({@linkcode RequestHeads}:
 *   the native server shows no byte of a head, so a kept-alive connection that waits that long for
 *   its next request is closed too);
 * - a connection on which nothing moves for `idleTimeoutMs` is closed: no request, no request body
 *   chunk, no response chunk taken by the socket, while no handler is working. An upload whose
 *   body stalls, or a client that stops reading a response, is cut off.
 *
 * Bytes that are not HTTP get a 400. Accept errors are the native server's own, and it survives
 * them. As under `Bun.serve`, a small response body without a declared length is sent with a
 * `Content-Length`. A connection whose request body the handler did not read to its end is closed
 * after the answer (`Connection: close`): under Bun 1.4.5 such a connection did not reliably carry
 * the next request.
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
  RequestHeads,
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
class Connection extends RequestHeads implements GuardedRelay {
  readonly address: string;
  #lastActivity = Date.now();
  /** Handlers working: neither waiting for the client's body nor for the client to read. */
  working = 0;

  constructor(readonly socket: Socket) {
    super();
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
 * Request body bytes between two full collections: each chunk is a fresh 512 KiB buffer, and on a
 * push of a few hundred MiB a second their garbage raised the server's peak RSS (512 MiB pushed,
 * 5 alternated runs: 126 -> 102 MiB, for 4% more wall time; every 128 MiB: 112 MiB, 3%).
 */
const COLLECT_EVERY = 64 * 1024 * 1024;
let receivedSinceCollect = 0;

function noteReceived(bytes: number): void {
  receivedSinceCollect += bytes;
  if (receivedSinceCollect < COLLECT_EVERY) return;
  receivedSinceCollect = 0;
  (globalThis as { Bun?: { gc(force: boolean): void } }).Bun?.gc(true);
}

/** A request body as a web stream, and what became of it. */
interface RequestBody {
  stream: ReadableStream<Uint8Array>;
  /** Whether all of it has arrived. */
  readonly complete: boolean;
  /** Ends the stream for a reader that comes after the response. */
  discard(): void;
}

/**
 * The request body as a web stream, read only as fast as the handler pulls. While the handler
 * waits for it, the connection is not working: its chunks are the activity.
 */
function bodyOf(req: IncomingMessage, conn: Connection): RequestBody {
  let waiting = false;
  let complete = false;
  /** Closed, errored, cancelled or discarded: later chunks are dropped. */
  let done = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const wait = (on: boolean): void => {
    if (waiting === on || (on && done)) return;
    waiting = on;
    conn.working += on ? -1 : 1;
  };
  const finish = (err?: Error): void => {
    if (done) return;
    done = true;
    wait(false);
    if (err === undefined) controller.close();
    else controller.error(err);
  };
  const stream = new ReadableStream<Uint8Array>({
    start(c): void {
      controller = c;
      req.on("data", (chunk: Uint8Array) => {
        if (done) return;
        noteReceived(chunk.byteLength);
        conn.touch();
        wait(false);
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.once("end", () => {
        complete = true;
        finish();
      });
      req.once("error", (err: Error) => finish(err));
      req.once("close", () => finish(new Error("The client disconnected")));
      req.pause();
    },
    pull(): void {
      wait(true);
      req.resume();
    },
    cancel(): void {
      done = true;
      wait(false);
    },
  }, { highWaterMark: 0 });
  return {
    stream,
    get complete(): boolean {
      return complete;
    },
    discard(): void {
      finish(new Error("The response was sent before the request body was read"));
    },
  };
}

/**
 * The request the handler sees (undefined when its URL or headers are not valid), and its body.
 */
function requestOf(
  req: IncomingMessage,
  conn: Connection,
  scheme: string,
  signal: AbortSignal,
): { request?: Request; body?: RequestBody } {
  const body = hasBody(req) ? bodyOf(req, conn) : undefined;
  const headers = new Headers();
  const raw = req.rawHeaders;
  try {
    for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
    const host = req.headers.host ?? hostPort(conn.socket.localAddress ?? "localhost", 0);
    const init: RequestInit & { duplex?: "half" } = {
      method: req.method,
      headers,
      body: body?.stream ?? null,
      signal,
      redirect: "manual",
    };
    if (body !== undefined) init.duplex = "half";
    return { request: new Request(`${scheme}://${host}${req.url ?? "/"}`, init), body };
  } catch {
    return { body };
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

/** A body without a declared length is measured first up to this size (as Bun.serve does). */
const MEASURED_BODY = 64 * 1024;

/**
 * Reads the start of a body whose length is not declared: all of it when it is small, which
 * gives the response a `Content-Length` instead of chunked encoding.
 */
async function measure(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<{ chunks: Uint8Array[]; size?: number }> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size <= MEASURED_BODY) {
    const next = await reader.read();
    if (next.done) return { chunks, size };
    chunks.push(next.value);
    size += next.value.length;
  }
  return { chunks };
}

/**
 * Sends `response` on `res`; while the client is slow to take it, the connection is not working.
 * A connection whose request body was not read to its end is closed after the response (what is
 * left of the body cannot be told from the next request).
 * @throws when the body fails or the client goes away before it is sent.
 */
async function send(
  res: ServerResponse,
  response: Response,
  conn: Connection,
  requestBody: RequestBody | undefined,
): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie") headers[name] = value;
  }
  if (requestBody !== undefined && !requestBody.complete) headers["connection"] = "close";
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  if (response.body === null) {
    res.writeHead(response.status, response.statusText || undefined, headers);
    res.end();
    return;
  }
  const reader = response.body.getReader();
  try {
    let chunks: Uint8Array[] = [];
    if (headers["content-length"] === undefined) {
      const start = await measure(reader);
      chunks = start.chunks;
      if (start.size !== undefined) headers["content-length"] = String(start.size);
    }
    res.writeHead(response.status, response.statusText || undefined, headers);
    for (let next = chunks.shift(); next !== undefined; next = chunks.shift()) {
      await sendChunk(res, next, conn);
    }
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      await sendChunk(res, next.value, conn);
    }
  } catch (err) {
    await reader.cancel(err).catch(() => {});
    throw err;
  }
  res.end();
}

/** Writes one chunk of a response body; while the socket cannot take it, the connection waits. */
async function sendChunk(res: ServerResponse, chunk: Uint8Array, conn: Connection): Promise<void> {
  const taking = write(res, chunk);
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
    conn.arrived();
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
    const { request, body } = requestOf(req, conn, scheme, disconnected.signal);
    try {
      let response: Response;
      if (request === undefined) response = new Response(null, { status: 400 });
      else {
        try {
          response = await handler(request, { remoteAddress: conn.address, completed });
        } catch (err) {
          response = onError(err);
        }
      }
      await send(res, response, conn, body);
    } catch {
      // The client went away while the answer was sent.
      res.destroy();
    } finally {
      body?.discard();
      conn.working--;
      conn.answered();
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
