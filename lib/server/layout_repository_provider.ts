/**
 * Repositories kept as OCI image layout directories: repository `org/app` is the layout
 * `<root>/org/app/` (created on the first push), so `ocisign`, `oras`, `skopeo` and `umoci` can
 * use it directly. Upload sessions live under `<root>/_uploads/`, which no repository name can
 * reach; a finished upload is moved into its layout by the layout store
 * ({@linkcode LayoutStore.ingestVerifiedFile}), which also serves symlinked blobs.
 *
 * @module
 */
import type { Fs } from "../content/fs.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import { pureHasherFactory } from "../digest/pure_hasher.ts";
import { InvalidReferenceError } from "../errors.ts";
import { LayoutStore } from "../layout/layout_store.ts";
import { createFsUploadStore } from "./fs_upload_store.ts";
import type { GetRepositoryOptions, RepositoryProvider } from "./repository.ts";
import { createStoreRepositoryProvider } from "./store_repository_provider.ts";

/**
 * Options for {@linkcode createLayoutRepositoryProvider}.
 *
 * @example
 * ```ts ignore
 * import type { LayoutRepositoryProviderOptions } from "./layout_repository_provider.ts";
 * import type { Fs } from "../content/fs.ts";
 * declare const fs: Fs;
 * const options: LayoutRepositoryProviderOptions = { root: "./registry", fs };
 * ```
 */
export interface LayoutRepositoryProviderOptions {
  /** The directory holding one layout per repository. */
  root: string;
  /** File-system access. */
  fs: Fs;
  /** Hashes streamed content (default: the pure-TypeScript hasher; pass the runtime's). */
  hasher?: HasherFactory;
}

/** Path components that name parts of a layout, so no nested repository may use them. */
const RESERVED_COMPONENTS = new Set(["blobs", "index.json", "oci-layout"]);

function checkLayoutName(name: string): void {
  const parts = name.split("/");
  if (parts.some((p, i) => i > 0 && RESERVED_COMPONENTS.has(p))) {
    throw new InvalidReferenceError(
      name,
      `"blobs", "index.json" and "oci-layout" cannot follow a "/" in a repository name stored as a layout`,
    );
  }
}

/**
 * Creates a {@linkcode RepositoryProvider} that keeps each repository as an OCI image layout
 * directory under `root`, shared with other writers: each request sees `index.json` as it is on
 * disk, and each write takes the layout's lock file and merges. Layouts are opened once and kept
 * open; a layout appears on the first push to its repository.
 *
 * @example Serve layouts under ./registry
 * ```ts ignore
 * import { createLayoutRepositoryProvider } from "./layout_repository_provider.ts";
 * import type { Fs } from "../content/fs.ts";
 * declare const fs: Fs; // the runtime layer's file system
 * const repositories = createLayoutRepositoryProvider({ root: "./registry", fs });
 * console.log(await repositories.get("org/app")); // undefined until the first push
 * ```
 * @param options Root directory, file system and hasher.
 * @returns The provider.
 */
export function createLayoutRepositoryProvider(
  options: LayoutRepositoryProviderOptions,
): RepositoryProvider {
  const root = options.root.length > 1 ? options.root.replace(/\/+$/, "") : options.root;
  const fs = options.fs;
  const hasher = options.hasher ?? pureHasherFactory;
  const open = new Map<string, Promise<LayoutStore>>();
  return createStoreRepositoryProvider({
    uploads: createFsUploadStore(fs, `${root}/_uploads`, hasher),
    async open(name: string, opts: GetRepositoryOptions): Promise<LayoutStore | undefined> {
      checkLayoutName(name);
      const cached = open.get(name);
      if (cached !== undefined) {
        // The layout as it is on disk now: other processes (`ocisign sign`, `cp`) write to it.
        const layout = await cached;
        await layout.refresh();
        return layout;
      }
      const dir = `${root}/${name}`;
      if (opts.create !== true && (await fs.stat(`${dir}/oci-layout`)) === undefined) {
        return undefined;
      }
      // Re-check: another request may have opened it while this one looked at the disk.
      const again = open.get(name);
      if (again !== undefined) return await again;
      const opening = LayoutStore.open(dir, fs, { hasher, create: true });
      open.set(name, opening);
      try {
        return await opening;
      } catch (err) {
        open.delete(name);
        throw err;
      }
    },
  });
}
