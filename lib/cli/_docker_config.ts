/**
 * Docker's `config.json` (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`), where
 * registry credentials live, as docker and oras keep them.
 *
 * @module
 */
import type { DockerConfigDocument } from "../registry/docker_login.ts";
import { absolutePath, joinPath } from "./config/config_dir.ts";
import type { CliIo } from "./io.ts";

/** Where Docker's `config.json` is. */
export function dockerConfigPath(io: CliIo): string {
  const dir = io.env("DOCKER_CONFIG");
  return dir
    ? joinPath(absolutePath(io.cwd, dir), "config.json")
    : joinPath(io.home, ".docker", "config.json");
}

/**
 * Reads Docker's `config.json`; `undefined` when there is none.
 * @throws {ConfigError} ERR_CONFIG when it is not a JSON object.
 */
export async function readDockerConfig(io: CliIo): Promise<DockerConfigDocument | undefined> {
  const path = dockerConfigPath(io);
  const stat = await io.fs.stat(path);
  if (!stat?.isFile) return undefined;
  const text = new TextDecoder().decode(await io.fs.readFile(path, { maxBytes: 4 << 20 }));
  // Loaded here, not by every command that opens a target (`+ ""`: see commands/registry.ts).
  const { parseDockerConfig } = await import(
    "../registry/credentials.ts" + ""
  ) as typeof import("../registry/credentials.ts");
  return parseDockerConfig(text) as DockerConfigDocument;
}

/** Writes Docker's `config.json` atomically, readable by the user only (it holds secrets). */
export async function writeDockerConfig(io: CliIo, config: DockerConfigDocument): Promise<void> {
  const path = dockerConfigPath(io);
  await io.fs.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true, mode: 0o700 });
  await io.fs.writeFileAtomic(
    path,
    new TextEncoder().encode(JSON.stringify(config, null, "\t") + "\n"),
    {
      mode: 0o600,
    },
  );
}
