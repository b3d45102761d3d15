/**
 * A small tar reader that indexes an archive once (ustar, PAX `path`/`linkpath`/`size`, GNU long
 * names) for random access, refusing unsafe entries; and a writer of deterministic ustar headers
 * (with a PAX header for long names or huge sizes).
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { utf8 } from "../_internal/bytes.ts";
import type { FileHandle } from "../content/fs.ts";
import { InvalidLayoutError } from "../errors.ts";

/** One indexed tar entry. */
export interface TarMember {
  /** Normalised name (no `./`, no trailing `/`). */
  name: string;
  type: "file" | "directory" | "link";
  /** Offset of the content in the archive. */
  offset: number;
  /** Content size. */
  size: number;
  /** Link target (links only). */
  linkName?: string;
  /** Whether a link is a hard link (links only). */
  hardLink?: boolean;
  /** Permission bits. */
  mode: number;
}

const BLOCK = 512;
const MAX_META_BYTES = 1024 * 1024;
const DECODER = new TextDecoder();

function field(block: Uint8Array, start: number, length: number): string {
  const slice = block.subarray(start, start + length);
  const end = slice.indexOf(0);
  return DECODER.decode(end >= 0 ? slice.subarray(0, end) : slice);
}

function octal(block: Uint8Array, start: number, length: number, where: string): number {
  if ((block[start]! & 0x80) !== 0) {
    // GNU base-256 encoding.
    let value = block[start]! & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + block[start + i]!;
    if (!Number.isSafeInteger(value)) {
      throw new InvalidLayoutError(`${where}: tar number too large`);
    }
    return value;
  }
  const text = field(block, start, length).trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new InvalidLayoutError(`${where}: malformed tar header number`);
  return parseInt(text, 8);
}

function checksumOk(block: Uint8Array, where: string): boolean {
  const stored = octal(block, 148, 8, where);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === stored;
}

function parsePax(data: Uint8Array, where: string): Map<string, string> {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) break;
    const len = parseInt(DECODER.decode(data.subarray(pos, space)), 10);
    if (!Number.isSafeInteger(len) || len <= space - pos || pos + len > data.length) {
      throw new InvalidLayoutError(`${where}: malformed PAX header record`);
    }
    const record = DECODER.decode(data.subarray(space + 1, pos + len - 1));
    const eq = record.indexOf("=");
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    pos += len;
  }
  return out;
}

/**
 * Normalises an entry name; undefined for the archive root.
 * @throws {InvalidLayoutError} for absolute names or names with `..`.
 */
export function normalizeTarName(raw: string, where: string): string | undefined {
  if (raw.startsWith("/")) {
    throw new InvalidLayoutError(`${where}: tar entry ${JSON.stringify(raw)} has an absolute path`);
  }
  const parts = raw.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) {
    throw new InvalidLayoutError(
      `${where}: tar entry ${JSON.stringify(raw)} escapes the archive with ..`,
    );
  }
  return parts.length === 0 ? undefined : parts.join("/");
}

function checkLinkTarget(name: string, target: string, hard: boolean, where: string): void {
  if (target.startsWith("/")) {
    throw new InvalidLayoutError(`${where}: tar link ${name} points to absolute path ${target}`);
  }
  const base = hard ? [] : name.split("/").slice(0, -1);
  for (const part of target.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (base.length === 0) {
        throw new InvalidLayoutError(`${where}: tar link ${name} points outside the archive`);
      }
      base.pop();
    } else {
      base.push(part);
    }
  }
}

/**
 * Indexes every entry of a tar archive, reading only headers.
 * @throws {InvalidLayoutError} ERR_INVALID_LAYOUT for a file that is not an uncompressed tar, a
 *   truncated archive, unsafe names or links, duplicate names, or special files.
 */
