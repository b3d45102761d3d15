/**
 * Installs a plugin the way notation lays it out, checking it first: the plugin's directory is
 * staged in the plugin directory, its executable run once (`get-plugin-metadata` must answer
 * with the expected name and contract 1.0), and only then renamed into place.
 *
 * @module
 */
import { AlreadyExistsError } from "../../../errors.ts";
import { checkMetadata } from "../../../plugin/protocol.ts";
import type { PluginMetadata } from "../../../plugin/protocol.ts";
import type { ArchivedPlugin, PluginFile } from "../../../plugin/plugin_archive.ts";
import { executableRunner, pluginExecutable, pluginsDir } from "../../_plugin.ts";
import { joinPath } from "../../config/config_dir.ts";
import type { CliIo } from "../../io.ts";
import { writeResult } from "../../output.ts";

/**
 * Installs plugin `name`: its executable and the files that came with it (an archive's LICENSE
 * and libraries, as notation installs them). The directory is built beside the plugin
 * directory, the executable answers `get-plugin-metadata`, and only then does it replace the
 * plugin's directory (an older installation's files go with it, as in notation).
 * @param io The environment.
 * @param name The plugin's name.
 * @param bytes The executable (a binary or a script).
 * @param force Whether an installed plugin of that name is replaced.
 * @param files Other files for the plugin's directory.
 * @returns The plugin's metadata and the installed executable's path.
 * @throws {AlreadyExistsError} ERR_ALREADY_EXISTS when installed and not `force`.
 * @throws {InvalidInputError} ERR_INVALID_INPUT when the executable does not answer as plugin `name`.
 */
export async function installPlugin(
  io: CliIo,
  name: string,
  bytes: Uint8Array,
  force: boolean,
  files: readonly PluginFile[] = [],
): Promise<{ metadata: PluginMetadata; path: string }> {
  const dest = pluginExecutable(io, name);
  if (!force && await io.fs.stat(dest) !== undefined) {
    throw new AlreadyExistsError(
      `plugin ${JSON.stringify(name)} is already installed at ${dest}; use --force to replace it`,
    );
  }
  const root = pluginsDir(io);
  await io.fs.mkdir(root, { recursive: true, mode: 0o700 });
  const staging = await io.fs.makeTempDir(root, ".staging-");
  try {
    const dir = joinPath(staging, name);
    await io.fs.mkdir(dir, { mode: 0o700 });
    const executable = `notation-${name}`;
    for (const file of files.filter((f) => f.name !== executable)) {
      await io.fs.writeFileAtomic(joinPath(dir, file.name), new Uint8Array(file.bytes), {
        mode: file.mode,
      });
    }
    const staged = joinPath(dir, executable);
    await io.fs.writeFileAtomic(staged, new Uint8Array(bytes), { mode: 0o755 });
    const metadata = checkMetadata(
      await executableRunner(io, name, staged).run("get-plugin-metadata", {}),
      name,
    );
    const target = joinPath(root, name);
    const old = joinPath(staging, "old");
    const replacing = await io.fs.stat(target) !== undefined;
    if (replacing) await io.fs.rename(target, old);
    try {
      await io.fs.rename(dir, target);
    } catch (err) {
      if (replacing) await io.fs.rename(old, target); // the installed plugin stays
      throw err;
    }
    return { metadata, path: dest };
  } finally {
    await io.fs.remove(staging, { recursive: true });
  }
}

/**
 * Installs `plugin` and reports it: notation's `Successfully installed plugin ...` line, or with
 * `-o json` the document `{"name", "version", "path", "files"}` (`files`: the other files
 * installed, by name).
 *
 * @example
 * ```ts ignore
 * await writeInstalled(io, args.output, { name: "x", bytes, files: [] }, false);
 * ```
 * @param io The environment.
 * @param format The `--output` value.
 * @param plugin The executable and its files.
 * @param force Whether an installed plugin of that name is replaced.
 */
export async function writeInstalled(
  io: CliIo,
  format: string | undefined,
  plugin: ArchivedPlugin,
  force: boolean,
): Promise<void> {
  const { metadata, path } = await installPlugin(
    io,
    plugin.name,
    plugin.bytes,
    force,
    plugin.files,
  );
  writeResult(
    io,
    format,
    `Successfully installed plugin ${metadata.name}, version ${metadata.version}\n`,
    {
      name: metadata.name,
      version: metadata.version,
      path,
      files: plugin.files.map((f) => f.name),
    },
  );
}
