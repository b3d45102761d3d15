/**
 * What ADD does beyond COPY for a local source: a tar archive (plain, gzip, bzip2, xz or zstd) is
 * extracted into the destination, streamed through once with its contents kept in a
 * {@linkcode ContentSpool} (never the whole archive in memory). URLs are downloaded by
 * `add_download.ts`.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { concat } from "../_internal/bytes.ts";
import { InvalidInputError, SizeExceededError } from "../errors.ts";
import { DockerfileLineError } from "../dockerfile/line_error.ts";
import { decompressStream, detectCompression } from "../compression/decompress.ts";
import type { ContentSpool } from "./content_spool.ts";
import { cleanPath } from "../dockerfile/dockerignore.ts";
import { FileTree } from "./file_tree.ts";
import type { TreeNode } from "./file_tree.ts";
import { materializeNodes, openNodeContent } from "./node_content.ts";
import { captureTar, treeNodeOf } from "./tar_contents.ts";

/**
 * Whether an ADD source is a URL.
 *
 * @example
 * ```ts
 * import { isUrlSource } from "./add_sources.ts";
 * console.log(isUrlSource("https://example.com/a.tgz"), isUrlSource("a.tgz")); // true false
 * ```
 * @param source The source as written.
 * @returns True for http(s) URLs and git sources.
 */
export function isUrlSource(source: string): boolean {
  return /^(?:https?|git):\/\//i.test(source) || /^git@/.test(source);
}

async function readHead(stream: ReadableStream<Uint8Array>, length: number): Promise<Bytes> {
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < length) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      total += value.length;
    }
  } finally {
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
  return concat(parts).subarray(0, length);
}

/** The most an ADD archive may expand to (8 GiB). */
export const MAX_ADD_ARCHIVE_EXPANDED_BYTES = 8 * 1024 * 1024 * 1024;

/** How many times its own size a compressed ADD archive may expand to (past the floor). */
export const MAX_ADD_ARCHIVE_RATIO = 100;

/** Expanded size below which the ratio is not checked (64 MiB). */
export const ADD_ARCHIVE_RATIO_FLOOR_BYTES = 64 * 1024 * 1024;

/** Limits on what an ADD archive expands to (each has a default). */
export interface ArchiveLimits {
  /** Absolute cap on the uncompressed tar (default {@linkcode MAX_ADD_ARCHIVE_EXPANDED_BYTES}). */
  maxExpandedBytes?: number;
  /** Cap on uncompressed / compressed size (default {@linkcode MAX_ADD_ARCHIVE_RATIO}). */
  maxExpansionRatio?: number;
  /** Size under which the ratio is not checked (default {@linkcode ADD_ARCHIVE_RATIO_FLOOR_BYTES}). */
  ratioFloorBytes?: number;
}

/** The expanded size allowed for an archive of `compressed` bytes. */
function expandedLimit(compressed: number, limits: ArchiveLimits): number {
  const ratio = limits.maxExpansionRatio ?? MAX_ADD_ARCHIVE_RATIO;
  const floor = limits.ratioFloorBytes ?? ADD_ARCHIVE_RATIO_FLOOR_BYTES;
  const absolute = limits.maxExpandedBytes ?? MAX_ADD_ARCHIVE_EXPANDED_BYTES;
  return Math.min(absolute, Math.max(floor, ratio * compressed));
}

/** Passes bytes through and fails once more than `limit` have passed. */
function capped(
  stream: ReadableStream<Uint8Array>,
  limit: number,
  tooLarge: (seen: number) => Error,
): ReadableStream<Uint8Array> {
  let seen = 0;
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller): void {
        seen += chunk.length;
        if (seen > limit) throw tooLarge(seen);
        controller.enqueue(chunk);
      },
    }),
  );
}

function isTar(head: Uint8Array): boolean {
  return head.length >= 262 && String.fromCharCode(...head.subarray(257, 262)) === "ustar";
}

