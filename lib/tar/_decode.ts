/**
 * Header decoding shared by the streaming reader and the random-access index: ustar fields,
 * octal and GNU base-256 numbers, checksums, PAX (`x`, `g`) records and GNU long names (`L`,
 * `K`) carried over to the entry they precede.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { fromUtf8 } from "../_internal/bytes.ts";
import { InvalidInputError } from "../errors.ts";

/** The tar block size. */
export const BLOCK = 512;

/** Largest PAX or GNU long-name entry read (they are held in memory). */
export const MAX_META_BYTES = 1024 * 1024;

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
  /** Content size in bytes (0 for links and directories, whose size field is ignored). */
  size: number;
  /** Link target (empty when not a link). */
  linkname: string;
}

/** What one header block holds. */
export type DecodedBlock =
  | { kind: "end" }
  | { kind: "meta"; flag: "x" | "g" | "L" | "K"; size: number }
  | { kind: "entry"; header: TarReadHeader };

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
    if (!Number.isSafeInteger(length) || length <= space - i || i + length > data.length) {
      throw new InvalidInputError("Tar PAX header is malformed; the archive is corrupt");
    }
    const record = fromUtf8(data.subarray(space + 1, i + length - 1));
    const eq = record.indexOf("=");
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    i += length;
  }
  return out;
}

function paxNumber(pax: Map<string, string>, key: string, fallback: number): number {
  const text = pax.get(key);
  if (text === undefined) return fallback;
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new InvalidInputError(`Tar PAX ${key} ${JSON.stringify(text)} is invalid`);
  }
  return Number(text);
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

/**
 * Whether a block's stored checksum matches its bytes (false for a block that is not a tar
 * header at all, such as the start of a gzip file).
 *
 * @example
 * ```ts
 * import { checksumMatches } from "./_decode.ts";
 * console.log(checksumMatches(new Uint8Array(512).fill(1))); // false
 * ```
 * @param block One 512-byte block.
 * @returns Whether it is a well-formed header block.
 */
export function checksumMatches(block: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  try {
    return parseNumber(block, 148, 8, "checksum") === sum;
  } catch {
    return false;
  }
}

/** Decodes header blocks in archive order, carrying PAX and GNU long-name entries over. */
export class HeaderDecoder {
  #pax = new Map<string, string>();
  #longName: string | undefined;
  #longLink: string | undefined;

  /**
   * Decodes one header block.
   * @throws {InvalidInputError} ERR_INVALID_INPUT for a bad checksum or field.
   */
  block(block: Bytes): DecodedBlock {
    if (block.every((b) => b === 0)) return { kind: "end" };
    if (!checksumMatches(block)) {
      throw new InvalidInputError("Tar header checksum mismatch; the archive is corrupt");
    }
    const flag = String.fromCharCode(block[156]!);
    const size = parseNumber(block, 124, 12, "size");
    if (flag === "x" || flag === "g" || flag === "L" || flag === "K") {
      if (size > MAX_META_BYTES) throw new InvalidInputError("Tar metadata entry is too large");
      return { kind: "meta", flag, size };
    }
    const pax = this.#pax;
    const magic = cString(block, 257, 6);
    const prefix = magic === "ustar" ? cString(block, 345, 155) : "";
    let path = cString(block, 0, 100);
    if (prefix !== "") path = `${prefix}/${path}`;
    path = pax.get("path") ?? this.#longName ?? path;
    const type = typeOf(flag);
    const header: TarReadHeader = {
      path: path.replace(/\/+$/, ""),
      type,
      mode: parseNumber(block, 100, 8, "mode") & 0o7777,
      uid: paxNumber(pax, "uid", parseNumber(block, 108, 8, "uid")),
      gid: paxNumber(pax, "gid", parseNumber(block, 116, 8, "gid")),
      size: flag === "1" || flag === "2" || flag === "5" ? 0 : paxNumber(pax, "size", size),
      linkname: pax.get("linkpath") ?? this.#longLink ?? cString(block, 157, 100),
    };
    this.#pax = new Map();
    this.#longName = undefined;
    this.#longLink = undefined;
    return { kind: "entry", header };
  }

  /** Takes the content of a `meta` entry announced by {@linkcode HeaderDecoder.block}. */
  meta(flag: "x" | "g" | "L" | "K", data: Bytes): void {
    if (flag === "x") this.#pax = parsePax(data);
    else if (flag === "L") this.#longName = fromUtf8(data).replace(/\0+$/, "");
    else if (flag === "K") this.#longLink = fromUtf8(data).replace(/\0+$/, "");
  }
}
