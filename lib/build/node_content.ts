/**
 * Reading the content of {@linkcode TreeNode}s: from memory, from a lazily opened stream, or out
 * of a base-image layer (files copied with `COPY --from`, which are loaded into memory one layer
 * at a time).
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { concat } from "../_internal/bytes.ts";
import { BuildError } from "../errors.ts";
import type { LayerSource, TreeNode } from "./file_tree.ts";
import { loadLayerFiles } from "./layer_scan.ts";

/**
 * Reads one node's whole content.
 *
 * @example
 * ```ts
 * import { readNodeBytes } from "./node_content.ts";
 * const bytes = await readNodeBytes({
 *   path: "a", type: "file", mode: 0o644, uid: 0, gid: 0, size: 2,
 *   content: { kind: "bytes", bytes: new Uint8Array([1, 2]) },
 * });
 * console.log(bytes.length); // 2
 * ```
 * @param node A file node.
 * @param signal Cancellation.
 * @returns The bytes.
 * @throws {BuildError} ERR_BUILD when the node has no content.
 */
export async function readNodeBytes(node: TreeNode, signal?: AbortSignal): Promise<Bytes> {
  const source = node.content;
  if (source === undefined) {
    if (node.size === 0) return new Uint8Array(0);
    throw new BuildError(`Cannot read /${node.path}: its content is unavailable`);
  }
  if (source.kind === "bytes") return source.bytes;
  if (source.kind === "layer") {
    const files = await loadLayerFiles(source.layer, new Set([source.path]), signal);
    return files.get(source.path)!;
  }
  const parts: Uint8Array[] = [];
  const reader = (await source.open()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  return concat(parts);
}

/**
 * Replaces layer-backed contents with bytes read from their layers (one pass per layer), so that
 * the nodes can be written into a new layer.
 *
 * @example
 * ```ts ignore
 * const ready = await materializeNodes(nodes);
 * ```
 * @param nodes Nodes to prepare.
 * @param signal Cancellation.
 * @returns The nodes, with every file content readable.
 */
export async function materializeNodes(
  nodes: TreeNode[],
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
  const loaded = new Map<string, Map<string, Bytes>>();
  for (const [key, { layer, paths }] of byLayer) {
    loaded.set(key, await loadLayerFiles(layer, paths, signal));
  }
  return nodes.map((node) => {
    if (node.content?.kind !== "layer") return node;
    const bytes = loaded.get(node.content.layer.descriptor.digest)!.get(node.content.path)!;
    return { ...node, content: { kind: "bytes", bytes } };
  });
}
