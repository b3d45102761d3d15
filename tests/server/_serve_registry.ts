/**
 * Serves a registry over layouts in `argv[2]` with `serveHttp`, for tests that run the server in
 * another runtime (`bun run tests/server/_serve_registry.ts <root>`). Prints the port, then
 * serves until stdin closes.
 *
 * @module
 */
import process from "node:process";
import { serveHttp } from "../../lib/runtime/http_server.ts";
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { createLayoutRepositoryProvider, createRegistryHandler } from "../../lib/server/mod.ts";

const root = process.argv[2]!;
const repositories = createLayoutRepositoryProvider({
  root,
  fs: nodeFs,
  hasher: nodeHasherFactory,
});
const server = await serveHttp(
  createRegistryHandler({ repositories, hasher: nodeHasherFactory }),
  { port: 0 },
);
process.stdout.write(`${server.port}\n`);
process.stdin.resume();
process.stdin.on("end", async () => {
  await server.close();
  process.exit(0);
});
