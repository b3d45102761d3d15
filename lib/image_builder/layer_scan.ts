/**
 * Reading layers of a stage: decompress a layer, merge its entries into a {@linkcode FileTree}
 * with overlay whiteouts, and take the contents of chosen files out of it.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import { BuildError, DigestMismatchError } from "../errors.ts";
import { gunzipStream } from "../compression/gzip.ts";
import type { ContentSpool } from "./content_spool.ts";
import { cleanPath } from "../dockerfile/dockerignore.ts";
import type { ContentSource, FileTree, LayerSource } from "./file_tree.ts";
import { captureTar, treeNodeOf } from "./tar_contents.ts";
import { readTar } from "../tar/mod.ts";
import type { TarReadHeader } from "../tar/mod.ts";

/** Files whose content is kept while scanning (needed to resolve `--chown` names). */
const KEEP_CONTENT = new Set(["etc/passwd", "etc/group"]);

/**
 * Opens a layer's uncompressed tar stream (gzip or plain tar).
 *
 * @example
 * ```ts ignore
 * const tar = await openLayer(layer);
 * ```
 * @param layer The layer and its store.
 * @param signal Cancellation.
 * @returns The tar bytes.
 * @throws {BuildError} ERR_BUILD for zstd or unknown layer media types.
 */
export async function openLayer(
  layer: LayerSource,
  signal?: AbortSignal,
): Promise<ReadableStream<Uint8Array>> {
  const mediaType = layer.descriptor.mediaType;
  const stream = await layer.target.fetch(layer.descriptor, signal === undefined ? {} : { signal });
  if (mediaType.endsWith("gzip")) return gunzipStream(stream);
  if (
    mediaType.endsWith(".tar") || mediaType.endsWith(".tar.v1") ||
    mediaType.endsWith("layer.v1.tar")
  ) {
    return stream;
  }
  await stream.cancel().catch(() => {});
  throw new BuildError(
    `Cannot read base layer ${layer.descriptor.digest}: media type ${mediaType} is not supported (gzip or plain tar only)`,
  );
}

function nodePath(header: TarReadHeader): string | undefined {
  const path = cleanPath(`/${header.path}`);
  return path === "." ? undefined : path;
}

/** Options for {@linkcode applyLayer}. */
export interface ApplyLayerOptions {
  /** The layer's diff_id from the image config; checked when `hasher` is given too. */
  diffId?: string;
  /** Hashes the uncompressed layer to check `diffId`. */
  hasher?: HasherFactory;
  /** Cancellation. */
  signal?: AbortSignal;
}

/**
 * Merges a layer into a tree: whiteouts (`.wh.name`) remove, opaque markers (`.wh..wh..opq`)
 * clear a directory, other entries are added with their metadata. With `diffId` and `hasher`,
 * the uncompressed bytes are checked against the config's diff_id.
 *
 * @example
 * ```ts ignore
 * const tree = new FileTree();
 * for (const layer of base.layers) await applyLayer(tree, layer);
 * ```
 * @param tree The tree to change.
 * @param layer The layer.
 * @param options diff_id check and cancellation.
 * @throws {DigestMismatchError} ERR_DIGEST_MISMATCH when the layer does not match its diff_id.
 */
