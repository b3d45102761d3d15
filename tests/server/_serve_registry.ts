/**
 * Serves a registry over layouts in `argv[2]` with `serveHttp`, for tests that run the server in
 * another runtime (`bun run tests/server/_serve_registry.ts <root> [<cert.pem> <key.pem>]`, HTTPS
 * with a certificate and key). Prints the port, then serves until stdin closes.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { serveHttp } from "../../lib/runtime/http_server.ts";
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { createLayoutRepositoryProvider, createRegistryHandler } from "../../lib/server/mod.ts";

const [root, certPath, keyPath] = process.argv.slice(2);
const repositories = createLayoutRepositoryProvider({
  root: root!,
  fs: nodeFs,
  hasher: nodeHasherFactory,
});
const server = await serveHttp(
  createRegistryHandler({ repositories, hasher: nodeHasherFactory }),
  {
    port: 0,
    ...(certPath === undefined || keyPath === undefined
      ? {}
      : { tls: { cert: readFileSync(certPath, "utf8"), key: readFileSync(keyPath, "utf8") } }),
  },
);
process.stdout.write(`${server.port}\n`);
process.stdin.resume();
process.stdin.on("end", async () => {
  await server.close();
  process.exit(0);
});
