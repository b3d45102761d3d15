/**
 * `ocisign plugin install (--file FILE | --url URL) [--sha256sum HEX] [--force]`: installs a
 * plugin executable named `notation-<name>`, given as is or inside a zip or tar.gz archive (the
 * checksum is the archive's), into `<config dir>/plugins/<name>/`, where notation finds it too.
 * An archive's other regular files (LICENSE, libraries) are installed beside the executable, as
 * notation installs them. A download must be https and needs `--sha256sum`, as in notation.
 *
 * @module
 */
import { defineCommand } from "../../command.ts";
import type { ArgsDef, CommandDef } from "../../command.ts";
import type { Bytes } from "../../../_internal/bytes.ts";
import { readBounded } from "../../../content/_streams.ts";
import { DigestMismatchError, RegistryError } from "../../../errors.ts";
import { extractPluginArchive, pluginArchiveKind } from "../../../plugin/plugin_archive.ts";
import type { ArchivedPlugin } from "../../../plugin/plugin_archive.ts";
import { outputArgs, UsageError } from "../../_args.ts";
import { absolutePath } from "../../config/config_dir.ts";
import type { CliIo } from "../../io.ts";
import { writeInstalled } from "./_install.ts";

/** Largest plugin executable read. */
const MAX_PLUGIN_BYTES = 512 << 20;

const args = {
  file: {
    type: "string",
    description: "The plugin executable, named notation-<name>, or a zip or tar.gz holding it",
  },
  url: {
    type: "string",
    description: "Download the plugin executable (or its zip or tar.gz) from this https URL",
  },
  sha256sum: {
    type: "string",
    description: "The expected SHA-256 (hex) of the file or archive; needed with --url",
  },
  force: { type: "boolean", description: "Replace an installed plugin of the same name" },
  ...outputArgs,
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
    meta: {
      name: "install",
      alias: "add",
      description: "Install a notation plugin",
      examples: [
        "ocisign plugin install --file ./notation-azure-kv",
        "ocisign plugin install --file ./wabbit-plugin-v1.0.tar.gz",
        "ocisign plugin install --url https://example.com/notation-x --sha256sum 0123abcd...",
        "ocisign plugin install --file ./notation-azure-kv --force -o json",
      ],
    },
    args,
    async run({ args }): Promise<void> {
      if (Boolean(args.file) === Boolean(args.url)) {
        throw new UsageError("give the plugin with --file notation-<name> or --url URL");
      }
      if (args.url && args.sha256sum === undefined) {
        throw new UsageError("--sha256sum is required with --url");
      }
      const path = args.file ? absolutePath(io.cwd, args.file) : urlPath(args.url!);
      const base = path.slice(path.lastIndexOf("/") + 1);
      const bytes = args.file
        ? await io.fs.readFile(path, { maxBytes: MAX_PLUGIN_BYTES })
        : await download(io, args.url!);
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
      const kind = pluginArchiveKind(bytes);
      let plugin: ArchivedPlugin;
      if (kind !== undefined) plugin = await extractPluginArchive(bytes, kind, io.signal);
      else if (!base.startsWith("notation-") || base === "notation-") {
        throw new UsageError(
          `plugin executable file name must be "notation-<name>", got ${JSON.stringify(base)}`,
        );
      } else plugin = { name: base.slice("notation-".length), bytes, files: [] };
      await writeInstalled(io, args.output, plugin, args.force === true);
    },
  });
}

/** The path of an https URL. */
function urlPath(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--url ${JSON.stringify(text)} is not a URL`);
  }
  if (url.protocol !== "https:") {
    throw new UsageError(`--url must be https, got ${JSON.stringify(url.protocol)}`);
  }
  return decodeURIComponent(url.pathname);
}

/** Downloads the plugin, at most {@linkcode MAX_PLUGIN_BYTES}. */
async function download(io: CliIo, url: string): Promise<Bytes> {
  const response = await io.fetch(url, { signal: io.signal });
  if (!response.ok) {
    await response.body?.cancel();
    throw new RegistryError(
      `cannot download the plugin from ${url}: HTTP ${response.status}`,
      response.status,
    );
  }
  if (response.body === null) return new Uint8Array(0);
  return await readBounded(response.body, {
    limit: MAX_PLUGIN_BYTES,
    what: `the plugin from ${url}`,
    signal: io.signal,
  });
}
