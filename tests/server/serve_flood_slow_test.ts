/**
 * serve under a flood: 300 half-sent requests with 256 open files, under Deno and Bun (a few s:
 * `deno task test:slow`).
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { within } from "../_helpers/deadline.ts";
import { findPeer } from "../_helpers/peers.ts";
import { startServeProcess } from "./_serve_process.ts";
import { closedByServer, openHalfRequests, ping } from "./_hostile_clients.ts";

const bun = findPeer("bun");

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
  name: "serve (bun run) under 300 half-sent requests and 256 open files keeps answering",
  ignore: bun === undefined,
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "ocisign-serve-flood-" });
    const server = await startServeProcess(
      { name: "bun", exec: bun! },
      [root, "--addr", "127.0.0.1:0", "--max-connections", "32", "--header-timeout", "1"],
      256,
    );
    const conns: Deno.Conn[] = [];
    try {
      // More connections than the process may open: the rest wait in the listen backlog.
      conns.push(...await openHalfRequests(server.host, 300));
      // A real client is served while the flood holds its connections open.
      assertEquals(await ping(server.host), 200);
      await within(Promise.all(conns.map(closedByServer)), 30_000, "closing 300 idle connections");
      assertEquals(await ping(server.host), 200);
      assert(!server.exited(), `the server died: ${server.stderr()}`);
      assert(!/uncaught|panic|error/i.test(server.stderr()), server.stderr());
    } finally {
      for (const c of conns) c.close();
      await server.stop();
      await Deno.remove(root, { recursive: true });
    }
  },
});
