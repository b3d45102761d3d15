import { assert, assertEquals } from "../_helpers/assert.ts";
import { cliSandbox } from "../_helpers/cli.ts";
import { within } from "../_helpers/deadline.ts";
import { findPeer } from "../_helpers/peers.ts";
import { runServe, type Runtime, startServeProcess } from "./_serve_process.ts";

const bun = findPeer("bun");
const RUNTIMES: Array<{ runtime: Runtime | undefined; label: string }> = [
  { runtime: { name: "deno", exec: Deno.execPath() }, label: "deno run" },
  { runtime: bun === undefined ? undefined : { name: "bun", exec: bun }, label: "bun run" },
];
const HALF_REQUEST = new TextEncoder().encode("GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\n");

/** Opens `n` connections that each send half a request head and then say nothing. */
async function openHalfRequests(host: string, n: number): Promise<Deno.Conn[]> {
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
async function closedByServer(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(4096);
  try {
    while (await conn.read(buf) !== null) {
      // a 408 or 400 answer before the close is fine
    }
  } catch {
    // reset
  }
}

async function ping(host: string): Promise<number> {
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  try {
    const res = await fetch(`http://${host}/v2/`, { client, signal: AbortSignal.timeout(10_000) });
    await res.body?.cancel();
    return res.status;
  } finally {
    client.close();
  }
}

Deno.test({
  name: "serve (deno run) under 300 half-sent requests and 256 open files keeps answering",
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "ocisign-serve-flood-" });
    const server = await startServeProcess(
      { name: "deno", exec: Deno.execPath() },
      [root, "--addr", "127.0.0.1:0", "--max-connections", "32", "--header-timeout", "1"],
      256,
    );
    const conns: Deno.Conn[] = [];
    try {
      conns.push(...await openHalfRequests(server.host, 300));
      // A real client is served while the flood holds its connections open.
      assertEquals(await ping(server.host), 200);
      // Every half-sent request is closed: evicted at the limit or after the header timeout.
      await within(Promise.all(conns.map(closedByServer)), 20_000, "closing 300 idle connections");
      assertEquals(await ping(server.host), 200);
      assert(!server.exited(), `the server died: ${server.stderr()}`);
      assert(!/uncaught|panicked/i.test(server.stderr()), server.stderr());
    } finally {
      for (const c of conns) c.close();
      await server.stop();
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name: "serve (bun run) closes 300 half-sent requests and survives running out of files",
  ignore: bun === undefined,
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "ocisign-serve-flood-" });
    const server = await startServeProcess(
      { name: "bun", exec: bun! },
      [root, "--addr", "127.0.0.1:0", "--idle-timeout", "1"],
      256,
    );
    const conns: Deno.Conn[] = [];
    try {
      // More connections than the process may open: the rest wait in the listen backlog.
      conns.push(...await openHalfRequests(server.host, 300));
      await within(Promise.all(conns.map(closedByServer)), 30_000, "closing 300 idle connections");
      assertEquals(await ping(server.host), 200);
      assert(!server.exited(), `the server died: ${server.stderr()}`);
    } finally {
      for (const c of conns) c.close();
      await server.stop();
      await Deno.remove(root, { recursive: true });
    }
  },
});

for (const { runtime, label } of RUNTIMES) {
  Deno.test({
    name: `serve (${label}) refuses a port another ocisign serve holds, exit 7 naming the address`,
    ignore: runtime === undefined,
    fn: async () => {
      const root = await Deno.makeTempDir({ prefix: "ocisign-serve-port-" });
      const first = await startServeProcess(runtime!, [root, "--addr", "127.0.0.1:0"]);
      try {
        const second = await runServe(runtime!, [root, "--addr", first.host]);
        assertEquals(second.code, 7, second.stderr);
        assert(
          second.stderr.startsWith(
            `Error: cannot listen on ${first.host}: address already in use`,
          ),
          second.stderr,
        );
        // Every request still reaches the first server alone.
        for (let i = 0; i < 4; i++) assertEquals(await ping(first.host), 200);
      } finally {
        await first.stop();
        await Deno.remove(root, { recursive: true });
      }
    },
  });
}

Deno.test("serve on a missing directory says so (exit 5) and creates it only with --create", async () => {
  const sb = await cliSandbox();
  try {
    const missing = await sb.run("serve", "./nope", "--addr", "127.0.0.1:0");
    assertEquals(missing.code, 5, missing.stderr);
    assert(missing.stderr.includes("nope does not exist"), missing.stderr);
    assert(missing.stderr.includes("--create"), missing.stderr);
    assertEquals(await Deno.stat(`${sb.cwd}/nope`).catch(() => undefined), undefined);

    await Deno.writeTextFile(`${sb.cwd}/file`, "");
    const notDir = await sb.run("serve", "./file", "--addr", "127.0.0.1:0");
    assertEquals(notDir.code, 2, notDir.stderr);
    assert(notDir.stderr.includes("is not a directory"), notDir.stderr);
  } finally {
    await sb.close();
  }
});

Deno.test({
  name: "serve --create makes the missing directory and serves it",
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "ocisign-serve-create-" });
    const server = await startServeProcess({ name: "deno", exec: Deno.execPath() }, [
      `${dir}/made`,
      "--create",
      "--addr",
      "127.0.0.1:0",
    ]);
    try {
      assertEquals(await ping(server.host), 200);
      assert((await Deno.stat(`${dir}/made`)).isDirectory);
    } finally {
      await server.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

for (const { runtime, label } of RUNTIMES) {
  Deno.test({
    name: `serve (${label}) closes a kept-alive connection after --idle-timeout of silence`,
    ignore: runtime === undefined,
    fn: async () => {
      const root = await Deno.makeTempDir({ prefix: "ocisign-serve-idle-" });
      const server = await startServeProcess(runtime!, [
        root,
        "--addr",
        "127.0.0.1:0",
        "--idle-timeout",
        "1",
      ]);
      const [hostname, port] = server.host.split(":");
      const conn = await Deno.connect({ hostname: hostname!, port: Number(port) });
      try {
        await conn.write(new TextEncoder().encode("GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n"));
        const buf = new Uint8Array(4096);
        const n = await conn.read(buf);
        assert(
          n !== null && new TextDecoder().decode(buf.subarray(0, n)).startsWith("HTTP/1.1 200"),
        );
        // Then silence: the server ends the connection (and keeps serving others).
        await within(closedByServer(conn), 20_000, "closing the idle connection");
        assertEquals(await ping(server.host), 200);
      } finally {
        conn.close();
        await server.stop();
        await Deno.remove(root, { recursive: true });
      }
    },
  });
}
