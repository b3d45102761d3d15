/**
 * Plugin archives as `notation plugin install` takes them: a zip (its top-level regular files)
 * or a tar.gz (its regular files, at any depth, by base name) holding one executable named
 * `notation-<name>` (or one file of that form when none is executable), and other files
 * (LICENSE, libraries) that notation installs beside it. Entries with `..` in their name,
 * absolute names and links are refused, and the files together may not reach 256 MiB
 * uncompressed (notation's limit). Decompression uses the Web `DecompressionStream`; zip entries
 * are checked against their CRC-32 and size.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { fromUtf8 } from "../_internal/bytes.ts";
import { Crc32 } from "../_internal/crc32.ts";
import { readBounded } from "../content/_streams.ts";
import { InvalidInputError, SizeExceededError, UnsupportedError } from "../errors.ts";
import { readTar, type TarReadHeader } from "../tar/mod.ts";

/** notation's cap on what a plugin archive's files add up to. */
export const MAX_PLUGIN_ARCHIVE_FILES_BYTES = 256 << 20;

/** A file installed beside a plugin executable. */
export interface PluginFile {
  /** Base name. */
  name: string;
  /** Content. */
  bytes: Bytes;
  /** Permission bits, as notation copies them (the archive's mode and 0o755). */
  mode: number;
}

/** A plugin executable taken out of an archive, with the archive's other regular files. */
export interface ArchivedPlugin {
  /** The plugin's name (`notation-<name>` without the prefix). */
  name: string;
  /** The executable's bytes. */
  bytes: Bytes;
  /** The archive's other regular files, installed in the plugin's directory too. */
  files: PluginFile[];
}

/** The archive kind of `bytes`, by its magic number. */
export function pluginArchiveKind(bytes: Bytes): "zip" | "tar.gz" | undefined {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5)) return "zip";
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return "tar.gz";
  return undefined;
}

/**
 * Takes the `notation-<name>` executable and the other regular files out of a zip or tar.gz
 * plugin archive. As in notation, the executable is the one `notation-<name>` file with an
 * execute bit, or the only `notation-<name>` file when none has one; a later tar entry of the
 * same base name replaces an earlier one.
 *
 * @example
 * ```ts ignore
 * import { extractPluginArchive } from "./plugin_archive.ts";
 * const { name, bytes, files } = await extractPluginArchive(archiveBytes, "zip");
 * ```
 * @param bytes The archive.
 * @param kind What {@linkcode pluginArchiveKind} said.
 * @param signal Cancels the read.
 * @returns The plugin's name, executable and other files.
 * @throws {InvalidInputError} ERR_INVALID_INPUT for a malformed archive, a `..` or absolute
 * name, a link, no or several candidates, or a zip entry whose CRC-32 or size is wrong.
 * @throws {SizeExceededError} ERR_SIZE_EXCEEDED when the files reach 256 MiB.
 * @throws {UnsupportedError} ERR_UNSUPPORTED for zip64 or an unknown zip compression method.
 */
export async function extractPluginArchive(
  bytes: Bytes,
  kind: "zip" | "tar.gz",
  signal?: AbortSignal,
): Promise<ArchivedPlugin> {
  const byName = new Map<string, ArchivedFile>();
  const listed = kind === "zip" ? zipFiles(bytes, signal) : await tarGzFiles(bytes, signal);
  for (const file of listed) byName.set(file.name, file);
  const files = [...byName.values()];
  const candidates = files.filter((f) => f.name.startsWith("notation-") && f.name !== "notation-");
  const executables = candidates.filter((f) => (f.mode & 0o111) !== 0);
  if (executables.length > 1) {
    throw new InvalidInputError(
      `found more than one plugin executable file in the ${kind} archive: ${
        executables.map((c) => c.name).join(", ")
      }`,
    );
  }
  const plugin = executables[0] ?? (candidates.length === 1 ? candidates[0] : undefined);
  if (plugin === undefined) {
    throw new InvalidInputError(
      `no plugin executable file was found in the ${kind} archive: it needs one file named notation-<name>`,
    );
  }
  const others: PluginFile[] = [];
  for (const file of files) {
    if (file === plugin) continue;
    others.push({ name: file.name, bytes: await file.read(), mode: file.mode & 0o755 });
  }
  return { name: plugin.name.slice("notation-".length), bytes: await plugin.read(), files: others };
}

interface ArchivedFile {
  /** Base name. */
  name: string;
  /** Permission bits (0o644 for a zip entry without a Unix mode). */
  mode: number;
  read(): Promise<Bytes>;
}

function checkEntryName(name: string, kind: string): void {
  if (name.includes("..") || name.startsWith("/") || /^[A-Za-z]:/.test(name)) {
    throw new InvalidInputError(
      `file name in ${kind} cannot contain '..' or be absolute, but found ${JSON.stringify(name)}`,
    );
  }
}

