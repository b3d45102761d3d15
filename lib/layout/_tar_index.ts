/**
 * A layout tar's members for random access: the archive indexed by lib/tar, with a layout's
 * rules on top (no absolute names, no `..`, links inside the archive, each name once, only files,
 * directories and links).
 *
 * @module
 */
import type { FileHandle } from "../content/fs.ts";
import { InvalidInputError, InvalidLayoutError } from "../errors.ts";
import { checksumMatches, indexTar } from "../tar/mod.ts";
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
 * Indexes every entry of a layout tar, reading only headers.
 * @throws {InvalidLayoutError} ERR_INVALID_LAYOUT for a file that is not an uncompressed tar, a
 *   truncated archive, unsafe names or links, duplicate names, or special files.
 */
export async function indexLayoutTar(
  file: FileHandle,
  where: string,
): Promise<Map<string, TarMember>> {
  if (file.size < 512) {
    throw new InvalidLayoutError(`${where} is not an uncompressed tar archive (too short)`);
  }
  if (!checksumMatches(await file.read(0, 512))) {
    throw new InvalidLayoutError(
      `${where} is not an uncompressed tar archive (compressed layout tars are not supported)`,
    );
  }
  const members = new Map<string, TarMember>();
  try {
    for await (const { header, offset } of indexTar(file)) {
      const norm = normalizeTarName(header.path, where);
      const type = header.type === "file"
        ? "file"
        : header.type === "directory"
        ? "directory"
        : header.type === "other"
        ? undefined
        : "link";
      if (type === undefined) {
        throw new InvalidLayoutError(
          `${where}: tar entry ${
            JSON.stringify(header.path)
          } has an unsupported type (only files, directories and links)`,
        );
      }
      if (norm === undefined) continue;
      const hardLink = header.type === "hardlink";
      if (type === "link") checkLinkTarget(norm, header.linkname, hardLink, where);
      const prev = members.get(norm);
      if (prev && !(prev.type === "directory" && type === "directory")) {
        throw new InvalidLayoutError(`${where}: tar entry ${norm} appears more than once`);
      }
      const member: TarMember = { name: norm, type, offset, size: header.size, mode: header.mode };
      if (type === "link") {
        member.linkName = header.linkname;
        member.hardLink = hardLink;
      }
      members.set(norm, member);
    }
  } catch (err) {
    if (!(err instanceof InvalidInputError)) throw err;
    throw new InvalidLayoutError(`${where}: ${err.message}`, { cause: err });
  }
  return members;
}