export async function indexTar(file: FileHandle, where: string): Promise<Map<string, TarMember>> {
  const members = new Map<string, TarMember>();
  let offset = 0;
  let pax = new Map<string, string>();
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    if (offset + BLOCK > file.size) {
      if (offset === 0) {
        throw new InvalidLayoutError(`${where} is not an uncompressed tar archive (too short)`);
      }
      if (offset < file.size) throw new InvalidLayoutError(`${where}: truncated tar archive`);
      break;
    }
    const block = await file.read(offset, BLOCK);
    if (block.length < BLOCK) throw new InvalidLayoutError(`${where}: truncated tar archive`);
    if (block.every((b) => b === 0)) break;
    if (!checksumOk(block, where)) {
      throw new InvalidLayoutError(
        offset === 0
          ? `${where} is not an uncompressed tar archive (compressed layout tars are not supported)`
          : `${where}: corrupt tar header at offset ${offset}`,
      );
    }
    const typeflag = String.fromCharCode(block[156]!);
    let size = octal(block, 124, 12, where);
    const dataOffset = offset + BLOCK;
    const next = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
    if (typeflag === "x" || typeflag === "g" || typeflag === "L" || typeflag === "K") {
      if (size > MAX_META_BYTES) {
        throw new InvalidLayoutError(`${where}: tar metadata entry too large`);
      }
      if (dataOffset + size > file.size) {
        throw new InvalidLayoutError(`${where}: truncated tar archive`);
      }
      const data = await file.read(dataOffset, size);
      if (typeflag === "x") pax = parsePax(data, where);
      else if (typeflag === "L") longName = field(data, 0, data.length);
      else if (typeflag === "K") longLink = field(data, 0, data.length);
      offset = next;
      continue;
    }
    const magic = field(block, 257, 6);
    let name = field(block, 0, 100);
    const prefix = magic.startsWith("ustar") ? field(block, 345, 155) : "";
    if (prefix !== "") name = `${prefix}/${name}`;
    name = pax.get("path") ?? longName ?? name;
    const linkName = pax.get("linkpath") ?? longLink ?? field(block, 157, 100);
    const paxSize = pax.get("size");
    if (paxSize !== undefined) {
      if (!/^[0-9]+$/.test(paxSize)) throw new InvalidLayoutError(`${where}: malformed PAX size`);
      size = Number(paxSize);
    }
    pax = new Map();
    longName = undefined;
    longLink = undefined;
    const realNext = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
    if (dataOffset + size > file.size) {
      throw new InvalidLayoutError(`${where}: truncated tar archive`);
    }
    const norm = normalizeTarName(name, where);
    let type: TarMember["type"];
    if (typeflag === "0" || typeflag === "\0" || typeflag === "7") type = "file";
    else if (typeflag === "5") type = "directory";
    else if (typeflag === "1" || typeflag === "2") type = "link";
    else {
      throw new InvalidLayoutError(
        `${where}: tar entry ${JSON.stringify(name)} has unsupported type ${
          JSON.stringify(typeflag)
        }`,
      );
    }
    if (norm !== undefined) {
      if (type === "link") checkLinkTarget(norm, linkName, typeflag === "1", where);
      const prev = members.get(norm);
      if (prev && !(prev.type === "directory" && type === "directory")) {
        throw new InvalidLayoutError(`${where}: tar entry ${norm} appears more than once`);
      }
      const member: TarMember = {
        name: norm,
        type,
        offset: dataOffset,
        size: type === "file" ? size : 0,
        mode: octal(block, 100, 8, where) & 0o7777,
      };
      if (type === "link") {
        member.linkName = linkName;
        member.hardLink = typeflag === "1";
      }
      members.set(norm, member);
    }
    offset = realNext;
  }
  return members;
}

function writeOctal(block: Uint8Array, start: number, length: number, value: number): void {
  const text = value.toString(8).padStart(length - 1, "0");
  block.set(utf8(text), start);
  block[start + length - 1] = 0;
}

function writeString(block: Uint8Array, start: number, length: number, text: string): void {
  const bytes = utf8(text);
  block.set(bytes.subarray(0, length), start);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (String(len).length + utf8(body).length !== len) {
    len = String(len).length + utf8(body).length;
  }
  return `${len}${body}`;
}

function rawHeader(
  name: string,
  size: number,
  typeflag: string,
  mode: number,
  linkName = "",
): Bytes {
  const block = new Uint8Array(BLOCK);
  writeString(block, 0, 100, name);
  writeOctal(block, 100, 8, mode);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, 0);
  block.fill(0x20, 148, 156);
  block[156] = typeflag.charCodeAt(0);
  writeString(block, 157, 100, linkName);
  writeString(block, 257, 6, "ustar");
  writeString(block, 263, 2, "00");
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += block[i]!;
  writeOctal(block, 148, 7, sum);
  block[155] = 0x20;
  return block;
}

/** Options for {@linkcode tarHeader}. */
export interface TarHeaderOptions {
  type: "file" | "directory" | "link";
  mode: number;
  linkName?: string;
  /** Writes a hard link instead of a symbolic link. */
  hardLink?: boolean;
}

/**
 * A deterministic header (mtime 0, uid/gid 0); a PAX header precedes it when the name or link
 * target is too long, or the size too big, for ustar.
 */
export function tarHeader(name: string, size: number, opts: TarHeaderOptions): Bytes {
  const typeflag = opts.type === "file"
    ? "0"
    : opts.type === "directory"
    ? "5"
    : opts.hardLink
    ? "1"
    : "2";
  const fullName = opts.type === "directory" ? `${name}/` : name;
  const records: string[] = [];
  if (utf8(fullName).length > 100) records.push(paxRecord("path", fullName));
  if (opts.linkName !== undefined && utf8(opts.linkName).length > 100) {
    records.push(paxRecord("linkpath", opts.linkName));
  }
  if (size > 0o77777777777) records.push(paxRecord("size", String(size)));
  const main = rawHeader(
    fullName.slice(0, 100),
    size > 0o77777777777 ? 0 : size,
    typeflag,
    opts.mode,
    (opts.linkName ?? "").slice(0, 100),
  );
  if (records.length === 0) return main;
  const data = utf8(records.join(""));
  const padded = Math.ceil(data.length / BLOCK) * BLOCK;
  const out = new Uint8Array(BLOCK + padded + BLOCK);
  out.set(rawHeader("PaxHeader", data.length, "x", 0o644), 0);
  out.set(data, BLOCK);
  out.set(main, BLOCK + padded);
  return out;
}

/** Zero bytes that pad content of `size` to a whole block. */
export function tarPadding(size: number): Bytes {
  return new Uint8Array((BLOCK - (size % BLOCK)) % BLOCK);
}

/** The end-of-archive marker (two zero blocks). */
export function tarEnd(): Bytes {
  return new Uint8Array(BLOCK * 2);
}
