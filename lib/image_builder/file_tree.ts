/**
 * The file-system view of a build stage: base-image layers and the layers the build added,
 * merged with overlay rules (whiteouts, opaque directories). It holds metadata, plus where each
 * file's content can be read from; it never holds a whole image in memory.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import type { ReadOnlyTarget } from "../content/storage.ts";
import { BuildError } from "../errors.ts";

/** A layer blob and the store it can be read from. */
export interface LayerSource {
  /** The layer descriptor. */
  descriptor: Descriptor;
  /** Where the blob is. */
  target: ReadOnlyTarget;
}

/**
 * Where a file's content comes from: a stream opened on demand (a context file, or with
 * `temporary` a spooled content that is gone once the instruction that made it has finished),
 * bytes in memory, or the file at `path` in a layer (read when it is needed).
 */
export type ContentSource =
  | { kind: "stream"; open: () => Promise<ReadableStream<Uint8Array>>; temporary?: boolean }
  | { kind: "bytes"; bytes: Bytes }
  | { kind: "layer"; layer: LayerSource; path: string };

/** Node kinds. */
export type NodeType = "file" | "directory" | "symlink" | "hardlink" | "other";

/** One path in a stage's file system. */
export interface TreeNode {
  /** Cleaned path relative to `/`, without leading or trailing `/`. */
  path: string;
  /** Entry kind. */
  type: NodeType;
  /** Permission bits. */
  mode: number;
  /** Owner user id. */
  uid: number;
  /** Owner group id. */
  gid: number;
  /** Content size in bytes. */
  size: number;
  /** Symlink target, or the hard-linked path. */
  linkname?: string;
  /** File content, for `file` nodes. */
  content?: ContentSource;
}

const MAX_SYMLINKS = 40;

/**
 * A merged file-system view.
 *
 * @example
 * ```ts
 * import { FileTree } from "./file_tree.ts";
 * const t = new FileTree();
 * t.apply({ path: "etc", type: "directory", mode: 0o755, uid: 0, gid: 0, size: 0 });
 * t.apply({ path: "run", type: "symlink", mode: 0o777, uid: 0, gid: 0, size: 0, linkname: "/etc" });
 * console.log(t.resolve("run/x")); // "etc/x"
 * ```
 */
export class FileTree {
  #nodes = new Map<string, TreeNode>();

  /** A copy that can be changed independently. */
  clone(): FileTree {
    const copy = new FileTree();
    for (const [k, v] of this.#nodes) copy.#nodes.set(k, v);
    return copy;
  }

  /** The node at a cleaned path, without following symlinks. */
  get(path: string): TreeNode | undefined {
    return this.#nodes.get(path);
  }

  /** Adds or replaces a node (a non-directory replacing a directory removes its subtree). */
  apply(node: TreeNode): void {
    const old = this.#nodes.get(node.path);
    if (old?.type === "directory" && node.type !== "directory") this.remove(node.path);
    this.#nodes.set(node.path, node);
  }

  /** Puts `next` where `node` is, when the tree still holds that very node. */
  replace(node: TreeNode, next: TreeNode): void {
    if (this.#nodes.get(node.path) === node) this.#nodes.set(node.path, next);
  }

  /** Removes a path and everything below it (a whiteout). */
  remove(path: string): void {
    this.#nodes.delete(path);
    this.removeChildren(path);
  }

  /** Removes everything below a directory (an opaque whiteout). */
  removeChildren(dir: string): void {
    const prefix = dir === "" ? "" : `${dir}/`;
    for (const key of [...this.#nodes.keys()]) {
      if (key.startsWith(prefix) && key !== dir) this.#nodes.delete(key);
    }
  }

  /** Every node at or below `dir` (the directory itself first), in path order. */
  subtree(dir: string): TreeNode[] {
    const prefix = dir === "" ? "" : `${dir}/`;
    const out: TreeNode[] = [];
    for (const [key, node] of this.#nodes) {
      if (key === dir || key.startsWith(prefix)) out.push(node);
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Every path, in no particular order. */
  paths(): IterableIterator<string> {
    return this.#nodes.keys();
  }

  /**
   * Resolves symlinks in a path's directories (and in its last element with `followLast`),
   * never leaving the root: `..` at the root stays at the root, as in a container.
   *
   * @param path A cleaned relative path.
   * @param followLast Whether a symlink in the last element is followed too.
   * @returns The resolved cleaned path ("" for the root).
   * @throws {BuildError} ERR_BUILD on a symlink loop.
   */
  resolve(path: string, followLast = false): string {
    let hops = 0;
    let todo = path.split("/").filter((p) => p !== "" && p !== ".");
    const done: string[] = [];
    while (todo.length > 0) {
      const part = todo.shift()!;
      if (part === "..") {
        done.pop();
        continue;
      }
      const candidate = [...done, part].join("/");
      const node = this.#nodes.get(candidate);
      if (node?.type === "symlink" && (todo.length > 0 || followLast)) {
        if (++hops > MAX_SYMLINKS) throw new BuildError(`Too many symlinks resolving /${path}`);
        const target = node.linkname ?? "";
        if (target.startsWith("/")) done.length = 0;
        todo = [...target.split("/").filter((p) => p !== "" && p !== "."), ...todo];
        continue;
      }
      done.push(part);
    }
    return done.join("/");
  }
}
