/**
 * A bounded streaming tar reader (layout tars on a pipe, base-image layers, `ADD` archives): ustar, PAX (`x`, `g`) and GNU
 * long names (`L`, `K`), base-256 numbers, checksums verified. Contents are read into memory only
 * for the entries the caller asks for, or handed over as a stream the caller reads before it asks
 * for the next entry; everything else is skipped as it streams by.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { InvalidInputError } from "../errors.ts";
import { ByteQueue } from "./_byte_queue.ts";
import { BLOCK, HeaderDecoder, type TarReadHeader } from "./_decode.ts";

/** One entry, with its content when the caller asked for it. */
export interface TarReadEntry {
  /** The entry's header. */
  header: TarReadHeader;
  /** The content, when asked for with `want`. */
  content?: Bytes;
  /**
   * The content as a stream, when asked for with `stream`: readable until the caller asks for
   * the next entry (what is left unread is skipped then). It errors with
   * {@linkcode InvalidInputError} when the archive ends early.
   */
  body?: ReadableStream<Bytes>;
}

/** Options for {@linkcode readTar}. */
export interface ReadTarOptions {
  /** Whether to load an entry's content into memory. */
  want?: (header: TarReadHeader) => boolean;
  /** Whether to hand a file entry's content over as a stream (`body`), when `want` is false. */
  stream?: (header: TarReadHeader) => boolean;
  /** Largest content loaded for one entry (default 256 MiB). */
  maxContentBytes?: number;
  /** Read the stream to its end after the end-of-archive marker (so that a hash sees it all). */
  drain?: boolean;
  /** Cancels the read. */
  signal?: AbortSignal;
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** One entry's content as a stream over the reader's queue, valid until the reader moves on. */
class EntryBody {
  readonly stream: ReadableStream<Bytes>;
  #left: number;
  #open = true;
  #reading: Promise<unknown> = Promise.resolve();

  constructor(queue: ByteQueue, size: number, signal: AbortSignal | undefined) {
    this.#left = size;
    this.stream = new ReadableStream<Bytes>({
      pull: (controller): Promise<void> => {
        const step = (async (): Promise<void> => {
          if (!this.#open) {
            throw new TypeError("Cannot read a tar entry after the reader moved on");
          }
          signal?.throwIfAborted();
          const chunk = await queue.next(this.#left);
          if (chunk === undefined) throw new InvalidInputError("Tar archive is truncated");
          this.#left -= chunk.length;
          controller.enqueue(chunk);
          if (this.#left === 0) controller.close();
        })();
        this.#reading = step.catch(() => {});
        return step;
      },
    }, { highWaterMark: 0 });
  }

  /** Ends the stream's use; returns how many content bytes were left unread. */
  async finish(): Promise<number> {
    await this.#reading;
    this.#open = false;
    return this.#left;
  }
}

/**
 * Reads a tar stream entry by entry.
 *
 * @example
 * ```ts
 * import { readTar } from "./read_tar.ts";
 * import { writeTar } from "./write_tar.ts";
 * const chunks: Uint8Array<ArrayBuffer>[] = [];
 * for await (const c of writeTar([
 *   { path: "a", type: "directory", mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0 },
 * ])) chunks.push(c);
 * for await (const e of readTar(new Blob(chunks).stream())) console.log(e.header.path); // "a"
 * ```
 * @param stream The uncompressed tar bytes.
 * @param opts Which contents to load or stream, limits and cancellation.
 * @returns The entries in archive order.
 * @throws {InvalidInputError} ERR_INVALID_INPUT when the archive is malformed or truncated.
 */
export async function* readTar(
  stream: ReadableStream<Uint8Array>,
  opts: ReadTarOptions = {},
): AsyncGenerator<TarReadEntry> {
  const queue = new ByteQueue(stream);
  const maxContent = opts.maxContentBytes ?? 256 * 1024 * 1024;
  const decoder = new HeaderDecoder();
  try {
    for (;;) {
      opts.signal?.throwIfAborted();
      const block = await queue.take(BLOCK);
      if (block === undefined) {
        if (queue.buffered > 0) throw new InvalidInputError("Tar archive is truncated");
        return;
      }
      const decoded = decoder.block(block);
      if (decoded.kind === "end") {
        if (opts.drain) { while (await queue.skip(64 * 1024)); }
        return;
      }
      if (decoded.kind === "meta") {
        const data = await queue.take(decoded.size);
        if (data === undefined || !(await queue.skip(padding(decoded.size)))) {
          throw new InvalidInputError("Tar archive is truncated");
        }
        decoder.meta(decoded.flag, data);
        continue;
      }
      const header = decoded.header;
      const dataSize = header.size;
      let content: Bytes | undefined;
      if (header.type === "file" && opts.want?.(header)) {
        if (dataSize > maxContent) {
          throw new InvalidInputError(
            `Tar entry ${header.path} is ${dataSize} bytes, over the ${maxContent}-byte limit`,
          );
        }
        content = await queue.take(dataSize);
        if (content === undefined) throw new InvalidInputError("Tar archive is truncated");
        if (!(await queue.skip(padding(dataSize)))) {
          throw new InvalidInputError("Tar archive is truncated");
        }
      } else if (header.type === "file" && dataSize > 0 && opts.stream?.(header)) {
        const body = new EntryBody(queue, dataSize, opts.signal);
        yield { header, body: body.stream };
        const left = await body.finish();
        if (!(await queue.skip(left + padding(dataSize)))) {
          throw new InvalidInputError("Tar archive is truncated");
        }
        continue;
      } else if (!(await queue.skip(dataSize + padding(dataSize)))) {
        throw new InvalidInputError("Tar archive is truncated");
      }
      yield content === undefined ? { header } : { header, content };
    }
  } finally {
    await queue.close();
  }
}
