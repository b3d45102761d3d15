/**
 * Turns a set of file-system nodes into a layer blob in an output target: a deterministic tar
 * (sorted by path bytes, hard links pointing at the first path of their group, every mtime set to
 * the build timestamp), gzipped with fflate, hashed as it flows (diff_id over the tar, digest over
 * the gzip). Small layers are kept in memory and pushed once. Large ones are spooled to a temp
 * file as they are compressed (one tar and gzip pass) and moved into a store that takes over
 * files (an OCI layout; else pushed from the file), or, with no spool
 * directory, hashed in a first pass and regenerated for the push; memory does not grow with the
 * layer size either way.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { concat } from "../_internal/bytes.ts";
import type { Fs } from "../content/fs.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import type { Target } from "../content/storage.ts";
import { canIngestFiles } from "../content/blob_abilities.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { MEDIA_TYPE_OCI_LAYER_GZIP } from "../oci/media_types.ts";
import { BuildError } from "../errors.ts";
import { gzipDeterministic } from "../compression/gzip.ts";
import type { TreeNode } from "./file_tree.ts";
import { writeTar } from "../tar/mod.ts";
import type { TarWriterEntry } from "../tar/mod.ts";

/** Layers with more content than this are deflated off the main thread. */
const OFF_THREAD_BYTES = 4 * 1024 * 1024;

/** Options for {@linkcode writeLayer}. */
export interface WriteLayerOptions {
  /** Where the blob goes. */
  output: Target;
  /** Incremental hashers. */
  hasher: HasherFactory;
  /** mtime of every entry, seconds since the epoch. */
  timestamp: number;
  /** Layers whose compressed size stays under this are pushed from memory (default 8 MiB). */
  memoryLimit?: number;
  /** Where larger layers are spooled while they are compressed (else they are made twice). */
  spool?: { fs: Fs; dir: string };
  /** Cancellation. */
  signal?: AbortSignal;
  /** Told the compressed bytes of the layer written so far. */
  onProgress?: (bytes: number) => void;
}

/** A written layer. */
export interface WrittenLayer {
  /** The gzip layer's descriptor. */
  descriptor: Descriptor;
  /** sha256 of the uncompressed tar. */
  diffId: string;
  /**
   * For each file node, the path of the layer entry that holds its content (in a group of hard
   * links, the first path in tar order).
   */
  contentPaths: Map<string, string>;
}

/**
 * Compares two strings by their UTF-8 bytes (the order tar readers and `sort` in C locale use).
 *
 * @example
 * ```ts
 * import { compareUtf8 } from "./layer_writer.ts";
 * console.log(["b", "a/b", "a-b", "a"].sort(compareUtf8)); // ["a", "a-b", "a/b", "b"]
 * ```
 * @param a First string.
 * @param b Second string.
 * @returns Negative, zero or positive.
 */
