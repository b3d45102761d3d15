/**
 * Shared by the serve tests with hostile clients: the runtimes, a server with a short idle
 * timeout, half-sent requests, and how to tell the server closed a connection or still answers.
 *
 * @module
 */
import { findPeer } from "../_helpers/peers.ts";
import { type Runtime, type ServeProcess, startServeProcess } from "./_serve_process.ts";

/** The bun peer, when installed. */
export const bun = findPeer("bun");
/** The runtimes serve is tested under (bun: undefined when it is not installed). */
export const RUNTIMES: Array<{ runtime: Runtime | undefined; label: string }> = [
  { runtime: { name: "deno", exec: Deno.execPath() }, label: "deno run" },
  { runtime: bun === undefined ? undefined : { name: "bun", exec: bun }, label: "bun run" },
];

/**
 * Runs `fn` with a `serve` process on a fresh layout root, started with `--idle-timeout 0.5` (the
 * client's own steps take milliseconds), and one connection to it; stops and removes everything
 * afterwards.
 */
export async function withIdleServer(
  runtime: Runtime,
  name: string,
  fn: (server: ServeProcess, conn: Deno.Conn) => Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: `ocisign-serve-${name}-` });
  const server = await startServeProcess(runtime, [
    root,
    "--addr",
    "127.0.0.1:0",
    "--idle-timeout",
    "0.5",
  ]);
  const [hostname, port] = server.host.split(":");
  const conn = await Deno.connect({ hostname: hostname!, port: Number(port) });
  try {
    await fn(server, conn);
  } finally {
    conn.close();
    await server.stop();
    await Deno.remove(root, { recursive: true });
  }
}

/** Half a request head: the connection then says nothing. */
export const HALF_REQUEST = new TextEncoder().encode("GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\n");

/** Opens `n` connections that each send half a request head and then say nothing. */
export async function openHalfRequests(host: string, n: number): Promise<Deno.Conn[]> {
  const [hostname, port] = host.split(":");
  const conns: Deno.Conn[] = [];
  for (let i = 0; i < n; i++) {
    const conn = await Deno.connect({ hostname: hostname!, port: Number(port) });
    await conn.write(HALF_REQUEST).catch(() => 0);
    conns.push(conn);
  }
  return conns;
}

/** Resolves when the server has closed `conn` (end of stream or reset). */
export async function closedByServer(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(4096);
  try {
    while (await conn.read(buf) !== null) {
      // a 408 or 400 answer before the close is fine
    }
  } catch {
    // reset
  }
}

/** The status of `GET /v2/` on a fresh connection. */
export async function ping(host: string): Promise<number> {
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  try {
    const res = await fetch(`http://${host}/v2/`, { client, signal: AbortSignal.timeout(10_000) });
    await res.body?.cancel();
    return res.status;
  } finally {
    client.close();
  }
}
