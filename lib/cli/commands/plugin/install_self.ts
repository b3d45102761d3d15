/**
 * `ocisign plugin install-self [--force]`: installs this ocisign as notation's plugin
 * `notation-ocisign` (RAW signing with PKCS#11 keys). The compiled binary copies itself; under
 * Deno or `bun run`, a small script that runs this checkout's `cli.ts` is installed instead.
 *
 * @module
 */
import process from "node:process";
import { defineCommand } from "../../command.ts";
import type { ArgsDef, CommandDef } from "../../command.ts";
import { type Bytes, utf8 } from "../../../_internal/bytes.ts";
import type { CliIo } from "../../io.ts";
import { SELF_PLUGIN_NAME } from "../../plugin_serve.ts";
import { outputArgs } from "../../_args.ts";
import { writeInstalled } from "./_install.ts";

/** Largest executable copied. */
const MAX_BINARY_BYTES = 512 << 20;

const args = {
  force: { type: "boolean", description: "Replace an installed ocisign plugin" },
  ...outputArgs,
} as const satisfies ArgsDef;

/** Quotes a string for a POSIX shell. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The bytes to install: this binary, or a script that runs this checkout's CLI. */
async function selfExecutable(io: CliIo): Promise<Bytes> {
  const script = process.argv[1] ?? "";
  const deno = (globalThis as { Deno?: unknown }).Deno !== undefined;
  if (!deno && (script.startsWith("/$bunfs/") || script.startsWith("B:/~BUN/"))) {
    return await io.fs.readFile(process.execPath, { maxBytes: MAX_BINARY_BYTES });
  }
  const cli = new URL("../../../../cli.ts", import.meta.url).pathname;
  const config = new URL("../../../../deno.json", import.meta.url).pathname;
  const run = deno ? `run -A --node-modules-dir=manual --config ${shellQuote(config)}` : "run";
  return utf8(
    `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${run} ${shellQuote(cli)} plugin serve "$@"\n`,
  );
}

/**
 * Builds `plugin install-self`.
 *
 * @example
 * ```ts ignore
 * const cmd = pluginInstallSelfCommand(io);
 * ```
 * @param io The environment.
 * @returns The command.
 */
export function pluginInstallSelfCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "install-self",
      description:
        "Install ocisign as notation's PKCS#11 plugin (notation-ocisign), in the plugin directory",
      examples: ["ocisign plugin install-self", "ocisign plugin install-self --force -o json"],
    },
    args,
    async run({ args }): Promise<void> {
      const plugin = { name: SELF_PLUGIN_NAME, bytes: await selfExecutable(io), files: [] };
      await writeInstalled(io, args.output, plugin, args.force === true);
    },
  });
}
