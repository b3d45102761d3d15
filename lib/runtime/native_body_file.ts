/**
 * Writes a fetched body to a file the runtime's native way ({@linkcode Fs.writeBodyFile}): Bun's
 * `Bun.write` of a `Response`, Deno's `pipeTo` into an open file's `writable`. A pull of blobs
 * then costs no JavaScript stream hops, buffer copies or write promises per chunk; the bytes are
 * checked by reading the growing file in large reads (from the page cache).
 *
 * @module
 */
import type { Fs } from "../content/fs.ts";

interface BunWrite {
  write(dest: unknown, input: Response): Promise<number>;
  file(fd: number): unknown;
}

function denoRuntime(): typeof Deno | undefined {
  return (globalThis as { Deno?: typeof Deno }).Deno;
}

function bunRuntime(): BunWrite | undefined {
  return (globalThis as { Bun?: BunWrite }).Bun;
}

async function writeUnderBun(
  bun: BunWrite,
  path: string,
  body: ReadableStream<Uint8Array>,
  mode: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  // Created here, exclusively; Bun writes through the descriptor (no truncating
  // re-open), and the handle is closed whatever happens. `node:fs/promises` is loaded here, not
  // by this module: under Deno, the first `node:` module sets Node compatibility up.
  const fsp = await import("node:fs/promises");
  signal?.throwIfAborted();
  const handle = await fsp.open(path, "wx", mode);
  // The handle is closed only once Bun's write has ended, even when the signal ends the wait
  // first: a descriptor closed under it could be reused by another file, which would then get
  // the rest of the body.
  const written = bun.write(bun.file(handle.fd), new Response(body))
    .finally(() => handle.close());
  if (signal === undefined) return void await written;
  written.catch(() => {});
  await untilAborted(written, signal);
}

/**
 * Waits for `work`, or rejects with `signal`'s reason as soon as it aborts. Bun's write cannot
 * be stopped from outside (its body is locked), and it stops only when the body does (an
 * aborted fetch, a source that errors on the same signal): the caller stops waiting and removes
 * the partial file; the write may still add to the removed file until its body ends.
 */
function untilAborted(work: Promise<unknown>, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const abort = (): void => reject(signal.reason);
    signal.addEventListener("abort", abort, { once: true });
    work.then(() => resolve(), reject).finally(() => signal.removeEventListener("abort", abort));
  });
}

async function writeUnderDeno(
  deno: typeof Deno,
  path: string,
  body: ReadableStream<Uint8Array>,
  mode: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const file = await deno.open(path, { write: true, createNew: true, mode });
  try {
    // Deno pipes a fetch body into a file in Rust, and closes the file at the end (with
    // `preventClose`, Deno 2.9 drops what a JavaScript source wrote).
    // An aborted fetch does not always interrupt that pipe: the signal does.
    await body.pipeTo(file.writable, signal === undefined ? {} : { signal });
  } catch (err) {
    try {
      file.close();
    } catch {
      // already closed by the aborted pipe
    }
    throw err;
  }
}

/**
 * The runtime's native body-to-file write, with file-system failures mapped by `mapError` (as
 * the rest of the `Fs`); `undefined` where the runtime has none (Node).
 *
 * @example
 * ```ts
 * import { nativeBodyFileWriter } from "./native_body_file.ts";
 * const write = nativeBodyFileWriter((err) => err, () => 0o644);
 * const dir = await Deno.makeTempDir();
 * await write?.(`${dir}/f`, new Blob(["hi"]).stream());
 * if (await Deno.readTextFile(`${dir}/f`) !== "hi") throw new Error("not written");
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @param mapError Turns a file-system error into the typed error the `Fs` reports.
 * @param mode The permission bits of a new file.
 * @returns The writer, or `undefined`.
 */
export function nativeBodyFileWriter(
  mapError: (err: unknown, what: string, path: string) => unknown,
  mode: () => number,
): Fs["writeBodyFile"] {
  const deno = denoRuntime();
  const bun = deno === undefined ? bunRuntime() : undefined;
  if (deno === undefined && bun === undefined) return undefined;
  return async (
    path: string,
    body: ReadableStream<Uint8Array>,
    opts: { signal?: AbortSignal } = {},
  ): Promise<void> => {
    try {
      // Bun's write stops when the fetch behind the body is aborted.
      if (deno !== undefined) await writeUnderDeno(deno, path, body, mode(), opts.signal);
      else await writeUnderBun(bun!, path, body, mode(), opts.signal);
    } catch (err) {
      throw mapError(err, "write", path);
    }
  };
}
