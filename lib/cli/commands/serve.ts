/**
 * `ocisign serve`: serves the layouts under a directory as an OCI Distribution 1.1 registry
 * (ROOT/<repository>/ is an OCI image layout).
 *
 * @module
 */
import { defineCommand } from "../command.ts";
import type { ArgsDef, CommandDef } from "../command.ts";
import { serveHttp } from "../../runtime/http_server.ts";
import { createLayoutRepositoryProvider } from "../../server/layout_repository_provider.ts";
import { createRegistryHandler } from "../../server/registry_handler.ts";
import type { RequestLogEntry } from "../../server/registry_handler.ts";
import { NotFoundError } from "../../errors.ts";
import { outputArgs, parsePositiveInt, parseSecondsMs, UsageError } from "../_args.ts";
import { absolutePath } from "../config/config_dir.ts";
import type { CliIo } from "../io.ts";
import { htpasswdAuth, parseHtpasswd } from "../serve/htpasswd.ts";

const args = {
  root: {
    type: "positional",
    required: true,
    description: "Directory holding one layout per repository",
  },
  addr: {
    type: "string",
    default: "127.0.0.1:5000",
    description: "Address to listen on (host:port; port 0 picks one)",
  },
  "read-only": { type: "boolean", description: "Refuse pushes and deletes" },
  htpasswd: {
    type: "string",
    description: "Require Basic auth against this htpasswd file (bcrypt)",
  },
  "tls-cert": { type: "string", description: "PEM certificate chain for HTTPS" },
  "tls-key": { type: "string", description: "PEM private key for HTTPS" },
  create: { type: "boolean", description: "Create the directory when it does not exist" },
  "max-connections": {
    type: "string",
    description: "Most client connections at once (default 128)",
  },
  "header-timeout": {
    type: "string",
    description: "Seconds (fractions allowed) a connection has to send a request head (default 10)",
  },
  "idle-timeout": {
    type: "string",
    description:
      "Seconds (fractions allowed) of silence after which a connection is closed (default 60)",
  },
  ...outputArgs,
} as const satisfies ArgsDef;

function parseAddr(addr: string): { hostname: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]*):(\d{1,5})$/.exec(addr);
  if (!m || Number(m[2]) > 65535) {
    throw new UsageError(`--addr expects host:port, got ${JSON.stringify(addr)}`);
  }
  return { hostname: m[1]!.replace(/^\[|\]$/g, "") || "127.0.0.1", port: Number(m[2]) };
}

/**
 * Builds the `serve` command; it runs until interrupted.
 * @param io The environment.
 * @returns The command.
 */
export function serveCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "serve",
      description: "Serve OCI layouts as an OCI Distribution 1.1 registry",
      examples: [
        "ocisign serve ./registry --addr 127.0.0.1:5000",
        "ocisign serve ./registry --read-only --htpasswd ./htpasswd --tls-cert cert.pem --tls-key key.pem",
      ],
    },
    args,
    async run({ args }) {
      const { hostname, port } = parseAddr(args.addr);
      if (Boolean(args["tls-cert"]) !== Boolean(args["tls-key"])) {
        throw new UsageError("--tls-cert and --tls-key go together");
      }
      const read = async (path: string) =>
        new TextDecoder().decode(
          await io.fs.readFile(absolutePath(io.cwd, path), { maxBytes: 4 << 20 }),
        );
      const auth = args.htpasswd
        ? htpasswdAuth(parseHtpasswd(await read(args.htpasswd)))
        : undefined;
      const root = absolutePath(io.cwd, args.root);
      const limits = {
        maxConnections: parsePositiveInt(args["max-connections"], "max-connections", 128),
        headersTimeoutMs: parseSecondsMs(args["header-timeout"], "header-timeout", 10),
        idleTimeoutMs: parseSecondsMs(args["idle-timeout"], "idle-timeout", 60),
      };
      const info = await io.fs.stat(root);
      if (info === undefined && args.create) {
        await io.fs.mkdir(root, { recursive: true });
      } else if (info === undefined) {
        throw new NotFoundError(
          `The directory ${root} does not exist; create it, or pass --create to have serve create it`,
        );
      } else if (!info.isDirectory) {
        throw new UsageError(`${root} is not a directory; serve needs a directory of layouts`);
      }
      const json = args.output === "json";
      const handler = createRegistryHandler({
        repositories: createLayoutRepositoryProvider({ root, fs: io.fs, hasher: io.hasher }),
        hasher: io.hasher,
        readOnly: Boolean(args["read-only"]),
        log: (e: RequestLogEntry) =>
          io.stderr(
            json
              ? JSON.stringify(e) + "\n"
              : `${e.method} ${e.path} ${e.status} ${e.bytes} ${e.ms}ms\n`,
          ),
        ...(auth ? { auth } : {}),
      });
      const tls = args["tls-cert"] && args["tls-key"]
        ? { cert: await read(args["tls-cert"]), key: await read(args["tls-key"]) }
        : undefined;
      const server = await serveHttp(handler, {
        hostname,
        port,
        ...limits,
        ...(tls ? { tls } : {}),
      });
      const url = `${tls ? "https" : "http"}://${server.hostname}:${server.port}`;
      io.stdout(
        json ? JSON.stringify({ listening: url, root }) + "\n" : `Serving ${root} at ${url}\n`,
      );
      await new Promise<void>((resolve) => {
        if (io.signal.aborted) resolve();
        io.signal.addEventListener("abort", () => resolve(), { once: true });
      });
      await server.close();
    },
  });
}
