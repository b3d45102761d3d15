/**
 * Private: the Deno server's front without a relay. Each accepted connection is handed, as it is,
 * to Deno's HTTP server for that one connection (`serveHttpOnConnection`, the function behind
 * `Deno.serve`), so no byte is relayed: a request body reaches the handler as it would under
 * `Deno.serve`, and a whole blob goes from the file to the socket in Rust. The front
 * keeps the rules of {@linkcode startConnectionGuard}, from what the server tells it instead of
 * from the bytes:
 *
 * - at most `maxConnections` at once; at the limit, the oldest connection that is not in a
 *   request (none yet, or waiting for the next) is closed to make room (else the new one is
 *   refused);
 * - a connection must complete each request head within `headersTimeoutMs` (a request reaching
 *   the handler is the sign), counted from the accept and then from the end of each answer
 *   ({@linkcode RequestHeads}: a kept-alive connection that waits that long for its next request
 *   is closed too);
 * - a connection with nothing in flight (no request, no body chunk, no response being sent) for
 *   `idleTimeoutMs` is closed; an upload whose body stalls that long is cut off.
 *
 * Closing aborts the connection's server, which closes the socket at once (a stalled upload's
 * handler then sees its body fail). The server does not report a response's progress, so a
 * connection whose response is being sent counts as active until it is sent or the client goes
 * away. Bytes that are not HTTP get the server's own 400. Accept errors (EMFILE, ENFILE,
 * ECONNABORTED) are survived.
 *
 * @module
 */
import {
  acceptEach,
  type ConnectionGuard,
  type ConnectionLimits,
  type GuardedRelay,
  hostPort,
  makeRoomFor,
  RequestHeads,
  stopAccepting,
  sweepRelays,
} from "./_connection_guard.ts";

/** Deno's server for one accepted connection (`serveHttpOnConnection`). */
export type ServeOnConnection = (
  conn: Deno.Conn,
  signal: AbortSignal,
  handler: (request: Request, info: Deno.ServeHandlerInfo) => Promise<Response>,
  onError: (error: unknown) => Response,
  onListen: () => void,
) => Deno.HttpServer;

/** What the handler learns of the connection a request came on. */
export interface HandedRequest {
  /** The client's address, `host:port` (`[v6]:port` for IPv6). */
  remoteAddress: string;
  /** The request body, watched for activity (null without a body). */
  body: ReadableStream<Uint8Array> | null;
}

/** A request handler behind the front. */
export type HandedHandler = (
  request: Request,
  info: Deno.ServeHandlerInfo,
  handed: HandedRequest,
) => Promise<Response>;

/**
 * Deno's per-connection server, where this Deno has it (an internal of `Deno.serve`, present in
 * Deno 2); undefined elsewhere, and the front then relays.
 */
export function denoServeOnConnection(): ServeOnConnection | undefined {
  const deno = Deno as unknown as Record<symbol, unknown> & { internal?: symbol };
  const internal = deno.internal === undefined ? undefined : deno[deno.internal];
  const serve = (internal as { serveHttpOnConnection?: unknown } | undefined)
    ?.serveHttpOnConnection;
  return typeof serve === "function" ? serve as ServeOnConnection : undefined;
}

/**
 * Aborts `controller`, the signal of a connection's server, which closes the connection at once
 * (Deno's `op_http_cancel`). Deno's abort listener throws BadResource when the connection has
 * already ended; an exception in an event listener would end the process, so that one is
 * swallowed while the abort runs (the listener runs synchronously inside `abort()`).
 */
function forceClose(controller: AbortController): void {
  const swallow = (event: ErrorEvent): void => {
    if (event.error instanceof Deno.errors.BadResource) event.preventDefault();
  };
  globalThis.addEventListener("error", swallow);
  try {
    controller.abort();
  } finally {
    globalThis.removeEventListener("error", swallow);
  }
}

