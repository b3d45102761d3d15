/**
 * A bounded tar reader for base-image layers and `ADD` archives: ustar, PAX (`x`, `g`) and GNU
 * long names (`L`, `K`), base-256 numbers, checksums verified. Contents are read into memory only
 * for the entries the caller asks for, or handed over as a stream the caller reads before it asks
 * for the next entry; everything else is skipped as it streams by.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { concat, fromUtf8 } from "../_internal/bytes.ts";
import { InvalidInputError } from "../errors.ts";

/** Entry kinds the reader reports. */
export type TarReadType = "file" | "directory" | "symlink" | "hardlink" | "other";

/** A parsed tar entry header. */
export interface TarReadHeader {
  /** Path as stored, without a trailing `/`. */
  path: string;
  /** Entry kind. */
  type: TarReadType;
  /** Permission bits. */
  mode: number;
  /** Owner user id. */
  uid: number;
  /** Owner group id. */
  gid: number;
  /** Content size in bytes. */
  size: number;
  /** Link target (empty when not a link). */
  linkname: string;
}

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

const BLOCK = 512;
const MAX_META_BYTES = 1024 * 1024;

class ByteQueue {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #chunks: Uint8Array[] = [];
  #length = 0;
  #done = false;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  async #fill(n: number): Promise<boolean> {
    while (this.#length < n && !this.#done) {
      const { done, value } = await this.#reader.read();
      if (done) this.#done = true;
      else if (value.length > 0) {
        this.#chunks.push(value);
        this.#length += value.length;
      }
    }
    return this.#length >= n;
  }

  async take(n: number): Promise<Bytes | undefined> {
    if (!(await this.#fill(n))) return undefined;
    const all = this.#chunks.length === 1 ? this.#chunks[0]! : concat(this.#chunks);
    const out = all.slice(0, n);
    const rest = all.subarray(n);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#length = rest.length;
    return out;
  }

  /** Up to `max` bytes (at least one), as they arrived; `undefined` at the end of the input. */
  async next(max: number): Promise<Bytes | undefined> {
    if (this.#length === 0 && !(await this.#fill(1))) return undefined;
    const first = this.#chunks[0]!;
    if (first.length <= max) {
      this.#chunks.shift();
      this.#length -= first.length;
      return first as Bytes;
    }
    this.#chunks[0] = first.subarray(max);
    this.#length -= max;
    return first.subarray(0, max) as Bytes;
  }

  async skip(n: number): Promise<boolean> {
    let left = n;
    while (left > 0) {
      if (this.#length === 0 && !(await this.#fill(1))) return false;
      const first = this.#chunks[0]!;
      if (first.length <= left) {
        left -= first.length;
        this.#length -= first.length;
        this.#chunks.shift();
      } else {
        this.#chunks[0] = first.subarray(left);
        this.#length -= left;
        left = 0;
      }
    }
    return true;
  }

  /** Bytes received but not yet taken. */
  get buffered(): number {
    return this.#length;
  }

  async close(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
    this.#reader.releaseLock();
  }
}

function cString(block: Uint8Array, offset: number, width: number): string {
  const field = block.subarray(offset, offset + width);
  const end = field.indexOf(0);
  return fromUtf8(end === -1 ? field : field.subarray(0, end));
}

function parseNumber(block: Uint8Array, offset: number, width: number, what: string): number {
  const field = block.subarray(offset, offset + width);
  if ((field[0]! & 0x80) !== 0) {
    let value = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    if (!Number.isSafeInteger(value)) throw new InvalidInputError(`Tar ${what} is too large`);
    return value;
  }
  const text = fromUtf8(field).replace(/[\0 ]+$/, "").replace(/^[ ]+/, "");
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) {
    throw new InvalidInputError(`Tar header has an invalid ${what} field; the archive is corrupt`);
  }
  return parseInt(text, 8);
}

function parsePax(data: Bytes): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    if (space === -1) break;
    const length = parseInt(fromUtf8(data.subarray(i, space)), 10);
    if (!Number.isSafeInteger(length) || length <= 0 || i + length > data.length) {
      throw new InvalidInputError("Tar PAX header is malformed; the archive is corrupt");
    }
    const record = fromUtf8(data.subarray(space + 1, i + length - 1));
    const eq = record.indexOf("=");
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    i += length;
  }
  return out;
}

