/**
 * A deterministic tar writer: ustar headers, PAX records only where ustar cannot hold a value
 * (long names and link targets, big sizes, ids and times), no user or group names, no atime/ctime, and
 * an end of two zero blocks with no further record padding. The same entries always give the
 * same bytes.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { concat, utf8 } from "../_internal/bytes.ts";
import { AbortedError, BuildError } from "../errors.ts";

/** Kinds of tar entries the writer writes. */
export type TarEntryType = "file" | "directory" | "symlink" | "hardlink";

/** One tar entry's metadata. */
export interface TarHeader {
  /** Relative path with `/` separators, no leading `/` or `./`, no trailing `/`. */
  path: string;
  /** Entry kind. */
  type: TarEntryType;
  /** Permission bits (with setuid/setgid/sticky), e.g. `0o755`. */
  mode: number;
  /** Owner user id. */
  uid: number;
  /** Owner group id. */
  gid: number;
  /** Content size in bytes (0 for everything but files). */
  size: number;
  /** Modification time in seconds since the epoch. */
  mtime: number;
  /** Symlink target, or for hard links the path (in the archive) of the linked file. */
  linkname?: string;
}

/** A tar entry with a way to read its content. */
export interface TarWriterEntry extends TarHeader {
  /** Opens the content of a file entry; must yield exactly `size` bytes. */
  open?: () => Promise<ReadableStream<Uint8Array>>;
}

const BLOCK = 512;
const MAX_OCTAL_8 = 0o7777777;
const MAX_OCTAL_12 = 0o77777777777;

const TYPE_FLAG: Record<TarEntryType, string> = {
  file: "0",
  hardlink: "1",
  symlink: "2",
  directory: "5",
};

function writeString(block: Uint8Array, offset: number, width: number, bytes: Uint8Array): void {
  block.set(bytes.subarray(0, width), offset);
}

function writeOctal(block: Uint8Array, offset: number, width: number, value: number): void {
  const text = value.toString(8).padStart(width - 1, "0");
  writeString(block, offset, width - 1, utf8(text));
  block[offset + width - 1] = 0;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = utf8(body).length;
  let digits = String(length).length;
  while (String(length + digits).length !== digits) digits++;
  length += digits;
  return `${length}${body}`;
}

function ustarBlock(
  name: Uint8Array,
  typeflag: string,
  mode: number,
  uid: number,
  gid: number,
  size: number,
  mtime: number,
  linkname: Uint8Array,
): Bytes {
  const block = new Uint8Array(BLOCK);
  writeString(block, 0, 100, name);
  writeOctal(block, 100, 8, mode);
  writeOctal(block, 108, 8, uid);
  writeOctal(block, 116, 8, gid);
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, mtime);
  block.fill(0x20, 148, 156);
  block[156] = typeflag.charCodeAt(0);
  writeString(block, 157, 100, linkname);
  writeString(block, 257, 6, utf8("ustar\0"));
  writeString(block, 263, 2, utf8("00"));
  writeOctal(block, 329, 8, 0);
  writeOctal(block, 337, 8, 0);
  let sum = 0;
  for (const b of block) sum += b;
  writeString(block, 148, 8, utf8(sum.toString(8).padStart(6, "0") + "\0 "));
  return block;
}

/**
 * Encodes one entry's header blocks: a PAX extended header first when a value does not fit
 * ustar, then the ustar header.
 *
 * @example
 * ```ts
 * import { encodeTarHeader } from "./write_tar.ts";
 * const blocks = encodeTarHeader({
 *   path: "etc/motd", type: "file", mode: 0o644, uid: 0, gid: 0, size: 3, mtime: 0,
 * });
 * console.log(blocks.length); // 512
 * ```
 * @param header The entry's metadata.
 * @returns The header bytes (a multiple of 512).
 * @throws {BuildError} ERR_BUILD when a value is negative or not an integer.
 */
