/**
 * Reading the content of {@linkcode TreeNode}s: from memory, from a lazily opened stream, or out
 * of a base-image layer. Files copied out of a layer (`COPY --from`) are taken out of it in one
 * pass per layer into a {@linkcode ContentSpool}, so memory does not grow with their size.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { concat } from "../_internal/bytes.ts";
import { BuildError } from "../errors.ts";
import type { ContentSpool } from "./content_spool.ts";
import type { ContentSource, LayerSource, TreeNode } from "./file_tree.ts";
import { captureLayerFiles, readLayerFile } from "./layer_scan.ts";

/**
 * Reads one small node's whole content into memory.
 *
 * @example
 * ```ts
 * import { readNodeBytes } from "./node_content.ts";
 * const bytes = await readNodeBytes({
 *   path: "a", type: "file", mode: 0o644, uid: 0, gid: 0, size: 2,
 *   content: { kind: "bytes", bytes: new Uint8Array([1, 2]) },
 * }, 1024);
 * console.log(bytes.length); // 2
 * ```
 * @param node A file node.
 * @param maxBytes Largest size accepted.
 * @param signal Cancellation.
 * @returns The bytes.
 * @throws {BuildError} ERR_BUILD when the node has no content or is over `maxBytes`.
 */
export async function readNodeBytes(
  node: TreeNode,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<Bytes> {
  const source = node.content;
  if (node.size > maxBytes) {
    throw new BuildError(
      `Cannot read /${node.path}: it is ${node.size} bytes, over the ${maxBytes}-byte limit`,
    );
  }
  if (source?.kind === "bytes") return source.bytes;
  if (source?.kind === "layer") {
    return await readLayerFile(source.layer, source.path, maxBytes, signal);
  }
  const parts: Uint8Array[] = [];
  let total = 0;
  const reader = (await openNodeContent(node)).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        throw new BuildError(`Cannot read /${node.path}: it grew over ${maxBytes} bytes`);
      }
      parts.push(value);
    }
  } finally {
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
  return concat(parts);
}

/**
 * Opens a node's content as a stream (layer contents must have gone through
 * {@linkcode materializeNodes} first).
 *
 * @example
 * ```ts
 * import { openNodeContent } from "./node_content.ts";
 * const stream = await openNodeContent({
 *   path: "a", type: "file", mode: 0o644, uid: 0, gid: 0, size: 2,
 *   content: { kind: "bytes", bytes: new Uint8Array([1, 2]) },
 * });
 * console.log((await new Response(stream).arrayBuffer()).byteLength); // 2
 * ```
 * @param node A file node.
 * @returns The content.
 * @throws {BuildError} ERR_BUILD when the content is unavailable or still in a layer.
 */
export async function openNodeContent(node: TreeNode): Promise<ReadableStream<Uint8Array>> {
  const source = node.content;
  if (source === undefined) {
    if (node.size === 0) return new Blob([]).stream();
    throw new BuildError(`Cannot read /${node.path}: its content is unavailable`);
  }
  if (source.kind === "bytes") return new Blob([source.bytes]).stream();
  if (source.kind === "stream") return await source.open();
  throw new BuildError(`Cannot read /${node.path}: its content was not taken out of its layer`);
}

/**
 * Replaces layer-backed contents with contents taken out of their layers (one pass per layer)
 * into the spool, so that the nodes can be written into a new layer.
 *
 * @example
 * ```ts ignore
 * const ready = await materializeNodes(nodes, spool);
 * ```
 * @param nodes Nodes to prepare.
 * @param spool Where the contents are kept until the new layer is written.
 * @param signal Cancellation.
 * @returns The nodes, with every file content readable as a stream or bytes.
 */
export async function materializeNodes(
  nodes: TreeNode[],
  spool: ContentSpool,
  signal?: AbortSignal,
): Promise<TreeNode[]> {
  const byLayer = new Map<string, { layer: LayerSource; paths: Set<string> }>();
  for (const node of nodes) {
    if (node.content?.kind !== "layer") continue;
    const key = node.content.layer.descriptor.digest;
    const entry = byLayer.get(key) ?? { layer: node.content.layer, paths: new Set<string>() };
    entry.paths.add(node.content.path);
    byLayer.set(key, entry);
  }
  if (byLayer.size === 0) return nodes;
  const taken = new Map<string, Map<string, ContentSource>>();
  for (const [key, { layer, paths }] of byLayer) {
    taken.set(key, await captureLayerFiles(layer, paths, spool, signal));
  }
  return nodes.map((node) => {
    if (node.content?.kind !== "layer") return node;
    const content = taken.get(node.content.layer.descriptor.digest)!.get(node.content.path)!;
    return { ...node, content };
  });
}