export async function applyLayer(
  tree: FileTree,
  layer: LayerSource,
  options: ApplyLayerOptions = {},
): Promise<void> {
  const { signal } = options;
  let stream = await openLayer(layer, signal);
  const check = options.diffId !== undefined && options.hasher !== undefined
    ? options.hasher("sha256")
    : undefined;
  if (check !== undefined) {
    stream = stream.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller): void {
          check.update(chunk);
          controller.enqueue(chunk);
        },
      }),
    );
  }
  const opts = {
    want: (h: TarReadHeader) => KEEP_CONTENT.has(nodePath(h) ?? "") && h.size <= 4 * 1024 * 1024,
    drain: check !== undefined,
    ...(signal === undefined ? {} : { signal }),
  };
  for await (const { header, content } of readTar(stream, opts)) {
    const path = nodePath(header);
    if (path === undefined) continue;
    const slash = path.lastIndexOf("/");
    const dir = slash === -1 ? "" : path.slice(0, slash);
    const base = path.slice(slash + 1);
    if (base === ".wh..wh..opq") {
      tree.removeChildren(dir);
      continue;
    }
    if (base.startsWith(".wh.")) {
      tree.remove(dir === "" ? base.slice(4) : `${dir}/${base.slice(4)}`);
      continue;
    }
    const node = treeNodeOf(path, header);
    if (header.type === "file") {
      node.content = content !== undefined
        ? { kind: "bytes", bytes: content }
        : { kind: "layer", layer, path };
    }
    tree.apply(node);
  }
  if (check !== undefined) {
    const actual = `sha256:${check.digestHex()}`;
    if (actual !== options.diffId) throw new DigestMismatchError(options.diffId!, actual);
  }
}

/**
 * Takes the contents of chosen files out of one layer in one pass, kept where the spool says
 * (for a path the layer holds twice, the last one counts, as in the merged tree).
 *
 * @example
 * ```ts ignore
 * const files = await captureLayerFiles(layer, new Set(["etc/hosts"]), spool);
 * ```
 * @param layer The layer.
 * @param paths Cleaned paths to take.
 * @param spool Memory budget and temporary files.
 * @param signal Cancellation.
 * @returns Contents by path.
 * @throws {BuildError} ERR_BUILD when a path is not a file in the layer.
 */
export async function captureLayerFiles(
  layer: LayerSource,
  paths: Set<string>,
  spool: ContentSpool,
  signal?: AbortSignal,
): Promise<Map<string, ContentSource>> {
  const pathOf = new Map<number, string>();
  const contents = await captureTar(await openLayer(layer, signal), spool, {
    visit: (header, ordinal) => {
      const path = nodePath(header) ?? "";
      if (!paths.has(path)) return false;
      pathOf.set(ordinal, path);
      return true;
    },
    reopen: () => openLayer(layer, signal),
    ...(signal === undefined ? {} : { signal }),
  });
  const out = new Map<string, ContentSource>();
  for (const [ordinal, content] of contents) out.set(pathOf.get(ordinal)!, content);
  for (const p of paths) {
    if (!out.has(p)) {
      throw new BuildError(`Cannot read /${p} from layer ${layer.descriptor.digest}: not found`);
    }
  }
  return out;
}

/**
 * Reads one small file of a layer into memory (for `/etc/passwd` and the like).
 *
 * @example
 * ```ts ignore
 * const passwd = await readLayerFile(layer, "etc/passwd", 4 * 1024 * 1024);
 * ```
 * @param layer The layer.
 * @param path Cleaned path.
 * @param maxBytes Largest size accepted.
 * @param signal Cancellation.
 * @returns The content (of the path's last entry).
 * @throws {BuildError} ERR_BUILD when the path is not a file in the layer or is over `maxBytes`.
 */
export async function readLayerFile(
  layer: LayerSource,
  path: string,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<Bytes> {
  let found: Bytes | undefined;
  let size = 0;
  const opts = {
    want: (h: TarReadHeader) => nodePath(h) === path && h.size <= maxBytes,
    ...(signal === undefined ? {} : { signal }),
  };
  for await (const { header, content } of readTar(await openLayer(layer, signal), opts)) {
    if (nodePath(header) !== path) continue;
    found = content;
    size = header.size;
  }
  if (size > maxBytes) {
    throw new BuildError(
      `Cannot read /${path}: it is ${size} bytes, over the ${maxBytes}-byte limit`,
    );
  }
  if (found === undefined) {
    throw new BuildError(`Cannot read /${path} from layer ${layer.descriptor.digest}: not found`);
  }
  return found;
}