/** One handed-over connection, as the limits see it. */
class Handed extends RequestHeads implements GuardedRelay {
  readonly address: string;
  /** Aborting it closes the connection at once. */
  readonly abort = new AbortController();
  #lastActivity = Date.now();
  ended = false;
  /** Request bodies being read. */
  uploads = 0;

  constructor(conn: Deno.Conn) {
    super();
    const addr = conn.remoteAddr as Deno.NetAddr;
    this.address = hostPort(addr.hostname, addr.port);
  }

  /**
   * Now, while a request is in flight and not waiting for its body (the handler works or the
   * response is being sent, which the server does not report byte by byte); else the last
   * request, body chunk or sent response.
   */
  get lastActivity(): number {
    return this.inFlight > this.uploads ? Date.now() : this.#lastActivity;
  }

  touch(): void {
    this.#lastActivity = Date.now();
  }

  close(): void {
    if (!this.ended && !this.abort.signal.aborted) forceClose(this.abort);
  }
}

/**
 * Passes `body` through, noting each chunk as activity and counting it in `handed.uploads` until
 * it ends or `done` is called (when the request completes, read or not).
 */
function watchBody(
  body: ReadableStream<Uint8Array>,
  handed: Handed,
): { stream: ReadableStream<Uint8Array>; done: () => void } {
  const reader = body.getReader();
  let reading = true;
  const done = (): void => {
    if (reading) handed.uploads--;
    reading = false;
  };
  handed.uploads++;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (err) {
        done();
        throw err;
      }
      handed.touch();
      if (next.done) {
        done();
        controller.close();
      } else controller.enqueue(next.value);
    },
    cancel(reason) {
      done();
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  return { stream, done };
}

/**
 * Accepts on `listener` and hands every connection to Deno's server under `limits`.
 * @param listener The public listener (TCP or TLS), already bound.
 * @param serveOn Deno's per-connection server ({@linkcode denoServeOnConnection}).
 * @param handler Answers each request.
 * @param onError Answers a request whose handler threw.
 * @param limits Connection count and timeouts.
 * @returns The running front.
 */
export function startConnectionHandover(
  listener: Deno.Listener,
  serveOn: ServeOnConnection,
  handler: HandedHandler,
  onError: (error: unknown) => Response,
  limits: ConnectionLimits,
): Pick<ConnectionGuard, "close"> {
  const open = new Set<Handed>();
  const running = new Set<Promise<void>>();
  let stopped = false;
  const sweeper = sweepRelays(open, limits);

  const serve = (conn: Deno.Conn, handed: Handed): Promise<void> => {
    const answer = (request: Request, info: Deno.ServeHandlerInfo): Promise<Response> => {
      handed.arrived();
      handed.touch();
      const body = request.body === null ? undefined : watchBody(request.body, handed);
      info.completed.finally(() => {
        body?.done();
        handed.answered();
        handed.touch();
      }).catch(() => {});
      return handler(request, info, {
        remoteAddress: handed.address,
        body: body === undefined ? null : body.stream,
      });
    };
    let server: Deno.HttpServer;
    try {
      server = serveOn(conn, handed.abort.signal, answer, onError, () => {});
    } catch {
      try {
        conn.close();
      } catch {
        // already closed
      }
      return Promise.resolve();
    }
    return server.finished.catch(() => {}).finally(() => void (handed.ended = true));
  };

  const accepting = acceptEach(listener, () => stopped, (conn) => {
    const handed = new Handed(conn);
    if (!makeRoomFor(open, limits.maxConnections)) {
      conn.close();
      return;
    }
    open.add(handed);
    const done = serve(conn, handed).finally(() => {
      handed.close();
      open.delete(handed);
      running.delete(done);
    });
    running.add(done);
  });

  return {
    close(): Promise<void> {
      stopped = true;
      clearInterval(sweeper);
      return stopAccepting(listener, accepting, open, running);
    },
  };
}
