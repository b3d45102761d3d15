/**
 * Private: the connection limits every front keeps ({@linkcode makeRoomFor},
 * {@linkcode sweepRelays}), and the relay front of the Deno server for a Deno without per-connection
 * serving (where it has it, {@linkcode startConnectionHandover} hands connections over instead and
 * nothing is relayed). `Deno.serve` has no header timeout, no idle timeout and no connection limit,
 * and an accept error such as EMFILE ends it with an uncaught rejection; a few hundred half-sent
 * requests were enough to kill `ocisign serve`. So the public socket is accepted here and each
 * connection is relayed to a `Deno.serve` on a private loopback port, under three rules:
 *
 * - at most `maxConnections` at once; at the limit, the oldest connection that has not yet sent a
 *   complete request head is closed to make room (else the new one is refused);
 * - a connection must send its first request head within `headersTimeoutMs`;
 * - a connection silent both ways for `idleTimeoutMs` is closed.
 *
 * Accept errors (EMFILE, ENFILE, ECONNABORTED) are survived: the loop waits a little and accepts
 * again. The relay records which client each private connection belongs to, so the handler sees
 * the real client address, and connections to the private port that do not come from the relay
 * are answered 403.
 *
 * @module
 */
import { concat } from "../_internal/bytes.ts";

