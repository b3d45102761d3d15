/**
 * The ocisign command-line entry: `deno run -A cli.ts <command>`, or the compiled binary. Run as
 * `notation-ocisign <command>` (the name notation gives a plugin), or as
 * `ocisign plugin serve <command>`, it answers notation's plugin contract instead.
 *
 * Permissions are checked before the command line loads (a package it uses reads the environment
 * as it loads), so a missing `--allow-*` flag is named instead of ending in a stack trace.
 *
 * @module
 */
import { DENO_PERMISSIONS, missingStartupPermissions } from "./lib/cli/permissions.ts";
import { earlyArgs, exitProcess, programName, writeAndExit } from "./lib/cli/_early_io.ts";

const missing = missingStartupPermissions();
if (missing.length > 0) {
  writeAndExit(
    "stderr",
    `Error: ocisign needs ${missing.join(" and ")}. Run deno with ${DENO_PERMISSIONS} (or -A).\n`,
    2,
  );
}
const args = earlyArgs();
const { onlyAsksVersion, versionLine } = await import("./lib/cli/version.ts");
if (onlyAsksVersion(args)) writeAndExit("stdout", `${versionLine()}\n`, 0);
const { processIo } = await import("./lib/cli/process_io.ts");
const { paceGarbageCollection } = await import("./lib/runtime/gc_pacer.ts");

paceGarbageCollection();
const io = await processIo();
const invokedAs = programName();
// The plugin side (and the PKCS#11 code it brings) loads only when asked for; `+ ""` keeps Deno
// from parsing its modules at start-up (see lib/cli/commands/registry.ts).
const plugin = invokedAs.startsWith("notation-") || (args[0] === "plugin" && args[1] === "serve")
  ? await import("./lib/cli/plugin_serve.ts" + "") as typeof import("./lib/cli/plugin_serve.ts")
  : undefined;
const code = plugin && invokedAs === `notation-${plugin.SELF_PLUGIN_NAME}`
  ? await plugin.servePluginCommand(io, args[0])
  : plugin && args[0] === "plugin" && args[1] === "serve"
  ? await plugin.servePluginCommand(io, args[2])
  : await (await import("./lib/cli/main.ts")).main(args, io);
// Exit explicitly: a finished command must not wait on idle sockets or timers.
exitProcess(code);