export function compareUtf8(a: string, b: string): number {
  // UTF-8 byte order is code point order: it differs from UTF-16 unit order only where a
  // surrogate (a code point above U+FFFF) meets a unit at or above U+E000.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

function toEntries(
  nodes: readonly TreeNode[],
  timestamp: number,
  contentPaths: Map<string, string>,
): TarWriterEntry[] {
  const sorted = [...nodes].sort((a, b) => compareUtf8(a.path, b.path));
  const byPath = new Map(sorted.map((n) => [n.path, n]));
  const groupOwner = new Map<string, string>();
  for (const node of sorted) {
    if (node.type !== "hardlink") continue;
    let root = node.linkname ?? "";
    for (let hops = 0; byPath.get(root)?.type === "hardlink" && hops < 64; hops++) {
      root = byPath.get(root)!.linkname ?? "";
    }
    if (byPath.get(root)?.type !== "file") {
      throw new BuildError(
        `Hard link /${node.path} points at /${root}, which is not a file in the same layer`,
      );
    }
    const current = groupOwner.get(root) ?? root;
    groupOwner.set(root, compareUtf8(node.path, current) < 0 ? node.path : current);
    groupOwner.set(node.path, root);
  }
  const first = (path: string): string => {
    const root = byPath.get(path)?.type === "hardlink" ? groupOwner.get(path)! : path;
    return groupOwner.get(root) ?? root;
  };
  return sorted.map((node): TarWriterEntry => {
    const base = {
      path: node.path,
      mode: node.mode,
      uid: node.uid,
      gid: node.gid,
      mtime: timestamp,
    };
    if (node.type === "directory") return { ...base, type: "directory", size: 0 };
    if (node.type === "symlink") {
      return { ...base, type: "symlink", size: 0, linkname: node.linkname ?? "" };
    }
    if (node.type === "other") {
      throw new BuildError(
        `Cannot add /${node.path}: devices, fifos and sockets are not supported`,
      );
    }
    const root = node.type === "hardlink" ? groupOwner.get(node.path)! : node.path;
    const owner = first(root);
    const fileNode = byPath.get(root)!;
    if (node.type === "file") contentPaths.set(node.path, owner);
    if (owner !== node.path) return { ...base, type: "hardlink", size: 0, linkname: owner };
    const entry: TarWriterEntry = { ...base, type: "file", size: fileNode.size };
    if (node.type === "hardlink") {
      entry.mode = fileNode.mode;
      entry.uid = fileNode.uid;
      entry.gid = fileNode.gid;
    }
    const source = fileNode.content;
    if (source?.kind === "stream") entry.open = source.open;
    else if (source?.kind === "bytes") {
      const bytes = source.bytes;
      entry.open = () => Promise.resolve(new Blob([bytes]).stream());
    } else if (fileNode.size > 0) {
      throw new BuildError(`Cannot add /${node.path}: its content was not loaded`);
    }
    return entry;
  });
}

/**
 * Writes nodes as one gzip layer into the output target.
 *
 * @example
 * ```ts ignore
 * const { descriptor, diffId } = await writeLayer(nodes, { output, hasher, timestamp: 0 });
 * ```
 * @param nodes The layer's nodes (any order).
 * @param opts Output, hasher, timestamp, memory limit and cancellation.
 * @returns The layer descriptor, diff_id, and where each file's content is in the layer.
 * @throws {BuildError} ERR_BUILD when content changes while it is read or a node cannot be written.
 */
export async function writeLayer(
  nodes: readonly TreeNode[],
  opts: WriteLayerOptions,
): Promise<WrittenLayer> {
  const contentPaths = new Map<string, string>();
  const entries = toEntries(nodes, opts.timestamp, contentPaths);
  const limit = opts.memoryLimit ?? 8 * 1024 * 1024;
  const signal = opts.signal === undefined ? {} : { signal: opts.signal };
  const diffHasher = opts.hasher("sha256");
  const digestHasher = opts.hasher("sha256");
  let size = 0;
  let kept: Bytes[] | undefined = [];
  // Deflate is most of a build's CPU: for a layer of some size it runs in a worker, beside the
  // reading, hashing and writing here (the same bytes either way).
  const gzipOpts = { worker: entries.reduce((n, e) => n + e.size, 0) > OFF_THREAD_BYTES };
  const compressed = gzipDeterministic(
    writeTar(entries, signal),
    (c) => diffHasher.update(c),
    gzipOpts,
  );
  const hashed = async function* (): AsyncGenerator<Bytes> {
    for await (const chunk of compressed) {
      digestHasher.update(chunk);
      size += chunk.length;
      opts.onProgress?.(size);
      if (kept !== undefined) {
        kept.push(chunk);
        if (size > limit) kept = undefined;
      }
      yield chunk;
    }
  };
  const spool = opts.spool ? `${opts.spool.dir}/layer-${crypto.randomUUID()}` : undefined;
  try {
    if (spool !== undefined) {
      await opts.spool!.fs.writeFileAtomic(spool, toStream(hashed()), signal);
    } else for await (const _ of hashed()) { /* hashing only */ }
    const descriptor: Descriptor = {
      mediaType: MEDIA_TYPE_OCI_LAYER_GZIP,
      digest: `sha256:${digestHasher.digestHex()}`,
      size,
    };
    const diffId = `sha256:${diffHasher.digestHex()}`;
    if (!(await opts.output.exists(descriptor, signal))) {
      if (kept !== undefined) await opts.output.push(descriptor, concat(kept), signal);
      else if (spool !== undefined) {
        await storeSpooled(opts.output, descriptor, spool, opts.spool!.fs, signal);
      } else {
        await opts.output.push(
          descriptor,
          toStream(gzipDeterministic(writeTar(entries, signal), undefined, gzipOpts)),
          signal,
        );
      }
    }
    return { descriptor, diffId, contentPaths };
  } finally {
    if (spool !== undefined) await opts.spool!.fs.remove(spool);
  }
}

/**
 * Stores a spooled layer, whose bytes were hashed as they were written: moved into a store that
 * takes over files (no second read, hash and write of the layer), else copied.
 */
async function storeSpooled(
  output: Target,
  descriptor: Descriptor,
  spool: string,
  fs: Fs,
  signal: { signal?: AbortSignal },
): Promise<void> {
  if (canIngestFiles(output)) {
    try {
      return await output.ingestVerifiedFile(descriptor, spool, signal);
    } catch (err) {
      // A spool on another file system cannot be moved there: copy it instead.
      if (signal.signal?.aborted) throw err;
      if ((await fs.stat(spool))?.isFile !== true) throw err;
    }
  }
  const file = await fs.open(spool);
  try {
    await output.push(descriptor, file.stream(), signal);
  } finally {
    await file.close();
  }
}

function toStream(chunks: AsyncGenerator<Bytes>): ReadableStream<Bytes> {
  return new ReadableStream<Bytes>({
    async pull(controller): Promise<void> {
      const { done, value } = await chunks.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel(): Promise<void> {
      await chunks.return(undefined);
    },
  });
}
