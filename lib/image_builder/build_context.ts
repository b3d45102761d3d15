/**
 * Reading the build context through the injected {@linkcode Fs}: a walk that honours
 * `.dockerignore`, never follows symlinks (they are copied as symlinks, whatever they point at),
 * records modes, and finds hard links when the `Fs` reports inode numbers.
 *
 * @module
 */
import { handleStream } from "../content/file_stream.ts";
import type { FileInfo, Fs } from "../content/fs.ts";
import { AbortedError, BuildError, NotFoundError } from "../errors.ts";
import type { DockerIgnore } from "../dockerfile/dockerignore.ts";
import { FileTree } from "./file_tree.ts";
import type { TreeNode } from "./file_tree.ts";

function join(root: string, rel: string): string {
  if (rel === "") return root;
  return root.endsWith("/") ? `${root}${rel}` : `${root}/${rel}`;
}

/**
 * Walks a context directory into a {@linkcode FileTree} of metadata whose file contents are
 * opened lazily through `fs`. Excluded paths are left out; excluded directories are still walked
 * when `.dockerignore` has `!` exceptions.
 *
 * @example
 * ```ts ignore
 * const tree = await readContext(nodeFs, "./app", new DockerIgnore(""));
 * ```
 * @param fs File access.
 * @param root The context directory.
 * @param ignore The `.dockerignore` rules.
 * @param opts Cancellation.
 * @returns The context's tree (paths relative to the context root).
 * @throws {BuildError} ERR_BUILD when the context is not a directory.
 */
export async function readContext(
  fs: Fs,
  root: string,
  ignore: DockerIgnore,
  opts: { signal?: AbortSignal } = {},
): Promise<FileTree> {
  const info = await fs.stat(root);
  if (info === undefined || !info.isDirectory) {
    throw new BuildError(`Build context ${root} is not a directory; pass a directory`);
  }
  const tree = new FileTree();
  const inodes = new Map<string, string>();
  const walk = async (rel: string): Promise<void> => {
    if (opts.signal?.aborted) throw new AbortedError("The build was aborted");
    const entries = await fs.readDir(join(root, rel));
    for (const entry of entries) {
      if (
        entry.name === "" || entry.name === "." || entry.name === ".." || entry.name.includes("/")
      ) {
        continue;
      }
      const path = rel === "" ? entry.name : `${rel}/${entry.name}`;
      const excluded = ignore.excludes(path);
      const stat = await fs.stat(join(root, path));
      if (stat === undefined) continue;
      if (stat.isDirectory) {
        if (!excluded) {
          tree.apply({
            path,
            type: "directory",
            mode: stat.mode & 0o7777,
            uid: 0,
            gid: 0,
            size: 0,
          });
        }
        if (!excluded || ignore.hasExceptions) await walk(path);
        continue;
      }
      if (excluded) continue;
      tree.apply(await contextNode(fs, root, path, stat, inodes));
    }
  };
  await walk("");
  return tree;
}

async function contextNode(
  fs: Fs,
  root: string,
  path: string,
  stat: FileInfo,
  inodes: Map<string, string>,
): Promise<TreeNode> {
  const base = { path, mode: stat.mode & 0o7777, uid: 0, gid: 0 };
  if (stat.isSymlink) {
    return {
      ...base,
      type: "symlink",
      mode: 0o777,
      size: 0,
      linkname: await fs.readLink(join(root, path)),
    };
  }
  if (!stat.isFile) return { ...base, type: "other", size: 0 };
  if (stat.ino !== undefined && (stat.nlink ?? 1) > 1) {
    const key = `${stat.dev ?? 0}:${stat.ino}`;
    const first = inodes.get(key);
    if (first !== undefined) return { ...base, type: "hardlink", size: 0, linkname: first };
    inodes.set(key, path);
  }
  const full = join(root, path);
  return {
    ...base,
    type: "file",
    size: stat.size,
    content: {
      kind: "stream",
      async open(): Promise<ReadableStream<Uint8Array>> {
        const handle = await fs.open(full).catch((err) => {
          if (err instanceof NotFoundError) {
            throw new BuildError(
              `File ${path} disappeared from the build context during the build`,
              {
                cause: err,
              },
            );
          }
          throw err;
        });
        return handleStream(handle);
      },
    },
  };
}
