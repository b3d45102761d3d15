/**
 * Serves the embedded registry over layout directories for the conformance suite (and manual
 * testing), under Deno or Bun:
 * `deno run -A scripts/conformance/serve.ts --root <dir> [--port 0] [--hostname 127.0.0.1] [--log]`
 * (or `bun run scripts/conformance/serve.ts ...`). Prints `listening <host>:<port>` on stdout once
 * it accepts connections; stops on SIGINT/SIGTERM.
 *
 * @module
 */
import process from "node:process";
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { serveHttp } from "../../lib/runtime/http_server.ts";
import { createLayoutRepositoryProvider, createRegistryHandler } from "../../lib/server/mod.ts";

const args = process.argv.slice(2);

function argValue(name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

const root = argValue("--root");
if (root === undefined) {
  console.error("usage: serve.ts --root <dir> [--port <n>] [--hostname <addr>] [--log]");
  process.exit(2);
}
const hostname = argValue("--hostname") ?? "127.0.0.1";
const port = Number(argValue("--port") ?? "0");
const verbose = args.includes("--log");

const repositories = createLayoutRepositoryProvider({
  root,
  fs: nodeFs,
  hasherFactory: nodeHasherFactory,
});
const handler = createRegistryHandler({
  hasherFactory: nodeHasherFactory,
  repositories,
  log: (e) => {
    if (verbose || e.status >= 500) {
      console.error(
        `${e.method} ${e.path} ${e.status} ${e.bytes}B ${e.ms}ms${e.error ? ` ${e.error}` : ""}`,
      );
    }
  },
});
const server = await serveHttp(handler, { hostname, port });
console.log(`listening ${server.hostname}:${server.port}`);

const { promise: stop, resolve } = Promise.withResolvers<void>();
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => resolve());
await stop;
await server.close();
process.exit(0);
