/**
 * What the entry needs of the process (the arguments, the program's name, one line out, the
 * exit), through `Deno` when there is one: under Deno the first use of `node:process` sets up
 * Node compatibility (about 15 ms), which no command's start needs.
 *
 * @module
 */
import { standardWriter } from "../runtime/standard_streams.ts";

// Not `import process from "node:process"`: under Deno even an import that is never called sets
// Node compatibility up. Bun and Node have `process` as a global.
type NodeProcess = typeof import("node:process");

function denoRuntime(): typeof Deno | undefined {
  return (globalThis as { Deno?: typeof Deno }).Deno;
}

function nodeProcess(): NodeProcess {
  return (globalThis as unknown as { process: NodeProcess }).process;
}

/**
 * The arguments after the program name.
 *
 * @example
 * ```ts
 * import { earlyArgs } from "./_early_io.ts";
 * const args = earlyArgs(); // e.g. ["verify", "--oci-layout", "img:v1"]
 * ```
 * @returns The arguments.
 */
export function earlyArgs(): string[] {
  return denoRuntime()?.args.slice() ?? nodeProcess().argv.slice(2);
}

/**
 * Writes `text` to standard output or error, then ends the process with `code`.
 *
 * @example
 * ```ts ignore
 * import { writeAndExit } from "./_early_io.ts";
 * writeAndExit("stdout", "ocisign 0.1.0\n", 0);
 * ```
 * @param stream Where to write.
 * @param text What to write.
 * @param code The exit code.
 */
export function writeAndExit(stream: "stdout" | "stderr", text: string, code: number): never {
  // A plain write, not process.stdout: under Bun that stream's first use loads its whole stream
  // library (a few milliseconds of `--version`).
  standardWriter(stream)(text);
  return exitProcess(code);
}

/**
 * The name the program was started as, without its directory (`notation-ocisign` when notation
 * runs it as a plugin). Under Deno it is `deno`: ocisign's binaries are built with Bun, and
 * asking Deno for its executable's path costs a permission check and a path resolution.
 *
 * @example
 * ```ts
 * import { programName } from "./_early_io.ts";
 * console.log(programName()); // e.g. "deno" or "ocisign"
 * ```
 * @returns The name.
 */
export function programName(): string {
  if (denoRuntime() !== undefined) return "deno";
  const path = nodeProcess().argv0;
  return path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
}

/**
 * Ends the process with `code`.
 *
 * @example
 * ```ts ignore
 * import { exitProcess } from "./_early_io.ts";
 * exitProcess(0);
 * ```
 * @param code The exit code.
 */
export function exitProcess(code: number): never {
  const deno = denoRuntime();
  return deno !== undefined ? deno.exit(code) : nodeProcess().exit(code);
}
