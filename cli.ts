/**
 * The ocisign command-line entry: `deno run -A cli.ts <command>`, or the compiled binary. Run as
 * `notation-ocisign <command>` (the name notation gives a plugin), or as
 * `ocisign plugin serve <command>`, it answers notation's plugin contract instead.
 *
 * @module
 */
import process from "node:process";
import { main } from "./lib/cli/main.ts";
import { SELF_PLUGIN_NAME, servePluginCommand } from "./lib/cli/plugin_serve.ts";
import { processIo } from "./lib/cli/process_io.ts";
import { paceGarbageCollection } from "./lib/runtime/gc_pacer.ts";

paceGarbageCollection();
const io = processIo();
const args = process.argv.slice(2);
const invokedAs = process.argv0.slice(process.argv0.lastIndexOf("/") + 1);
const code = invokedAs === `notation-${SELF_PLUGIN_NAME}`
  ? await servePluginCommand(io, args[0])
  : args[0] === "plugin" && args[1] === "serve"
  ? await servePluginCommand(io, args[2])
  : await main(args, io);
// Exit explicitly: a finished command must not wait on idle sockets or timers.
process.exit(code);
