/**
 * notation plugins on this machine: the plugin directory (`<config dir>/plugins/<name>/
 * notation-<name>`, notation's layout, so one installation serves both tools), and running a
 * plugin as a {@linkcode PluginRunner} with notation's 64 MiB output caps and a timeout
 * (`OCISIGN_PLUGIN_TIMEOUT` seconds, default 120).
 *
 * @module
 */
import { fromUtf8, utf8 } from "../_internal/bytes.ts";
import { InvalidInputError, NotFoundError } from "../errors.ts";
import { openPluginSigner, pluginFailure } from "../plugin/mod.ts";
import type { PluginRunner } from "../plugin/mod.ts";
import type { EnvelopeSigner } from "../sign/premade_envelope.ts";
import type { Signer } from "../signature/signer.ts";
import { UsageError } from "./_args.ts";
import { configPaths, joinPath } from "./config/config_dir.ts";
import type { CliIo } from "./io.ts";

/** notation's cap on a plugin's stdout and stderr. */
const MAX_PLUGIN_OUTPUT = 64 << 20;

/** Default seconds a plugin may take for one command. */
const DEFAULT_TIMEOUT_SECONDS = 120;

const PLUGIN_NAME_REGEXP = /^[a-zA-Z0-9_.-]+$/;

/**
 * The plugin directory of the configuration directory.
 * @param io The environment.
 * @returns `<config dir>/plugins`.
 */
export function pluginsDir(io: CliIo): string {
  return joinPath(configPaths(io).root, "plugins");
}

/**
 * The executable path of an installed plugin.
 * @throws {UsageError} ERR_USAGE for a name that is not a plain file name.
 */
export function pluginExecutable(io: CliIo, name: string): string {
  if (!PLUGIN_NAME_REGEXP.test(name) || name === "." || name === "..") {
    throw new UsageError(`plugin name ${JSON.stringify(name)} must match [a-zA-Z0-9_.-]+`);
  }
  return joinPath(pluginsDir(io), name, `notation-${name}`);
}

/**
 * A runner for an installed plugin.
 * @throws {NotFoundError} ERR_NOT_FOUND when the plugin is not installed.
 */
export async function pluginRunner(io: CliIo, name: string): Promise<PluginRunner> {
  const path = pluginExecutable(io, name);
  const info = await io.fs.stat(path);
  if (info === undefined) {
    throw new NotFoundError(
      `plugin ${
        JSON.stringify(name)
      } not found: ${path} does not exist; install it with 'ocisign plugin install --file notation-${name}'`,
    );
  }
  return executableRunner(io, name, path);
}

/**
 * A runner for the plugin executable at `path` (installed or about to be).
 * @param io The environment (`OCISIGN_PLUGIN_TIMEOUT`, cancellation).
 * @param name The plugin's name, for messages.
 * @param path The executable.
 * @returns The runner.
 */
export function executableRunner(io: CliIo, name: string, path: string): PluginRunner {
  const seconds = Number(io.env("OCISIGN_PLUGIN_TIMEOUT") ?? DEFAULT_TIMEOUT_SECONDS);
  const timeoutMs = (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_TIMEOUT_SECONDS) *
    1000;
  return {
    async run(command, request) {
      // Loaded when a plugin runs: it brings node:child_process (Deno's Node set-up, about
      // 15 ms), which signing with a key does without (`+ ""`: see commands/registry.ts).
      const { runPluginProcess } = await import(
        "../runtime/plugin_process.ts" + ""
      ) as typeof import("../runtime/plugin_process.ts");
      const r = await runPluginProcess(path, command, {
        stdin: utf8(JSON.stringify(request)),
        maxOutputBytes: MAX_PLUGIN_OUTPUT,
        timeoutMs,
        signal: io.signal,
      });
      if (r.code !== 0) throw pluginFailure(name, command, r.code, r.stderr);
      try {
        return JSON.parse(fromUtf8(r.stdout));
      } catch {
        throw new InvalidInputError(
          `plugin ${JSON.stringify(name)} ${command} wrote something that is not JSON to stdout`,
        );
      }
    },
  };
}

/** A key of a plugin: `--plugin NAME --id KEY [--plugin-config k=v]`, or a stored plugin key. */
export interface PluginKeyReference {
  /** The plugin's name. */
  plugin: string;
  /** The key id. */
  id: string;
  /** The plugin configuration. */
  pluginConfig?: Record<string, string>;
}

/**
 * Opens a signer through an installed plugin: raw signatures, or whole envelopes.
 *
 * @example
 * ```ts ignore
 * const signer = await pluginSigner(io, { plugin: "azure-kv", id: "https://..." });
 * ```
 */
export async function pluginSigner(
  io: CliIo,
  ref: PluginKeyReference,
): Promise<Signer | EnvelopeSigner> {
  return await openPluginSigner({
    plugin: ref.plugin,
    runner: await pluginRunner(io, ref.plugin),
    keyId: ref.id,
    ...(ref.pluginConfig ? { pluginConfig: ref.pluginConfig } : {}),
  });
}
