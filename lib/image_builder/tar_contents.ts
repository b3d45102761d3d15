/**
 * Taking file contents out of a tar (a base-image layer or an `ADD` archive) in one pass with
 * bounded memory: small files into memory within the spool's budget, the rest into one spool
 * file, or, with no spool directory, as streams that read the tar again up to their entry.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { concat } from "../_internal/bytes.ts";
import { BuildError } from "../errors.ts";
import type { ContentSpool, SpoolSink } from "./content_spool.ts";
import { cleanPath } from "../dockerfile/dockerignore.ts";
import type { ContentSource, TreeNode } from "./file_tree.ts";
import { readTar } from "../tar/mod.ts";
import type { TarReadHeader } from "../tar/mod.ts";

/** Options for {@linkcode captureTar}. */
export interface CaptureTarOptions {
  /**
   * Sees every entry (numbered from 0 in archive order, metadata entries not counted) and says
   * whether the content of a file entry is wanted.
   */
  visit: (header: TarReadHeader, ordinal: number) => boolean;
  /** Opens the same tar again (to read a content that was not kept). */
  reopen: () => Promise<ReadableStream<Uint8Array>>;
  /** Cancellation. */
  signal?: AbortSignal;
}

async function readBody(body: ReadableStream<Uint8Array>): Promise<Bytes> {
  const parts: Uint8Array[] = [];
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return concat(parts);
    parts.push(value);
  }
}

/**
 * Reads a tar once and keeps the wanted file contents where the spool says.
 *
 * @example
 * ```ts ignore
 * const spool = new ContentSpool({ spool: { fs, dir } });
 * const contents = await captureTar(await open(), spool, { visit: () => true, reopen: open });
 * ```
 * @param tar The uncompressed tar.
 * @param spool Memory budget and temporary files (the caller disposes of it).
 * @param opts Which entries, how to read the tar again, and cancellation.
 * @returns The contents of the wanted files with content, by entry number.
 * @throws {InvalidInputError} ERR_INVALID_INPUT when the tar is malformed or truncated.
 */
export async function captureTar(
  tar: ReadableStream<Uint8Array>,
  spool: ContentSpool,
  opts: CaptureTarOptions,
): Promise<Map<number, ContentSource>> {
  const out = new Map<number, ContentSource>();
  const { signal } = opts;
  const scan = async (sink: SpoolSink | undefined): Promise<void> => {
    let ordinal = -1;
    const entries = readTar(tar, {
      stream: (h) => h.type === "file",
      ...(signal === undefined ? {} : { signal }),
    });
    for await (const { header, body } of entries) {
      ordinal++;
      if (!opts.visit(header, ordinal) || header.type !== "file") continue;
      if (body === undefined) out.set(ordinal, { kind: "bytes", bytes: new Uint8Array(0) });
      else if (spool.reserve(header.size)) {
        out.set(ordinal, { kind: "bytes", bytes: await readBody(body) });
      } else if (sink !== undefined) out.set(ordinal, (await sink.add(body)).content);
      else out.set(ordinal, rereadContent(opts.reopen, ordinal, signal));
    }
  };
  if (spool.onDisk) await spool.write(scan);
  else await scan(undefined);
  return out;
}

function rereadContent(
  reopen: () => Promise<ReadableStream<Uint8Array>>,
  ordinal: number,
  signal: AbortSignal | undefined,
): ContentSource {
  return {
    kind: "stream",
    temporary: true,
    open: async () => openTarEntry(await reopen(), ordinal, signal),
  };
}

/**
 * Streams the content of the entry numbered `ordinal` (counted as {@linkcode captureTar} counts).
 *
 * @example
 * ```ts ignore
 * const body = await openTarEntry(await open(), 3);
 * ```
 * @param tar The uncompressed tar.
 * @param ordinal The entry's number.
 * @param signal Cancellation.
 * @returns The content; the tar is closed when it ends or is cancelled.
 * @throws {BuildError} ERR_BUILD when the tar no longer has that file entry.
 */
export async function openTarEntry(
  tar: ReadableStream<Uint8Array>,
  ordinal: number,
  signal?: AbortSignal,
): Promise<ReadableStream<Bytes>> {
  const entries = readTar(tar, {
    stream: () => true,
    ...(signal === undefined ? {} : { signal }),
  });
  try {
    for (let i = 0;; i++) {
      const next = await entries.next();
      if (next.done) break;
      if (i < ordinal) continue;
      if (next.value.body === undefined) break;
      const reader = next.value.body.getReader();
      return new ReadableStream<Bytes>({
        async pull(controller): Promise<void> {
          const { done, value } = await reader.read().catch(async (err) => {
            await entries.return(undefined);
            throw err;
          });
          if (!done) {
            controller.enqueue(value);
            return;
          }
          controller.close();
          await entries.return(undefined);
        },
        async cancel(): Promise<void> {
          await reader.cancel().catch(() => {});
          await entries.return(undefined);
        },
      }, { highWaterMark: 0 });
    }
  } catch (err) {
    await entries.return(undefined);
    throw err;
  }
  await entries.return(undefined);
  throw new BuildError(
    `Cannot read entry ${ordinal} of an archive again: it changed during the build`,
  );
}

/**
 * The tree node a tar entry stands for, without its content; a hard link's target is cleaned
 * as the entry's own path is.
 *
 * @example
 * ```ts
 * import { treeNodeOf } from "./tar_contents.ts";
 * const node = treeNodeOf("etc/motd", {
 *   path: "etc/motd", type: "file", mode: 0o644, uid: 0, gid: 0, size: 5, linkname: "",
 * });
 * console.log(node.size); // 5
 * ```
 * @param path The entry's cleaned path.
 * @param header The entry's header.
 * @returns A node without content.
 */
export function treeNodeOf(path: string, header: TarReadHeader): TreeNode {
  const node: TreeNode = {
    path,
    type: header.type as TreeNode["type"],
    mode: header.mode,
    uid: header.uid,
    gid: header.gid,
    size: header.size,
  };
  if (header.type === "symlink") node.linkname = header.linkname;
  if (header.type === "hardlink") node.linkname = cleanPath(`/${header.linkname}`);
  return node;
}
