/**
 * Where file contents wait between being read (out of a base-image layer, an `ADD` archive or a
 * download) and being written into the new layer, so that memory does not grow with their size:
 * small files in memory within a fixed budget, everything else in temporary files next to the
 * output. The files live as long as the instruction that made them; {@linkcode ContentSpool.dispose}
 * removes them whether the instruction succeeded or failed.
 *
 * @module
 */
import { handleStream } from "../content/file_stream.ts";
import type { Fs } from "../content/fs.ts";
import { BuildError } from "../errors.ts";
import type { ContentSource } from "./file_tree.ts";

/** A directory (through `fs`) for temporary content files. */
export interface SpoolDir {
  /** File access. */
  fs: Fs;
  /** The directory; it must exist. */
  dir: string;
}

/** Options for {@linkcode ContentSpool}. */
export interface ContentSpoolOptions {
  /** Where contents go when they do not fit the memory budget (without it, nothing is spooled). */
  spool?: SpoolDir;
  /** Bytes of content kept in memory in all (default 4 MiB with a spool dir, else 32 MiB). */
  memoryBytes?: number;
  /** Largest single content kept in memory (default 64 KiB with a spool dir, else 32 MiB). */
  memoryFileBytes?: number;
  /** Cancels writes. */
  signal?: AbortSignal;
}

/** Receives contents one after another into one temporary file. */
export interface SpoolSink {
  /**
   * Writes a whole stream into the file.
   * @param body The content.
   * @returns Its size and a source that reads it back once the sink is closed.
   */
  add(body: ReadableStream<Uint8Array>): Promise<{ size: number; content: ContentSource }>;
}

/**
 * Temporary storage for one build instruction's file contents.
 *
 * @example
 * ```ts ignore
 * const spool = new ContentSpool({ spool: { fs: nodeFs, dir: "/tmp/spool" } });
 * try {
 *   const { content } = await spool.write((sink) => sink.add(download.body!));
 *   // ... write a layer that reads `content` ...
 * } finally {
 *   await spool.dispose();
 * }
 * ```
 */
export class ContentSpool {
  #spool: SpoolDir | undefined;
  #memoryLeft: number;
  #memoryFileBytes: number;
  #signal: AbortSignal | undefined;
  #files: string[] = [];

  /**
   * Creates an empty spool.
   * @param opts The spool directory, memory budget and cancellation.
   */
  constructor(opts: ContentSpoolOptions = {}) {
    this.#spool = opts.spool;
    const onDisk = opts.spool !== undefined;
    this.#memoryLeft = opts.memoryBytes ?? (onDisk ? 4 : 32) * 1024 * 1024;
    this.#memoryFileBytes = opts.memoryFileBytes ?? (onDisk ? 64 * 1024 : 32 * 1024 * 1024);
    this.#signal = opts.signal;
  }

  /** Whether contents can be written to disk. */
  get onDisk(): boolean {
    return this.#spool !== undefined;
  }

  /**
   * Takes `size` bytes of the memory budget, when a content that large may be kept in memory.
   * @param size The content's size.
   * @returns Whether the caller may keep it in memory.
   */
  reserve(size: number): boolean {
    if (size > this.#memoryFileBytes || size > this.#memoryLeft) return false;
    this.#memoryLeft -= size;
    return true;
  }

  /**
   * Runs `fn` with a sink into a new temporary file; the contents added become readable when `fn`
   * has returned and the file is complete.
   * @param fn Adds contents to the sink.
   * @returns What `fn` returned.
   * @throws {BuildError} ERR_BUILD when there is no spool directory.
   */
  async write<T>(fn: (sink: SpoolSink) => Promise<T>): Promise<T> {
    const spool = this.#spool;
    if (spool === undefined) {
      throw new BuildError("Cannot spool content: the build has no spool directory");
    }
    const path = `${spool.dir}/content-${crypto.randomUUID()}`;
    this.#files.push(path);
    const pipe = new TransformStream<Uint8Array, Uint8Array>();
    const writer = pipe.writable.getWriter();
    const written = spool.fs.writeFileAtomic(
      path,
      pipe.readable,
      this.#signal === undefined ? {} : { signal: this.#signal },
    );
    written.catch(() => {});
    let offset = 0;
    const sink: SpoolSink = {
      add: async (body) => {
        const start = offset;
        const reader = body.getReader();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            await writer.write(value);
            offset += value.length;
          }
        } catch (err) {
          await reader.cancel(err).catch(() => {});
          throw err;
        } finally {
          reader.releaseLock();
        }
        const size = offset - start;
        return { size, content: spooledContent(spool.fs, path, start, size) };
      },
    };
    try {
      const result = await fn(sink);
      await writer.close();
      await written;
      return result;
    } catch (err) {
      await writer.abort(err).catch(() => {});
      await written.catch(() => {});
      throw err;
    }
  }

  /** Removes every temporary file (call it once the contents are no longer needed). */
  async dispose(): Promise<void> {
    const files = this.#files;
    this.#files = [];
    for (const file of files) await this.#spool!.fs.remove(file);
  }
}

function spooledContent(fs: Fs, path: string, offset: number, length: number): ContentSource {
  return {
    kind: "stream",
    temporary: true,
    async open(): Promise<ReadableStream<Uint8Array>> {
      return handleStream(await fs.open(path), offset, length);
    },
  };
}
