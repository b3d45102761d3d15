/**
 * Layout tars through a pipe (`--oci-layout -`, `--to-oci-layout -`): a tar read from a stream
 * and a tar written to one, so `ssh station cat img.tar | ocisign verify --oci-layout -:v1` and
 * `ocisign cp -r REG/repo:v1 --to-oci-layout - | ssh station ...` work.
 *
 * A tar has no table of contents and its members come in any order (`index.json` may be last),
 * while verifying or copying needs `index.json` and the manifests before the layers. So the
 * stream is spooled, chunk by chunk, to a private temporary file (mode 0600, removed on close)
 * and then read with random access like any layout tar: memory stays flat whatever the size;
 * the disk holds one copy while the command runs.
 *
 * @module
 */
import { checkAborted } from "../content/_streams.ts";
import type { Fs } from "../content/fs.ts";
import type { Op } from "../content/storage.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import { InvalidLayoutError } from "../errors.ts";
import { LayoutTar } from "./layout_tar.ts";

/** Options of {@linkcode openStreamLayoutTar} and {@linkcode createStreamLayoutTar}. */
export interface StreamLayoutTarOptions extends Op {
  /** A directory for the temporary file (e.g. `$TMPDIR`). */
  tempRoot: string;
  /** Hashes streamed content (default: the pure-TypeScript hasher). */
  hasher?: HasherFactory;
}

/** A layout tar backed by a temporary file; `dispose()` closes it and removes the file. */
export interface StreamLayout {
  /** The layout. */
  layout: LayoutTar;
  /** The temporary tar's path. */
  path: string;
  /** Closes the layout and removes the temporary directory. */
  dispose(): Promise<void>;
}

/**
 * Opens a layout tar read from `stream` (standard input): spools it to a temporary file, then
 * opens it as a {@linkcode LayoutTar}, with all its checks (members outside the layout, links,
 * duplicate names, a truncated tar are refused).
 *
 * @example
 * ```ts ignore
 * import { openStreamLayoutTar } from "./stream_layout_tar.ts";
 * const { layout, dispose } = await openStreamLayoutTar(stdin, fs, { tempRoot: "/tmp" });
 * try { console.log(await layout.resolve("v1")); } finally { await dispose(); }
 * ```
 * @param stream The tar bytes.
 * @param fs File-system access.
 * @param opts Temporary directory, hasher, cancellation.
 * @returns The layout and how to dispose of it.
 * @throws {InvalidLayoutError} ERR_INVALID_LAYOUT when the stream is empty or not a layout tar.
 */
export async function openStreamLayoutTar(
  stream: ReadableStream<Uint8Array>,
  fs: Fs,
  opts: StreamLayoutTarOptions,
): Promise<StreamLayout> {
  const dir = await fs.makeTempDir(opts.tempRoot, ".ocisign-stdin-");
  const path = `${dir}/layout.tar`;
  const dispose = (): Promise<void> => fs.remove(dir, { recursive: true });
  try {
    checkAborted(opts.signal, "Reading the layout tar");
    await fs.writeFileAtomic(path, stream, {
      mode: 0o600,
      // A spool that dies with the process needs no flush to disk.
      durable: false,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const info = await fs.stat(path);
    if (!info || info.size === 0) {
      throw new InvalidLayoutError(
        "standard input is empty: pipe an OCI layout tar into --oci-layout -",
      );
    }
    const layout = await LayoutTar.open(path, fs, opts.hasher ? { hasher: opts.hasher } : {});
    return {
      layout,
      path,
      dispose: async () => {
        await layout.close();
        await dispose();
      },
    };
  } catch (err) {
    await dispose();
    // Name what the user gave, not the temporary file.
    if (err instanceof InvalidLayoutError && err.message.includes(path)) {
      throw new InvalidLayoutError(err.message.replaceAll(path, "the layout tar on stdin"), {
        cause: err,
      });
    }
    throw err;
  }
}

/**
 * Starts a new layout tar in a temporary file, to be written to a stream (standard output) by
 * {@linkcode writeStreamLayoutTar} once its content is committed.
 *
 * @example
 * ```ts ignore
 * import { createStreamLayoutTar, writeStreamLayoutTar } from "./stream_layout_tar.ts";
 * const out = await createStreamLayoutTar(fs, { tempRoot: "/tmp" });
 * await copy(src, "v1", out.layout, ["v1"]);
 * await writeStreamLayoutTar(out, fs, stdout);
 * ```
 * @param fs File-system access.
 * @param opts Temporary directory, hasher.
 * @returns The empty layout and how to dispose of it.
 */
export async function createStreamLayoutTar(
  fs: Fs,
  opts: StreamLayoutTarOptions,
): Promise<StreamLayout> {
  const dir = await fs.makeTempDir(opts.tempRoot, ".ocisign-stdout-");
  const path = `${dir}/layout.tar`;
  try {
    const layout = await LayoutTar.open(path, fs, {
      create: true,
      ...(opts.hasher ? { hasher: opts.hasher } : {}),
    });
    return {
      layout,
      path,
      dispose: async () => {
        await layout.close();
        await fs.remove(dir, { recursive: true });
      },
    };
  } catch (err) {
    await fs.remove(dir, { recursive: true });
    throw err;
  }
}

/**
 * Commits the layout of {@linkcode createStreamLayoutTar} and streams the finished tar to `out`.
 *
 * @param out What {@linkcode createStreamLayoutTar} returned.
 * @param fs File-system access.
 * @param sink Where the tar goes (standard output).
 * @param opts Cancellation.
 */
export async function writeStreamLayoutTar(
  out: StreamLayout,
  fs: Fs,
  sink: WritableStream<Uint8Array>,
  opts: Op = {},
): Promise<void> {
  await out.layout.commit(opts);
  const handle = await fs.open(out.path);
  try {
    await handle.stream().pipeTo(sink, opts.signal ? { signal: opts.signal } : {});
  } finally {
    await handle.close();
  }
}
