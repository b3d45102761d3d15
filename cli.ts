/**
 * The ocisign command-line entry: `deno run -A cli.ts <command>`, or the compiled binary.
 *
 * @module
 */
import process from "node:process";
import { main } from "./lib/cli/main.ts";
import { processIo } from "./lib/cli/process_io.ts";
import { paceGarbageCollection } from "./lib/runtime/gc_pacer.ts";

paceGarbageCollection();
const io = processIo();
const code = await main(process.argv.slice(2), io);
// Exit explicitly: a finished command must not wait on idle sockets or timers.
process.exit(code);