function tooLarge(total: number): SizeExceededError {
  return new SizeExceededError(
    "the files of the plugin archive",
    total,
    MAX_PLUGIN_ARCHIVE_FILES_BYTES,
  );
}

async function tarGzFiles(bytes: Bytes, signal: AbortSignal | undefined): Promise<ArchivedFile[]> {
  const tar = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  const files: ArchivedFile[] = [];
  let total = 0;
  // A file's header is judged before its content is read (readTar asks only about files).
  const judge = (h: TarReadHeader): boolean => {
    checkEntryName(h.path, "tar.gz");
    total += h.size;
    if (total >= MAX_PLUGIN_ARCHIVE_FILES_BYTES) throw tooLarge(total);
    return true;
  };
  try {
    for await (
      const entry of readTar(tar, {
        want: judge,
        maxContentBytes: MAX_PLUGIN_ARCHIVE_FILES_BYTES,
        ...(signal ? { signal } : {}),
      })
    ) {
      const h = entry.header;
      checkEntryName(h.path, "tar.gz");
      if (h.type === "symlink" || h.type === "hardlink") {
        throw new InvalidInputError(
          `the tar.gz plugin archive holds a link ${
            JSON.stringify(h.path)
          }; plugin archives must hold regular files only`,
        );
      }
      const content = entry.content;
      if (h.type === "file" && content !== undefined) {
        files.push({
          name: basename(h.path),
          mode: h.mode & 0o7777,
          read: () => Promise.resolve(content),
        });
      }
    }
  } catch (err) {
    if (err instanceof TypeError) {
      throw new InvalidInputError(`the plugin archive is not a valid gzip stream: ${err.message}`, {
        cause: err,
      });
    }
    throw err;
  }
  return files;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;

function zipFiles(bytes: Bytes, signal: AbortSignal | undefined): ArchivedFile[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (why: string) => new InvalidInputError(`the zip plugin archive is malformed: ${why}`);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw bad("no end of central directory");
  const count = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  if (count === 0xffff || at === 0xffffffff) {
    throw new UnsupportedError("zip64 plugin archives are not supported; use a tar.gz");
  }
  const files: ArchivedFile[] = [];
  let total = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== CENTRAL) {
      throw bad("a central directory entry is out of place");
    }
    const madeBy = view.getUint16(at + 4, true) >> 8;
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    const packed = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const mode = view.getUint32(at + 38, true) >>> 16;
    const local = view.getUint32(at + 42, true);
    const name = fromUtf8(bytes.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
    checkEntryName(name, "zip");
    // made by Unix (3): the high bits of the external attributes are the file mode
    const unixType = madeBy === 3 ? mode & S_IFMT : 0;
    if (unixType === S_IFLNK) {
      throw new InvalidInputError(
        `the zip plugin archive holds a link ${
          JSON.stringify(name)
        }; plugin archives must hold regular files only`,
      );
    }
    // notation takes the archive's top-level regular files only
    if (name.endsWith("/") || name.includes("/") || (unixType !== 0 && unixType !== S_IFREG)) {
      continue;
    }
    if (size === 0xffffffff || packed === 0xffffffff) {
      throw new UnsupportedError("zip64 plugin archives are not supported; use a tar.gz");
    }
    total += size;
    if (total >= MAX_PLUGIN_ARCHIVE_FILES_BYTES) throw tooLarge(total);
    if (local + 30 > bytes.length || view.getUint32(local, true) !== LOCAL) {
      throw bad(`the local header of ${JSON.stringify(name)} is out of place`);
    }
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + packed > bytes.length) throw bad(`${JSON.stringify(name)} is truncated`);
    const data = bytes.subarray(start, start + packed);
    files.push({
      name,
      mode: unixType === 0 ? 0o644 : mode & 0o7777,
      read: () => inflateEntry(name, data, method, size, crc, signal),
    });
  }
  return files;
}

async function inflateEntry(
  name: string,
  data: Bytes,
  method: number,
  size: number,
  crc: number,
  signal: AbortSignal | undefined,
): Promise<Bytes> {
  let out: Bytes;
  if (method === 0) out = data;
  else if (method === 8) {
    try {
      out = await readBounded(
        new Blob([data]).stream().pipeThrough(new DecompressionStream("deflate-raw")),
        { limit: size, what: `${name} in the zip plugin archive`, signal },
      );
    } catch (err) {
      if (!(err instanceof TypeError)) throw err;
      throw new InvalidInputError(`${JSON.stringify(name)} in the zip archive does not inflate`, {
        cause: err,
      });
    }
  } else {
    throw new UnsupportedError(
      `${
        JSON.stringify(name)
      } in the zip archive uses compression method ${method}; only stored and deflate are supported`,
    );
  }
  if (out.length !== size || crc32(out) !== crc) {
    throw new InvalidInputError(
      `${JSON.stringify(name)} in the zip archive does not match its recorded size and CRC-32`,
    );
  }
  return out;
}

function crc32(data: Bytes): number {
  const crc = new Crc32();
  crc.update(data);
  return crc.value;
}
