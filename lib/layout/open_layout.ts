/**
 * Opens a layout directory or a layout tar, choosing by what the path is.
 *
 * @module
 */
import type { Fs } from "../content/fs.ts";
import { LayoutStore, type OpenLayoutOptions } from "./layout_store.ts";
import type { OciLayout } from "./oci_layout.ts";

/**
 * Opens the layout at `path`: a directory gives a {@linkcode LayoutStore}, a file a
 * {@linkcode LayoutTar}; a missing path (with `create`) becomes a tar when it ends in `.tar`,
 * else a directory. Call `commit()` after changes (a no-op for directories) and `close()` at the
 * end.
 *
 * @example
 * ```ts
 * import { openLayout } from "./open_layout.ts";
 * import { MemoryFs } from "../content/memory_fs.ts";
 * const layout = await openLayout("out.tar", new MemoryFs(), { create: true });
 * console.log(layout.constructor.name); // "LayoutTar"
 * await layout.close();
 * ```
 * @param path A layout directory or tar file.
 * @param fs File-system access.
 * @param opts Hasher and create flag.
 * @returns The opened layout.
 * @throws {NotFoundError} ERR_NOT_FOUND when missing and `create` is unset.
 * @throws {InvalidLayoutError} ERR_INVALID_LAYOUT when the layout is invalid.
 */
export async function openLayout(
  path: string,
  fs: Fs,
  opts: OpenLayoutOptions = {},
): Promise<OciLayout> {
  const st = await fs.stat(path);
  const isTar = st
    ? !st.isDirectory && !(st.isSymlink && await isDirLink(fs, path))
    : /\.tar$/i.test(path);
  if (!isTar) return await LayoutStore.open(path, fs, opts);
  // The tar code loads only for a tar: a directory's short commands start faster without it
  // (`+ ""`: see ../cli/commands/registry.ts).
  const { LayoutTar } = await import("./layout_tar.ts" + "") as typeof import("./layout_tar.ts");
  return await LayoutTar.open(path, fs, opts);
}

async function isDirLink(fs: Fs, path: string): Promise<boolean> {
  try {
    await fs.readDir(path);
    return true;
  } catch {
    return false;
  }
}
