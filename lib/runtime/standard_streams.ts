/**
 * Standard output and error without `process.stdout`/`process.stderr` where that is safe: under
 * Bun, their first use loads its whole stream library, a few milliseconds of every command.
 * Writes are plain `write` calls while they succeed. When one fails (a non-blocking pipe that is
 * full, a closed pipe), that write and all later ones go through `process.stdout`/`process.stderr`
 * as before, so the order is kept and errors behave as they always did. Under Deno the plain
 * writes are `Deno.stdout.writeSync` and nothing loads `node:` modules unless a write fails
 * (Deno sets Node compatibility up on the first one, about 15 ms of every start).
 *
 * @module
 */
type NodeProcess = typeof import("node:process");

const FDS = { stdout: 1, stderr: 2 } as const;
const deno = (globalThis as { Deno?: typeof Deno }).Deno;

/** `process`, looked up when used: under Deno its first use sets Node compatibility up. */
function nodeProcess(): NodeProcess {
  return (globalThis as unknown as { process: NodeProcess }).process;
}

let fsModule: typeof import("node:fs") | undefined;

function nodeFsModule(): typeof import("node:fs") {
  fsModule ??= nodeProcess().getBuiltinModule("node:fs");
  return fsModule;
}

/**
 * Whether a character device is one of Linux's memory devices (major number 1: `/dev/null`,
 * `/dev/zero`, ...), which are never terminals.
 */
function isMemoryDevice(rdev: number): boolean {
  return nodeProcess().platform === "linux" && ((rdev >> 8) & 0xfff) === 1;
}

/**
 * Whether a standard stream is a terminal. Only a character device can be one (a pipe, a file or
 * `/dev/null`, as in scripts and tests, is answered without `process`: under Bun
 * `process.stdout` loads its stream library); for another character device (a terminal)
 * `process.stdout.isTTY` decides.
 *
 * @example
 * ```ts ignore
 * import { isTerminal } from "./standard_streams.ts";
 * const colour = isTerminal("stdout");
 * ```
 * @param stream The stream.
 * @returns True when it is a terminal.
 */
export function isTerminal(stream: "stdout" | "stderr"): boolean {
  if (deno !== undefined) return deno[stream].isTerminal();
  let device = true;
  try {
    const st = nodeFsModule().fstatSync(FDS[stream]);
    device = st.isCharacterDevice() && !isMemoryDevice(st.rdev);
  } catch {
    // Not known: ask process.
  }
  return device && Boolean(nodeProcess()[stream].isTTY);
}

/**
 * Makes the writer of one standard stream.
 *
 * @example
 * ```ts ignore
 * import { standardWriter } from "./standard_streams.ts";
 * const stdout = standardWriter("stdout");
 * stdout("done\n");
 * ```
 * @param stream The stream to write to.
 * @returns A function that writes `text` to it.
 */
export function standardWriter(stream: "stdout" | "stderr"): (text: string) => void {
  const fd = FDS[stream];
  const writeSync = deno !== undefined
    ? (bytes: Uint8Array) => deno[stream].writeSync(bytes)
    : (bytes: Uint8Array) => nodeFsModule().writeSync(fd, bytes);
  const encoder = new TextEncoder();
  let direct = true;
  return (text) => {
    if (!direct) return void nodeProcess()[stream].write(text);
    const bytes = encoder.encode(text);
    let done = 0;
    try {
      while (done < bytes.length) done += writeSync(bytes.subarray(done));
    } catch {
      direct = false;
      nodeProcess()[stream].write(bytes.subarray(done));
    }
  };
}
