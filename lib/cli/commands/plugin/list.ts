/**
 * `ocisign plugin list [--output json]`: the installed plugins and what each says about itself,
 * as `notation plugin list` prints them (a plugin that does not answer shows its error).
 *
 * @module
 */
import { defineCommand } from "../../command.ts";
import type { ArgsDef, CommandDef } from "../../command.ts";
import { checkMetadata } from "../../../plugin/protocol.ts";
import type { PluginMetadata } from "../../../plugin/protocol.ts";
import { outputArgs } from "../../_args.ts";
import { pluginRunner, pluginsDir } from "../../_plugin.ts";
import { renderGoTable } from "../../config/_go_table.ts";
import type { CliIo } from "../../io.ts";
import { writeJson } from "../../output.ts";

const args = { ...outputArgs } as const satisfies ArgsDef;

interface Listed {
  name: string;
  metadata?: PluginMetadata;
  error?: string;
}

async function describe(io: CliIo, name: string): Promise<Listed> {
  try {
    const runner = await pluginRunner(io, name);
    return { name, metadata: checkMetadata(await runner.run("get-plugin-metadata", {}), name) };
  } catch (err) {
    return { name, error: (err as Error).message };
  }
}

/**
 * Builds `plugin list`.
 *
 * @example
 * ```ts ignore
 * const cmd = pluginListCommand(io);
 * ```
 * @param io The environment.
 * @returns The command.
 */
export function pluginListCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "list",
      alias: "ls",
      description: "List the installed plugins",
      examples: ["ocisign plugin list", "ocisign plugin list -o json"],
    },
    args,
    async run({ args }): Promise<void> {
      const dir = pluginsDir(io);
      const entries = await io.fs.stat(dir) === undefined ? [] : await io.fs.readDir(dir);
      const names = entries.filter((e) => e.isDirectory && !e.name.startsWith("."))
        .map((e) => e.name).sort();
      const listed: Listed[] = [];
      for (const name of names) listed.push(await describe(io, name));
      if (args.output === "json") {
        writeJson(io, listed.map((p) => ({ name: p.name, ...p.metadata, error: p.error ?? null })));
        return;
      }
      io.stdout(renderGoTable([
        ["NAME", "DESCRIPTION", "VERSION", "CAPABILITIES", "ERROR"],
        ...listed.map((p) => [
          p.name,
          p.metadata?.description ?? "",
          p.metadata?.version ?? "",
          p.metadata ? `[${p.metadata.capabilities.join(" ")}]` : "",
          p.error ?? "<nil>",
        ]),
      ]));
    },
  });
}