/** `host:port`, with IPv6 hosts in brackets (`[::1]:5000`). */
export function hostPort(hostname: string, port: number): string {
  return `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
}

/** Limits of {@linkcode startConnectionGuard}. */
export interface ConnectionLimits {
  /** Most connections open at once. */
  maxConnections: number;
  /** Time to send a request head (the first, and where the front can tell, each next), in ms. */
  headersTimeoutMs: number;
  /** Longest silence in both directions, in milliseconds. */
  idleTimeoutMs: number;
}

/** A running front. */
export interface ConnectionGuard {
  /** Who the private connection with this local port relays, `host:port` (undefined: nobody). */
  clientOf(privatePort: number): string | undefined;
  /** Stops accepting, closes every relayed connection and waits for the relays to end. */
  close(): Promise<void>;
}

const RELAY_BUFFER = 256 * 1024;
/** Reads of a request head are small: a slow client holds no more than this. */
const HEAD_BUFFER = 16 * 1024;
const HEAD_END = [13, 10, 13, 10];
/** Largest first request head accepted (hyper's default limit is about as large). */
export const MAX_HEAD = 64 * 1024;

class Relay {
  readonly client: Deno.Conn;
  readonly address: string;
  upstream: Deno.Conn | undefined;
  readonly headSince = Date.now();
  lastActivity = Date.now();
  headDone = false;
  #matched = 0;
  #closed = false;

  constructor(client: Deno.Conn) {
    this.client = client;
    const addr = client.remoteAddr as Deno.NetAddr;
    this.address = hostPort(addr.hostname, addr.port);
  }

  /** Notes client bytes: activity, and whether the first request head is complete. */
  fromClient(bytes: Uint8Array): void {
    this.lastActivity = Date.now();
    if (this.headDone) return;
    for (const b of bytes) {
      this.#matched = b === HEAD_END[this.#matched] ? this.#matched + 1 : b === 13 ? 1 : 0;
      if (this.#matched === 4) {
        this.headDone = true;
        return;
      }
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const conn of [this.client, this.upstream]) {
      try {
        conn?.close();
      } catch {
        // already closed
      }
    }
  }
}

/** Writes all of `bytes` to `to`. */
async function writeAll(to: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.length;) off += await to.write(bytes.subarray(off));
}

/**
 * Relays `from` to `to` with two buffers, so that the next read runs while the last chunk is
 * written: a read-then-write loop on one buffer leaves each socket idle half the time, which
 * about doubled the time of a large push through the relay.
 */
async function pump(from: Deno.Conn, to: Deno.Conn, seen: (bytes: Uint8Array) => void) {
  const buffers = [new Uint8Array(RELAY_BUFFER), new Uint8Array(RELAY_BUFFER)];
  let writing: Promise<void> = Promise.resolve();
  for (let i = 0;; i ^= 1) {
    const buf = buffers[i]!;
    let n: number | null;
    try {
      n = await from.read(buf);
    } finally {
      // The buffer read next was written from two steps ago: that write must be over first.
      await writing;
    }
    if (n === null) return;
    const chunk = buf.subarray(0, n);
    seen(chunk);
    writing = writeAll(to, chunk);
    // Keep an early write failure from being reported as unhandled while the next read waits.
    writing.catch(() => {});
  }
}

/** The answer to bytes that are not an HTTP request. */
export const NOT_HTTP = new TextEncoder().encode(
  "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 12\r\n\r\nBad Request\n",
);

/** Whether a request starts as HTTP/1.x does: a method token of capital letters. */
export function startsLikeHttp(bytes: Uint8Array): boolean {
  const first = bytes[0];
  return first !== undefined && first >= 0x41 && first <= 0x5a;
}

/**
 * Reads from the client until its first request head is complete; undefined when the client
 * goes away first or sends a head larger than {@linkcode MAX_HEAD}.
 */
async function readHead(relay: Relay): Promise<Uint8Array | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const buf = new Uint8Array(HEAD_BUFFER);
  while (!relay.headDone) {
    const n = await relay.client.read(buf);
    if (n === null) return undefined;
    const chunk = buf.slice(0, n);
    if (size === 0 && !startsLikeHttp(chunk)) {
      // Not HTTP at all (a TLS handshake, say): answer as an HTTP server would, so a client that
      // tried HTTPS learns the server speaks plain HTTP.
      await relay.client.write(NOT_HTTP).catch(() => 0);
      return undefined;
    }
    relay.fromClient(chunk);
    chunks.push(chunk);
    size += n;
    if (!relay.headDone && size > MAX_HEAD) return undefined;
  }
  return concat(chunks);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Closes `listener`, waits for its accept loop to end, closes every `open` connection and waits
 * for the work still `running`.
 */
export async function stopAccepting(
  listener: Deno.Listener,
  accepting: Promise<void>,
  open: Iterable<{ close(): void }>,
  running: Set<Promise<unknown>>,
): Promise<void> {
  try {
    listener.close();
  } catch {
    // already closed
  }
  await accepting;
  for (const conn of open) conn.close();
  await Promise.allSettled([...running]);
}

/**
 * Accepts connections on `listener` and gives each to `take`, until `stopped()` or the listener
 * closes. Accept errors such as EMFILE are survived: the pending connections wait in the backlog
 * while others end.
 */
export async function acceptEach(
  listener: Deno.Listener,
  stopped: () => boolean,
  take: (conn: Deno.Conn) => void,
): Promise<void> {
  while (!stopped()) {
    let conn: Deno.Conn;
    try {
      conn = await listener.accept();
    } catch (err) {
      if (stopped() || err instanceof Deno.errors.BadResource) return;
      await sleep(50);
      continue;
    }
    take(conn);
  }
}

/**
 * Accepts on `listener` and relays every connection to `127.0.0.1:privatePort`.
 * @param listener The public listener (TCP or TLS), already bound.
 * @param privatePort The current port of the private `Deno.serve` (it may be restarted).
 * @param limits Connection count and timeouts.
 * @returns The running front.
 */
export function startConnectionGuard(
  listener: Deno.Listener,
  privatePort: () => number,
  limits: ConnectionLimits,
): ConnectionGuard {
  const relays = new Set<Relay>();
  const byPrivatePort = new Map<number, string>();
  const running = new Set<Promise<void>>();
  let stopped = false;

  const sweeper = sweepRelays(relays, limits);

  const makeRoom = (): boolean => makeRoomFor(relays, limits.maxConnections);

  const serve = async (relay: Relay): Promise<void> => {
    let privateLocalPort: number | undefined;
    try {
      // The private side is reached only with a complete request head, so connections that
      // never send one cost a single descriptor.
      const head = await readHead(relay);
      if (head === undefined) return;
      const upstream = await Deno.connect({ hostname: "127.0.0.1", port: privatePort() });
      relay.upstream = upstream;
      privateLocalPort = (upstream.localAddr as Deno.NetAddr).port;
      byPrivatePort.set(privateLocalPort, relay.address);
      await writeAll(upstream, head);
      const touch = (): void => void (relay.lastActivity = Date.now());
      const down = pump(upstream, relay.client, touch);
      // A client that half-closes after its request still gets the answer.
      const up = pump(relay.client, upstream, (bytes) => relay.fromClient(bytes))
        .then(() => upstream.closeWrite());
      await Promise.race([down, up.then(() => down)]);
    } catch {
      // A side went away (or the front closed it): the relay ends.
    } finally {
      relay.close();
      relays.delete(relay);
      if (privateLocalPort !== undefined) byPrivatePort.delete(privateLocalPort);
    }
  };

  const accepting = acceptEach(listener, () => stopped, (conn) => {
    const relay = new Relay(conn);
    if (!makeRoom()) {
      relay.close();
      return;
    }
    relays.add(relay);
    const done = serve(relay);
    running.add(done);
    done.finally(() => running.delete(done));
  });

  return {
    clientOf: (port) => byPrivatePort.get(port),
    close(): Promise<void> {
      stopped = true;
      clearInterval(sweeper);
      return stopAccepting(listener, accepting, relays, running);
    },
  };
}

/** What the guards know of each relayed connection. */
export interface GuardedRelay {
  /** Whether the request head awaited is complete (the first one, or one being served). */
  readonly headDone: boolean;
  /** When the wait for that head began (ms): the accept, or the end of the last answer. */
  readonly headSince: number;
  /** When a byte last moved either way (ms). */
  readonly lastActivity: number;
  /** Closes both sides. */
  close(): void;
}

/**
 * The request heads of a connection whose server reports each request and its answer: a head is
 * awaited from the accept, and again from the end of each answer while no other request is open,
 * so every head (not only the first) has the head deadline. A kept-alive connection waiting for
 * its next request therefore counts as one without a head (closed after `headersTimeoutMs`, and
 * first to make room at the limit).
 */
export class RequestHeads {
  headDone = false;
  headSince = Date.now();
  /** Requests arrived and not yet answered. */
  inFlight = 0;

  /** A request arrived: its head is complete. */
  arrived(): void {
    this.headDone = true;
    this.inFlight++;
  }

  /** A request was answered (or its client went away): with none left, the next head is due. */
  answered(): void {
    if (--this.inFlight > 0) return;
    this.headDone = false;
    this.headSince = Date.now();
  }
}

/**
 * Whether one more connection fits under `max`: at the limit the oldest relay without a complete
 * request head (the set is in accept order) is closed and removed to make room.
 */
export function makeRoomFor(relays: Set<GuardedRelay>, max: number): boolean {
  if (relays.size < max) return true;
  for (const relay of relays) {
    if (!relay.headDone) {
      relay.close();
      relays.delete(relay);
      return true;
    }
  }
  return false;
}

/**
 * Closes, on a timer, the relays whose request head is late or that stayed silent too long.
 * @returns The timer, for `clearInterval`.
 */
export function sweepRelays(
  relays: Set<GuardedRelay>,
  limits: ConnectionLimits,
): ReturnType<typeof setInterval> {
  const tick = Math.max(10, Math.min(limits.headersTimeoutMs, limits.idleTimeoutMs) / 4);
  return setInterval(() => {
    const now = Date.now();
    for (const relay of relays) {
      const slowHead = !relay.headDone && now - relay.headSince >= limits.headersTimeoutMs;
      if (slowHead || now - relay.lastActivity >= limits.idleTimeoutMs) relay.close();
    }
  }, tick);
}
