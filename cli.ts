/**
 * The ocisign command-line entry: `deno run -A cli.ts <command>`, or the compiled binary.
 * Permissions are checked before the command line loads (a package it uses reads the environment
 * as it loads), so a missing `--allow-*` flag is named instead of ending in a stack trace.
 *
 * @module
 */
import process from "node:process";
import { DENO_PERMISSIONS, missingStartupPermissions } from "./lib/cli/permissions.ts";

const missing = missingStartupPermissions();
if (missing.length > 0) {
  process.stderr.write(
    `Error: ocisign needs ${missing.join(" and ")}. Run deno with ${DENO_PERMISSIONS} (or -A).\n`,
  );
  process.exit(2);
}
const { main } = await import("./lib/cli/main.ts");
const { processIo } = await import("./lib/cli/process_io.ts");
const { paceGarbageCollection } = await import("./lib/runtime/gc_pacer.ts");

paceGarbageCollection();
const io = processIo();
const code = await main(process.argv.slice(2), io);
// Exit explicitly: a finished command must not wait on idle sockets or timers.
process.exit(code);
