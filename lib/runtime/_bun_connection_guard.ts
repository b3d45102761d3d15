/**
 * Private: the TCP (or TLS) front of the Bun server, on Bun's own sockets (`Bun.listen`,
 * `Bun.connect`). `Bun.serve` has no connection limit and a fixed 10 s header timeout, so, as on
 * Deno ({@linkcode startConnectionGuard}), the public socket is accepted here and each connection
 * is relayed to a `Bun.serve` on a private loopback port, under the same three rules: at most
 * `maxConnections` at once (at the limit the oldest connection without a complete request head
 * is closed to make room), a first request head within `headersTimeoutMs`, and no more than
 * `idleTimeoutMs` of silence both ways. Bytes that are not HTTP get a 400, and the relay records
 * which client each private connection belongs to.
 *
 * Bun's sockets hand each chunk to a callback and take a write without a stream in between (the
 * `node:net` relay this replaces cost a Node stream's machinery per chunk, both ways); a write
 * the socket cannot take at once is queued and its source paused until the socket drains.
 *
 * @module
 */
import { concat } from "../_internal/bytes.ts";
import {
  type ConnectionGuard,
  type ConnectionLimits,
  hostPort,
  makeRoomFor,
  MAX_HEAD,
  NOT_HTTP,
  startsLikeHttp,
  sweepRelays,
} from "./_connection_guard.ts";

/** Where the front listens. */
export interface FrontAddress {
  hostname: string;
  port: number;
  /** PEM certificate chain and key: the front speaks TLS and relays plain HTTP. */
  tls?: { cert: string; key: string };
}

/** A listening front. */
export interface BunConnectionGuard extends ConnectionGuard {
  /** The port it listens on. */
  readonly port: number;
}

/** The part of a Bun socket the relay uses. */
interface BunSocket {
  data: Relay;
  readonly remoteAddress: string;
  readonly remotePort?: number;
  readonly localPort: number;
  write(bytes: Uint8Array): number;
  end(): void;
  shutdown(halfClose?: boolean): void;
  terminate(): void;
  pause(): void;
  resume(): void;
}

interface SocketHandlers {
  open?(socket: BunSocket): void;
  data(socket: BunSocket, bytes: Uint8Array): void;
  drain(socket: BunSocket): void;
  end(socket: BunSocket): void;
  close(socket: BunSocket): void;
  error(socket: BunSocket, error: Error): void;
  connectError?(socket: BunSocket, error: Error): void;
}

/** Bun's socket API, as much of it as the relay uses. */
export interface BunSockets {
  listen(options: {
    hostname: string;
    port: number;
    socket: SocketHandlers;
    tls?: { cert: string; key: string };
    allowHalfOpen: boolean;
    exclusive: boolean;
  }): { readonly port: number; stop(closeActive?: boolean): void };
  connect(options: {
    hostname: string;
    port: number;
    socket: SocketHandlers;
    data: Relay;
    allowHalfOpen: boolean;
  }): Promise<BunSocket>;
}

const HEAD_END = [13, 10, 13, 10];

/** One direction of a relay: bytes the target socket has not taken yet. */
class Direction {
  readonly queue: Uint8Array[] = [];
  /** The source has ended: end the target once the queue is empty. */
  ended = false;
  target: BunSocket | undefined;
  source: BunSocket | undefined;

  /** Writes `bytes` to the target, or queues them and pauses the source. */
  send(bytes: Uint8Array): void {
    if (this.target === undefined || this.queue.length > 0) {
      this.queue.push(bytes);
      this.source?.pause();
      return;
    }
    const n = this.target.write(bytes);
    if (n < bytes.length) {
      this.queue.push(n > 0 ? bytes.subarray(n) : bytes);
      this.source?.pause();
    }
  }

  /** Writes what is queued; once all is taken, resumes the source (or ends the target). */
  flush(halfClose: boolean): void {
    const target = this.target;
    if (target === undefined) return;
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      const n = target.write(head);
      if (n < head.length) {
        if (n > 0) this.queue[0] = head.subarray(n);
        return;
      }
      this.queue.shift();
    }
    if (this.ended) {
      if (halfClose) target.shutdown(true);
      else target.end();
    } else this.source?.resume();
  }
}

class Relay {
  readonly address: string;
  readonly acceptedAt = Date.now();
  lastActivity = Date.now();
  headDone = false;
  #matched = 0;
  head: Uint8Array[] = [];
  headSize = 0;
  /** Client to private server. */
  readonly up = new Direction();
  /** Private server to client. */
  readonly down = new Direction();
  closed = false;

