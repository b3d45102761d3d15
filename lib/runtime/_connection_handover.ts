/**
 * Private: the Deno server's front without a relay. Each accepted connection is handed, as it is,
 * to Deno's HTTP server for that one connection (`serveHttpOnConnection`, the function behind
 * `Deno.serve`), so request and response bytes never pass through JavaScript on their way between
 * the socket and the handler (a whole blob goes from the file to the socket in Rust). The front
 * keeps the rules of {@linkcode startConnectionGuard}, from what the server tells it instead of
 * from the bytes:
 *
 * - at most `maxConnections` at once; at the limit, the oldest connection that has not yet had a
 *   request is closed to make room (else the new one is refused);
 * - a connection must complete its first request head within `headersTimeoutMs` (a request
 *   reaching the handler is the sign);
 * - a connection with nothing in flight (no request, no body chunk, no response being sent) for
 *   `idleTimeoutMs` is closed; an upload whose body stalls that long is cut off.
 *
 * Closing is Deno's graceful shutdown of the connection: at once when no request is in flight
 * (half-sent heads, idle keep-alive connections), else when the response in flight is sent. A
 * stalled upload is ended by erroring its body, which ends the request. Bytes that are not HTTP
 * get the server's own 400. Accept errors (EMFILE, ENFILE, ECONNABORTED) are survived.
 *
 * @module
 */
import {
  type ConnectionGuard,
  type ConnectionLimits,
  type GuardedRelay,
  makeRoomFor,
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

function addressOf(conn: Deno.Conn): string {
  const addr = conn.remoteAddr as Deno.NetAddr;
  return addr.hostname.includes(":")
    ? `[${addr.hostname}]:${addr.port}`
    : `${addr.hostname}:${addr.port}`;
}

/** One handed-over connection, as the limits see it. */
class Handed implements GuardedRelay {
  readonly address: string;
  readonly acceptedAt = Date.now();
  /** Deno's server for this connection, once it runs. */
  server: Deno.HttpServer | undefined;
  #lastActivity = Date.now();
  headDone = false;
  /** Requests whose response has not been sent yet. */
  inFlight = 0;
  /** Ends each upload body still being read. */
  readonly bodies = new Set<(reason: Error) => void>();

  constructor(conn: Deno.Conn) {
    this.address = addressOf(conn);
  }

  /** A connection with a request in flight that is neither uploading nor stalled is busy. */
  get lastActivity(): number {
    return this.inFlight > this.bodies.size ? Date.now() : this.#lastActivity;
  }

  touch(): void {
    this.#lastActivity = Date.now();
  }

  close(): void {
    // Not the server's abort signal: aborting it after the connection ended throws from an event
    // listener (BadResource), while shutdown() is safe at any time.
    this.server?.shutdown().catch(() => {});
    const reason = new Error("The connection was idle too long");
    for (const end of [...this.bodies]) end(reason);
  }
}

/**
 * Passes `body` through, noting each chunk as activity; while it is being read, `handed.bodies`
 * holds a function that errors it.
 */
function watchBody(body: ReadableStream<Uint8Array>, handed: Handed): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let end: ((reason: Error) => void) | undefined;
  const done = (): void => void (end !== undefined && handed.bodies.delete(end));
  return new ReadableStream<Uint8Array>({
    start(controller) {
      end = (reason) => {
        done();
        controller.error(reason);
        reader.cancel(reason).catch(() => {});
      };
      handed.bodies.add(end);
    },
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
}

/** The per-connection servers are ended with shutdown(), never by this signal. */
const NEVER = new AbortController().signal;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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
      handed.headDone = true;
      handed.inFlight++;
      handed.touch();
      info.completed.finally(() => {
        handed.inFlight--;
        handed.touch();
      }).catch(() => {});
      const body = request.body === null ? null : watchBody(request.body, handed);
      return handler(request, info, { remoteAddress: handed.address, body });
    };
    try {
      handed.server = serveOn(conn, NEVER, answer, onError, () => {});
    } catch {
      try {
        conn.close();
      } catch {
        // already closed
      }
      return Promise.resolve();
    }
    return handed.server.finished.catch(() => {});
  };

  const accepting = (async () => {
    while (!stopped) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (err) {
        if (stopped || err instanceof Deno.errors.BadResource) return;
        // EMFILE and friends: the pending connections wait in the backlog while others end.
        await sleep(50);
        continue;
      }
      const handed = new Handed(conn);
      if (!makeRoomFor(open, limits.maxConnections)) {
        conn.close();
        continue;
      }
      open.add(handed);
      const done = serve(conn, handed).finally(() => {
        handed.close();
        open.delete(handed);
        running.delete(done);
      });
      running.add(done);
    }
  })();

  return {
    async close(): Promise<void> {
      stopped = true;
      clearInterval(sweeper);
      try {
        listener.close();
      } catch {
        // already closed
      }
      await accepting;
      for (const handed of open) handed.close();
      await Promise.allSettled([...running]);
    },
  };
}
