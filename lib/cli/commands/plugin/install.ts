/**
 * `ocisign plugin install --file FILE [--sha256sum HEX] [--force]`: installs a plugin executable
 * named `notation-<name>` into `<config dir>/plugins/<name>/`, where notation finds it too.
 *
 * @module
 */
import { defineCommand } from "citty";
import type { ArgsDef, CommandDef } from "citty";
import { DigestMismatchError } from "../../../errors.ts";
import { UsageError } from "../../_args.ts";
import { absolutePath } from "../../config/config_dir.ts";
import type { CliIo } from "../../io.ts";
import { installPlugin } from "./_install.ts";

/** Largest plugin executable read. */
const MAX_PLUGIN_BYTES = 512 << 20;

const args = {
  file: { type: "string", description: "The plugin executable, named notation-<name>" },
  sha256sum: { type: "string", description: "Its expected SHA-256 (hex)" },
  force: { type: "boolean", description: "Replace an installed plugin of the same name" },
} as const satisfies ArgsDef;

/**
 * Builds `plugin install`.
 *
 * @example
 * ```ts ignore
 * const cmd = pluginInstallCommand(io);
 * ```
 * @param io The environment.
 * @returns The command.
 */
export function pluginInstallCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: { name: "install", alias: "add", description: "Install a notation plugin" },
    args,
    async run({ args }): Promise<void> {
      if (!args.file) throw new UsageError("missing the plugin file: use --file notation-<name>");
      const path = absolutePath(io.cwd, args.file);
      const base = path.slice(path.lastIndexOf("/") + 1);
      if (!base.startsWith("notation-") || base === "notation-") {
        throw new UsageError(
          `plugin executable file name must be "notation-<name>", got ${JSON.stringify(base)}`,
        );
      }
      const bytes = await io.fs.readFile(path, { maxBytes: MAX_PLUGIN_BYTES });
      if (args.sha256sum !== undefined) {
        const h = io.hasher("sha256");
        h.update(bytes);
        const actual = h.digestHex();
        if (actual !== args.sha256sum.toLowerCase()) {
          throw new DigestMismatchError(
            `sha256:${args.sha256sum.toLowerCase()}`,
            `sha256:${actual}`,
          );
        }
      }
      const metadata = await installPlugin(
        io,
        base.slice("notation-".length),
        bytes,
        args.force === true,
      );
      io.stdout(
        `Successfully installed plugin ${metadata.name}, version ${metadata.version}\n`,
      );
    },
  });
}