  constructor(readonly client: BunSocket) {
    this.address = hostPort(client.remoteAddress ?? "unknown", client.remotePort ?? 0);
    this.up.source = client;
    this.down.target = client;
  }

  /** Notes client bytes of the first head; true once it is complete. */
  seeHead(bytes: Uint8Array): boolean {
    for (const b of bytes) {
      this.#matched = b === HEAD_END[this.#matched] ? this.#matched + 1 : b === 13 ? 1 : 0;
      if (this.#matched === 4) return this.headDone = true;
    }
    return false;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.terminate();
    this.up.target?.terminate();
  }
}

/**
 * Listens on `address` and relays every connection to `127.0.0.1:privatePort()`.
 * @param bun Bun's socket API.
 * @param address Where to listen, and TLS material.
 * @param privatePort The port of the private server.
 * @param limits Connection count and timeouts.
 * @returns The listening front.
 * @throws the listen error (`code` EADDRINUSE, EACCES, EADDRNOTAVAIL) when the bind fails.
 */
export function startBunConnectionGuard(
  bun: BunSockets,
  address: FrontAddress,
  privatePort: () => number,
  limits: ConnectionLimits,
): BunConnectionGuard {
  const relays = new Set<Relay>();
  const byPrivatePort = new Map<number, string>();

  const upstreamHandlers: SocketHandlers = {
    open(socket) {
      const relay = socket.data;
      if (relay.closed) return socket.terminate();
      byPrivatePort.set(socket.localPort, relay.address);
      relay.up.target = socket;
      relay.down.source = socket;
      relay.up.flush(true);
    },
    data(socket, bytes) {
      socket.data.lastActivity = Date.now();
      socket.data.down.send(bytes);
    },
    drain(socket) {
      socket.data.up.flush(true);
    },
    end(socket) {
      // The private server is done: the client gets the rest, then the end.
      socket.data.down.ended = true;
      socket.data.down.flush(false);
    },
    close(socket) {
      byPrivatePort.delete(socket.localPort);
      const relay = socket.data;
      relay.down.ended = true;
      relay.down.flush(false);
    },
    error(socket) {
      socket.data.close();
    },
    connectError(socket) {
      socket.data.close();
    },
  };

  const connectUpstream = (relay: Relay): void => {
    bun.connect({
      hostname: "127.0.0.1",
      port: privatePort(),
      socket: upstreamHandlers,
      data: relay,
      allowHalfOpen: true,
    }).catch(() => relay.close());
  };

  const onHead = (relay: Relay, bytes: Uint8Array): void => {
    if (relay.headSize === 0 && !startsLikeHttp(bytes)) {
      // Not HTTP at all (a TLS handshake, say): answer as an HTTP server would.
      relay.client.write(NOT_HTTP);
      relay.client.end();
      relay.closed = true;
      return;
    }
    relay.head.push(bytes);
    relay.headSize += bytes.length;
    if (!relay.seeHead(bytes)) {
      if (relay.headSize > MAX_HEAD) relay.close();
      return;
    }
    // The head (and whatever followed it) waits in the queue until the private side connects.
    relay.up.send(concat(relay.head));
    relay.head = [];
    connectUpstream(relay);
  };

  const clientHandlers: SocketHandlers = {
    open(client) {
      const relay = new Relay(client);
      client.data = relay;
      if (!makeRoomFor(relays, limits.maxConnections)) {
        relay.close();
        return;
      }
      relays.add(relay);
    },
    data(client, bytes) {
      const relay = client.data;
      if (relay.closed) return;
      relay.lastActivity = Date.now();
      if (relay.headDone) relay.up.send(bytes);
      else onHead(relay, bytes);
    },
    drain(client) {
      client.data.down.flush(false);
    },
    end(client) {
      const relay = client.data;
      // A client that ends before its request head is complete gets nothing more; one that ends
      // after it is half-closed and still gets the answer.
      if (!relay.headDone) return relay.close();
      relay.up.ended = true;
      relay.up.flush(true);
    },
    close(client) {
      const relay = client.data;
      relays.delete(relay);
      relay.close();
    },
    error(client) {
      client.data?.close();
    },
  };

  const listener = bun.listen({
    hostname: address.hostname,
    port: address.port,
    socket: clientHandlers,
    allowHalfOpen: true,
    exclusive: true,
    ...(address.tls === undefined ? {} : { tls: address.tls }),
  });
  const sweeper = sweepRelays(relays, limits);

  return {
    port: listener.port,
    clientOf: (port) => byPrivatePort.get(port),
    close(): Promise<void> {
      clearInterval(sweeper);
      listener.stop(true);
      for (const relay of relays) relay.close();
      return Promise.resolve();
    },
  };
}