function typeOf(flag: string): TarReadType {
  switch (flag) {
    case "0":
    case "\0":
    case "7":
      return "file";
    case "1":
      return "hardlink";
    case "2":
      return "symlink";
    case "5":
      return "directory";
    default:
      return "other";
  }
}

function verifyChecksum(block: Uint8Array): void {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  if (parseNumber(block, 148, 8, "checksum") !== sum) {
    throw new InvalidInputError("Tar header checksum mismatch; the archive is corrupt");
  }
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
 * import { readTar } from "./tar_reader.ts";
 * import { writeTar } from "./tar_writer.ts";
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
  let pax = new Map<string, string>();
  let longName: string | undefined;
  let longLink: string | undefined;
  try {
    for (;;) {
      opts.signal?.throwIfAborted();
      const block = await queue.take(BLOCK);
      if (block === undefined) {
        if (queue.buffered > 0) throw new InvalidInputError("Tar archive is truncated");
        return;
      }
      if (block.every((b) => b === 0)) {
        if (opts.drain) { while (await queue.skip(64 * 1024)); }
        return;
      }
      verifyChecksum(block);
      const flag = String.fromCharCode(block[156]!);
      let size = parseNumber(block, 124, 12, "size");
      if (flag === "x" || flag === "g" || flag === "L" || flag === "K") {
        if (size > MAX_META_BYTES) throw new InvalidInputError("Tar metadata entry is too large");
        const data = await queue.take(size);
        if (data === undefined || !(await queue.skip((BLOCK - (size % BLOCK)) % BLOCK))) {
          throw new InvalidInputError("Tar archive is truncated");
        }
        if (flag === "x") pax = parsePax(data);
        else if (flag === "L") longName = fromUtf8(data).replace(/\0+$/, "");
        else if (flag === "K") longLink = fromUtf8(data).replace(/\0+$/, "");
        continue;
      }
      const magic = cString(block, 257, 6);
      const prefix = magic === "ustar" ? cString(block, 345, 155) : "";
      let path = cString(block, 0, 100);
      if (prefix !== "") path = `${prefix}/${path}`;
      path = pax.get("path") ?? longName ?? path;
      const linkname = pax.get("linkpath") ?? longLink ?? cString(block, 157, 100);
      if (pax.has("size")) size = parseInt(pax.get("size")!, 10);
      const header: TarReadHeader = {
        path: path.replace(/\/+$/, ""),
        type: typeOf(flag),
        mode: parseNumber(block, 100, 8, "mode") & 0o7777,
        uid: pax.has("uid") ? parseInt(pax.get("uid")!, 10) : parseNumber(block, 108, 8, "uid"),
        gid: pax.has("gid") ? parseInt(pax.get("gid")!, 10) : parseNumber(block, 116, 8, "gid"),
        size: flag === "1" || flag === "2" || flag === "5" ? 0 : size,
        linkname,
      };
      if (!Number.isSafeInteger(size) || size < 0) {
        throw new InvalidInputError(`Tar entry ${header.path} has an invalid size`);
      }
      pax = new Map();
      longName = undefined;
      longLink = undefined;
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
        if (!(await queue.skip((BLOCK - (dataSize % BLOCK)) % BLOCK))) {
          throw new InvalidInputError("Tar archive is truncated");
        }
      } else if (header.type === "file" && dataSize > 0 && opts.stream?.(header)) {
        const body = new EntryBody(queue, dataSize, opts.signal);
        yield { header, body: body.stream };
        const left = await body.finish();
        if (!(await queue.skip(left + ((BLOCK - (dataSize % BLOCK)) % BLOCK)))) {
          throw new InvalidInputError("Tar archive is truncated");
        }
        continue;
      } else if (!(await queue.skip(dataSize + ((BLOCK - (dataSize % BLOCK)) % BLOCK)))) {
        throw new InvalidInputError("Tar archive is truncated");
      }
      yield content === undefined ? { header } : { header, content };
    }
  } finally {
    await queue.close();
  }
}
