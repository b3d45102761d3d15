/**
 * Runs a plugin executable once: the request on stdin, stdout and stderr collected up to a cap,
 * killed after a timeout or when the signal aborts. Never throws for a non-zero exit: the
 * caller reads the code and stderr.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { AbortedError, NotFoundError, SizeExceededError, TimeoutError } from "../errors.ts";

/** Options of {@linkcode runPluginProcess}. */
export interface RunPluginProcessOptions {
  /** The request bytes written to stdin. */
  stdin: Uint8Array;
  /** Largest stdout and stderr each (notation's cap is 64 MiB). */
  maxOutputBytes: number;
  /** Milliseconds before the process is killed. */
  timeoutMs: number;
  /** Kills the process when aborted. */
  signal?: AbortSignal;
}

/** What a plugin run produced. */
export interface PluginProcessResult {
  /** Exit code (a signal counts as 1). */
  code: number;
  /** Standard output. */
  stdout: Uint8Array;
  /** Standard error. */
  stderr: Uint8Array;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Runs `path command` with the request on stdin.
 *
 * @example
 * ```ts ignore
 * import { runPluginProcess } from "./plugin_process.ts";
 * const r = await runPluginProcess("/p/notation-x", "get-plugin-metadata", {
 *   stdin: new TextEncoder().encode("{}"), maxOutputBytes: 64 << 20, timeoutMs: 60_000,
 * });
 * ```
 * @param path The executable.
 * @param command The plugin command (its only argument).
 * @param options Request, caps, timeout, cancellation.
 * @returns Exit code and output.
 * @throws {NotFoundError} ERR_NOT_FOUND when the executable cannot be started.
 * @throws {TimeoutError} ERR_TIMEOUT when it runs longer than the timeout.
 * @throws {SizeExceededError} ERR_SIZE_EXCEEDED when it writes more than the cap.
 * @throws {AbortedError} ERR_ABORTED when the signal aborts.
 */
export function runPluginProcess(
  path: string,
  command: string,
  options: RunPluginProcessOptions,
): Promise<PluginProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, [command], { stdio: ["pipe", "pipe", "pipe"] });
    const out: Uint8Array[] = [];
    const err: Uint8Array[] = [];
    const size = { out: 0, err: 0 };
    let failure: Error | undefined;
    const fail = (e: Error): void => {
      failure ??= e;
      child.kill("SIGKILL");
    };
    const timer = setTimeout(
      () =>
        fail(
          new TimeoutError(
            `plugin ${path} ${command} did not answer within ${options.timeoutMs / 1000} s`,
          ),
        ),
      options.timeoutMs,
    );
    const onAbort = (): void => fail(new AbortedError(`plugin ${path} ${command} was interrupted`));
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const collect = (into: Uint8Array[], which: "out" | "err") => (chunk: Uint8Array) => {
      size[which] += chunk.length;
      if (size[which] > options.maxOutputBytes) {
        fail(
          new SizeExceededError(
            `the std${which} of plugin ${path} ${command}`,
            size[which],
            options.maxOutputBytes,
          ),
        );
        return;
      }
      into.push(chunk);
    };
    child.stdout.on("data", collect(out, "out"));
    child.stderr.on("data", collect(err, "err"));
    child.stdin.on("error", () => {}); // a plugin may exit without reading its request
    child.on("error", (e) => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      reject(new NotFoundError(`cannot run plugin ${path}: ${e.message}`, { cause: e }));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      if (failure) reject(failure);
      else resolve({ code: code ?? 1, stdout: concat(out), stderr: concat(err) });
    });
    child.stdin.end(options.stdin);
  });
}