export function encodeTarHeader(header: TarHeader): Bytes {
  for (
    const [field, value] of [
      ["mode", header.mode],
      ["uid", header.uid],
      ["gid", header.gid],
      ["size", header.size],
      ["mtime", header.mtime],
    ] as const
  ) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new BuildError(`Cannot write tar entry ${header.path}: ${field} ${value} is invalid`);
    }
  }
  const name = utf8(header.type === "directory" ? `${header.path}/` : header.path);
  const linkname = utf8(header.linkname ?? "");
  const size = header.type === "file" ? header.size : 0;
  let pax = "";
  if (name.length > 100) pax += paxRecord("path", fromName(header));
  if (linkname.length > 100) pax += paxRecord("linkpath", header.linkname ?? "");
  if (size > MAX_OCTAL_12) pax += paxRecord("size", String(size));
  if (header.uid > MAX_OCTAL_8) pax += paxRecord("uid", String(header.uid));
  if (header.gid > MAX_OCTAL_8) pax += paxRecord("gid", String(header.gid));
  if (header.mtime > MAX_OCTAL_12) pax += paxRecord("mtime", String(header.mtime));
  const main = ustarBlock(
    name.length > 100 ? utf8(asciiPrefix(header.path, 99)) : name,
    TYPE_FLAG[header.type],
    header.mode & 0o7777,
    header.uid > MAX_OCTAL_8 ? 0 : header.uid,
    header.gid > MAX_OCTAL_8 ? 0 : header.gid,
    size > MAX_OCTAL_12 ? 0 : size,
    Math.min(header.mtime, MAX_OCTAL_12),
    linkname.length > 100 ? new Uint8Array(0) : linkname,
  );
  if (pax === "") return main;
  const records = utf8(pax);
  const paxHeader = ustarBlock(
    utf8("PaxHeader"),
    "x",
    0o644,
    0,
    0,
    records.length,
    Math.min(header.mtime, MAX_OCTAL_12),
    new Uint8Array(0),
  );
  return concat([paxHeader, records, tarPadding(records.length), main]);
}

function fromName(header: TarHeader): string {
  return header.type === "directory" ? `${header.path}/` : header.path;
}

function asciiPrefix(path: string, max: number): string {
  let out = "";
  for (const ch of path) {
    if (ch.charCodeAt(0) > 0x7e || out.length + 1 > max) break;
    out += ch;
  }
  return out;
}

/**
 * The zero bytes that pad `size` bytes of content to a whole 512-byte block.
 *
 * @example
 * ```ts
 * import { tarPadding } from "./write_tar.ts";
 * console.log(tarPadding(3).length); // 509
 * ```
 * @param size Content size.
 * @returns The padding.
 */
export function tarPadding(size: number): Bytes {
  const rest = size % BLOCK;
  return new Uint8Array(rest === 0 ? 0 : BLOCK - rest);
}

/**
 * The end-of-archive marker: two zero blocks.
 *
 * @example
 * ```ts
 * import { tarEnd } from "./write_tar.ts";
 * console.log(tarEnd().length); // 1024
 * ```
 * @returns The marker.
 */
export function tarEnd(): Bytes {
  return new Uint8Array(BLOCK * 2);
}

/**
 * Writes entries, in the order given, as a tar stream ending with two zero blocks. File
 * contents are read through each entry's `open` and must be exactly `size` bytes long.
 *
 * @example
 * ```ts
 * import { writeTar } from "./write_tar.ts";
 * let total = 0;
 * for await (const chunk of writeTar([
 *   { path: "app", type: "directory", mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0 },
 * ])) total += chunk.length;
 * console.log(total); // 1536
 * ```
 * @param entries The entries, already sorted.
 * @param opts Cancellation.
 * @returns The tar bytes, in chunks.
 * @throws {BuildError} ERR_BUILD when a file's content is not its declared size.
 */
export async function* writeTar(
  entries: Iterable<TarWriterEntry>,
  opts: { signal?: AbortSignal } = {},
): AsyncGenerator<Bytes> {
  for (const entry of entries) {
    if (opts.signal?.aborted) throw new AbortedError("The build was aborted");
    yield encodeTarHeader(entry);
    if (entry.type !== "file" || entry.size === 0) continue;
    if (entry.open === undefined) {
      throw new BuildError(`Cannot write tar entry ${entry.path}: its content is unavailable`);
    }
    const reader = (await entry.open()).getReader();
    let seen = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        seen += value.length;
        if (seen > entry.size) break;
        yield value as Bytes;
      }
    } finally {
      await reader.cancel().catch(() => {});
      reader.releaseLock();
    }
    if (seen !== entry.size) {
      throw new BuildError(
        `File ${entry.path} changed while it was being added (expected ${entry.size} bytes); run the build again`,
      );
    }
    yield tarPadding(entry.size);
  }
  yield tarEnd();
}
