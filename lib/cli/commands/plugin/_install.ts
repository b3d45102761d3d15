/**
 * Installs a plugin executable the way notation lays it out, checking it first: the bytes are
 * staged in the plugin directory, run once (`get-plugin-metadata` must answer with the expected
 * name and contract 1.0), and only then put in place atomically.
 *
 * @module
 */
import { AlreadyExistsError } from "../../../errors.ts";
import { checkMetadata } from "../../../plugin/protocol.ts";
import type { PluginMetadata } from "../../../plugin/protocol.ts";
import { executableRunner, pluginExecutable, pluginsDir } from "../../_plugin.ts";
import { joinPath } from "../../config/config_dir.ts";
import type { CliIo } from "../../io.ts";

/**
 * Installs `bytes` as plugin `name`.
 * @param io The environment.
 * @param name The plugin's name.
 * @param bytes The executable (a binary or a script).
 * @param force Whether an installed plugin of that name is replaced.
 * @returns The plugin's metadata.
 * @throws {AlreadyExistsError} ERR_ALREADY_EXISTS when installed and not `force`.
 * @throws {InvalidInputError} ERR_INVALID_INPUT when the executable does not answer as plugin `name`.
 */
export async function installPlugin(
  io: CliIo,
  name: string,
  bytes: Uint8Array,
  force: boolean,
): Promise<PluginMetadata> {
  const dest = pluginExecutable(io, name);
  if (!force && await io.fs.stat(dest) !== undefined) {
    throw new AlreadyExistsError(
      `plugin ${JSON.stringify(name)} is already installed at ${dest}; use --force to replace it`,
    );
  }
  const staging = joinPath(pluginsDir(io), ".staging", `notation-${name}`);
  await io.fs.mkdir(joinPath(pluginsDir(io), ".staging"), { recursive: true, mode: 0o700 });
  try {
    await io.fs.writeFileAtomic(staging, new Uint8Array(bytes), { mode: 0o755 });
    const metadata = checkMetadata(
      await executableRunner(io, name, staging).run("get-plugin-metadata", {}),
      name,
    );
    await io.fs.mkdir(joinPath(pluginsDir(io), name), { recursive: true, mode: 0o700 });
    await io.fs.writeFileAtomic(dest, new Uint8Array(bytes), { mode: 0o755 });
    return metadata;
  } finally {
    await io.fs.remove(joinPath(pluginsDir(io), ".staging"), { recursive: true });
  }
}
