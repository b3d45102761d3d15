/**
 * Reading layers of a stage: decompress a layer, merge its entries into a {@linkcode FileTree}
 * with overlay whiteouts, and load the contents of chosen files.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import { BuildError, DigestMismatchError } from "../errors.ts";
import { gunzipStream } from "./compression.ts";
import { cleanPath } from "./dockerignore.ts";
import type { FileTree, LayerSource, TreeNode } from "./file_tree.ts";
import { readTar } from "./tar_reader.ts";
import type { TarReadHeader } from "./tar_reader.ts";

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
    const node: TreeNode = {
      path,
      type: header.type,
      mode: header.mode,
      uid: header.uid,
      gid: header.gid,
      size: header.size,
    };
    if (header.type === "symlink") node.linkname = header.linkname;
    if (header.type === "hardlink") node.linkname = cleanPath(`/${header.linkname}`);
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
 * Reads the contents of chosen files from one layer.
 *
 * @example
 * ```ts ignore
 * const files = await loadLayerFiles(layer, new Set(["etc/hosts"]));
 * ```
 * @param layer The layer.
 * @param paths Cleaned paths to load.
 * @param signal Cancellation.
 * @returns Contents by path.
 * @throws {BuildError} ERR_BUILD when a path is not in the layer.
 */
export async function loadLayerFiles(
  layer: LayerSource,
  paths: Set<string>,
  signal?: AbortSignal,
): Promise<Map<string, Bytes>> {
  const out = new Map<string, Bytes>();
  const stream = await openLayer(layer, signal);
  const opts = {
    want: (h: TarReadHeader) => paths.has(nodePath(h) ?? ""),
    ...(signal === undefined ? {} : { signal }),
  };
  for await (const { header, content } of readTar(stream, opts)) {
    if (content !== undefined) out.set(nodePath(header)!, content);
  }
  for (const p of paths) {
    if (!out.has(p)) {
      throw new BuildError(`Cannot read /${p} from layer ${layer.descriptor.digest}: not found`);
    }
  }
  return out;
}