/**
 * Extracts a local archive source into a tree when it is a tar (plain, gzip, bzip2, xz or zstd),
 * as ADD does (an entry whose directories go through a symlink the archive made is placed where
 * the link leads, inside the destination, as BuildKit's unpacking in a chroot places it);
 * returns `undefined` when the file is not an archive (ADD then copies it as is). The archive is
 * read once; its file contents are kept in `spool` until the layer is written.
 *
 * @example
 * ```ts ignore
 * const tree = await extractArchive(node, 7, spool);
 * ```
 * @param node The source file.
 * @param line Line for errors.
 * @param spool Where the extracted contents are kept (the caller disposes of it).
 * @param signal Cancellation.
 * @param limits Caps on the expanded size (absolute, and as a ratio to the archive's size).
 * @returns The archive's contents, or `undefined`.
 * @throws {BuildError} ERR_BUILD for corrupt or truncated archives, or an entry below a file.
 * @throws {SizeExceededError} ERR_SIZE_EXCEEDED when it expands past its limits (a zip bomb).
 */
export async function extractArchive(
  node: TreeNode,
  line: number,
  spool: ContentSpool,
  signal?: AbortSignal,
  limits: ArchiveLimits = {},
): Promise<FileTree | undefined> {
  if (node.type !== "file") return undefined;
  const [source] = await materializeNodes([node], spool, signal);
  const limit = expandedLimit(node.size, limits);
  const tooLarge = (seen: number): Error =>
    new SizeExceededError(
      `Dockerfile line ${line}: ADD ${node.path}: the archive (${node.size} bytes) expands to more than ${limit} bytes (${seen} so far), which looks like a decompression bomb; extract it outside the build, or raise the limit`,
      seen,
      limit,
    );
  try {
    return await extract(
      line,
      `ADD ${node.path}`,
      source!,
      spool,
      signal,
      (stream) => capped(stream, limit, tooLarge),
    );
  } catch (err) {
    if (!(err instanceof InvalidInputError)) throw err;
    throw new DockerfileLineError(
      line,
      `ADD ${node.path}: the archive is corrupt or truncated (${err.message}); check or re-create it`,
      { cause: err },
    );
  }
}

async function extract(
  line: number,
  where: string,
  node: TreeNode,
  spool: ContentSpool,
  signal: AbortSignal | undefined,
  cap: (stream: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>,
): Promise<FileTree | undefined> {
  const head = await readHead(await openNodeContent(node), 512);
  let open: () => Promise<ReadableStream<Uint8Array>>;
  const format = detectCompression(head);
  if (format !== undefined) {
    open = async () => cap(decompressStream(await openNodeContent(node), format));
    if (!isTar(await readHead(await open(), 512))) return undefined;
  } else if (isTar(head)) {
    open = async () => cap(await openNodeContent(node));
  } else return undefined;
  const tree = new FileTree();
  const files = new Map<number, TreeNode>();
  const contents = await captureTar(await open(), spool, {
    visit: (header, ordinal) => {
      const named = cleanPath(`/${header.path}`);
      if (named === "." || header.type === "other") return false;
      // As the archive is unpacked in a chroot at the destination (BuildKit): an entry below a
      // symlink the archive made lands where the link leads, never outside the destination.
      const path = tree.resolve(named, false);
      if (path === "") return false;
      const out = treeNodeOf(path, header);
      if (out.type === "hardlink") out.linkname = tree.resolve(out.linkname!, false);
      for (let i = path.indexOf("/"); i !== -1; i = path.indexOf("/", i + 1)) {
        const dir = path.slice(0, i);
        const parent = tree.get(dir);
        if (parent === undefined) {
          tree.apply({ path: dir, type: "directory", mode: 0o755, uid: 0, gid: 0, size: 0 });
        } else if (parent.type !== "directory") {
          throw new DockerfileLineError(
            line,
            `${where}: entry ${header.path} of the archive is below /${dir}, which the archive made a ${parent.type}, not a directory; fix the archive`,
          );
        }
      }
      tree.apply(out);
      files.set(ordinal, out);
      return header.type === "file";
    },
    reopen: open,
    ...(signal === undefined ? {} : { signal }),
  });
  for (const [ordinal, content] of contents) files.get(ordinal)!.content = content;
  return tree;
}
