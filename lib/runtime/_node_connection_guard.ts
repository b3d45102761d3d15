/**
 * Private: the TCP (or TLS) front of the Bun server, on `node:net` and `node:tls`. `Bun.serve` has
 * no connection limit and a fixed 10 s header timeout, so, as on Deno
 * ({@linkcode startConnectionGuard}), the public socket is accepted here and each connection is
 * relayed to a `Bun.serve` on a private loopback port, under the same three rules: at most
 * `maxConnections` at once (at the limit the oldest connection without a complete request head
 * is closed to make room), a first request head within `headersTimeoutMs`, and no more than
 * `idleTimeoutMs` of silence both ways. Accept errors (EMFILE) are survived, bytes that are not
 * HTTP get a 400, and the relay records which client each private connection belongs to.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import net from "node:net";
import tls from "node:tls";
import {
  type ConnectionGuard,
  type ConnectionLimits,
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
export interface NodeConnectionGuard extends ConnectionGuard {
  /** The port it listens on. */
  readonly port: number;
}

const HEAD_END = Buffer.from("\r\n\r\n");

class Relay {
  readonly client: net.Socket;
  readonly address: string;
  upstream: net.Socket | undefined;
  readonly acceptedAt = Date.now();
  lastActivity = Date.now();
  headDone = false;
  #closed = false;

  constructor(client: net.Socket) {
    this.client = client;
    const host = client.remoteAddress ?? "unknown";
    this.address = `${host.includes(":") ? `[${host}]` : host}:${client.remotePort ?? 0}`;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.client.destroy();
    this.upstream?.destroy();
  }
}

/**
 * Listens on `address` and relays every connection to `127.0.0.1:privatePort()`.
 * @param address Where to listen, and TLS material.
 * @param privatePort The port of the private server.
 * @param limits Connection count and timeouts.
 * @returns The listening front.
 * @throws the listen error (`code` EADDRINUSE, EACCES, EADDRNOTAVAIL) when the bind fails.
 */
export async function startNodeConnectionGuard(
  address: FrontAddress,
  privatePort: () => number,
  limits: ConnectionLimits,
): Promise<NodeConnectionGuard> {
  const relays = new Set<Relay>();
  const byPrivatePort = new Map<number, string>();

  const makeRoom = (): boolean => makeRoomFor(relays, limits.maxConnections);

  const relayTo = (relay: Relay, head: Buffer): void => {
    const upstream = net.connect({ host: "127.0.0.1", port: privatePort() });
    relay.upstream = upstream;
    const client = relay.client;
    const touch = (): void => void (relay.lastActivity = Date.now());
    upstream.once("connect", () => {
      const local = upstream.localPort;
      if (local !== undefined) {
        byPrivatePort.set(local, relay.address);
        upstream.once("close", () => byPrivatePort.delete(local));
      }
      upstream.write(head);
      client.on("data", touch);
      upstream.on("data", touch);
      upstream.pipe(client);
      // A client that ended with its request head is half-closed: it still gets the answer.
      if (client.readableEnded) upstream.end();
      else {
        client.pipe(upstream);
        client.resume();
      }
    });
    upstream.on("error", () => relay.close());
    upstream.on("close", () => relay.close());
  };

  const accept = (client: net.Socket): void => {
    // Bun does not pass the server's allowHalfOpen on to the sockets it accepts.
    client.allowHalfOpen = true;
    const relay = new Relay(client);
    client.on("error", () => relay.close());
    client.on("close", () => {
      relay.close();
      relays.delete(relay);
    });
    if (!makeRoom()) {
      client.destroy();
      return;
    }
    relays.add(relay);
    const chunks: Buffer[] = [];
    let size = 0;
    const onHead = (chunk: Buffer): void => {
      relay.lastActivity = Date.now();
      if (size === 0 && !startsLikeHttp(chunk)) {
        // Not HTTP at all (a TLS handshake, say): answer as an HTTP server would.
        client.end(NOT_HTTP);
        client.off("data", onHead);
        return;
      }
      // The head may end across chunks: look from up to three bytes before this one.
      const from = Math.max(0, size - 3);
      chunks.push(chunk);
      size += chunk.length;
      const sofar = Buffer.concat(chunks);
      chunks.splice(0, chunks.length, sofar);
      if (sofar.indexOf(HEAD_END, from) < 0) {
        if (size > MAX_HEAD) relay.close();
        return;
      }
      relay.headDone = true;
      client.off("data", onHead);
      client.pause();
      relayTo(relay, sofar);
    };
    client.on("data", onHead);
    // A client that ends before its request head is complete gets nothing more.
    client.once("end", () => {
      if (!relay.headDone) relay.close();
    });
  };

  const server = address.tls === undefined ? net.createServer(accept) : tls.createServer({
    cert: address.tls.cert,
    key: address.tls.key,
    handshakeTimeout: limits.headersTimeoutMs,
  }).on("secureConnection", accept);
  // Accept errors (EMFILE and friends) must not end the process: pending connections wait in
  // the backlog until others end.
  const listening = new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: address.hostname, port: address.port, exclusive: true }, () => {
      server.off("error", reject);
      server.on("error", () => {});
      resolve();
    });
  });
  await listening;
  if (address.tls !== undefined) server.on("tlsClientError", () => {});

  const sweeper = sweepRelays(relays, limits);

  return {
    port: (server.address() as net.AddressInfo).port,
    clientOf: (port) => byPrivatePort.get(port),
    async close(): Promise<void> {
      clearInterval(sweeper);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const relay of relays) relay.close();
      await closed;
    },
  };
}
