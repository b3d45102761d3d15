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
import { BuildError, InvalidInputError } from "../errors.ts";
import { decompressStream, detectCompression } from "./decompress.ts";
import type { ContentSpool } from "./content_spool.ts";
import { cleanPath } from "./dockerignore.ts";
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

function isTar(head: Uint8Array): boolean {
  return head.length >= 262 && String.fromCharCode(...head.subarray(257, 262)) === "ustar";
}

/**
 * Extracts a local archive source into a tree when it is a tar (plain, gzip, bzip2, xz or zstd),
 * as ADD does;
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
 * @returns The archive's contents, or `undefined`.
 * @throws {BuildError} ERR_BUILD for corrupt or truncated archives.
 */
export async function extractArchive(
  node: TreeNode,
  line: number,
  spool: ContentSpool,
  signal?: AbortSignal,
): Promise<FileTree | undefined> {
  if (node.type !== "file") return undefined;
  const [source] = await materializeNodes([node], spool, signal);
  try {
    return await extract(source!, spool, signal);
  } catch (err) {
    if (!(err instanceof InvalidInputError)) throw err;
    throw new BuildError(
      `Dockerfile line ${line}: ADD ${node.path}: the archive is corrupt or truncated (${err.message}); check or re-create it`,
      { cause: err },
    );
  }
}

async function extract(
  node: TreeNode,
  spool: ContentSpool,
  signal: AbortSignal | undefined,
): Promise<FileTree | undefined> {
  const head = await readHead(await openNodeContent(node), 512);
  let open: () => Promise<ReadableStream<Uint8Array>>;
  const format = detectCompression(head);
  if (format !== undefined) {
    open = async () => decompressStream(await openNodeContent(node), format);
    if (!isTar(await readHead(await open(), 512))) return undefined;
  } else if (isTar(head)) {
    open = () => openNodeContent(node);
  } else return undefined;
  const tree = new FileTree();
  const files = new Map<number, TreeNode>();
  const contents = await captureTar(await open(), spool, {
    visit: (header, ordinal) => {
      const path = cleanPath(`/${header.path}`);
      if (path === "." || header.type === "other") return false;
      const out = treeNodeOf(path, header);
      for (let i = path.indexOf("/"); i !== -1; i = path.indexOf("/", i + 1)) {
        const dir = path.slice(0, i);
        if (tree.get(dir) === undefined) {
          tree.apply({ path: dir, type: "directory", mode: 0o755, uid: 0, gid: 0, size: 0 });
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
