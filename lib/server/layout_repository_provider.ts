/**
 * Repositories kept as OCI image layout directories: repository `org/app` is the layout
 * `<root>/org/app/` (created on the first push), so `ocisign`, `oras`, `skopeo` and `umoci` can
 * use it directly. Upload sessions live under `<root>/_uploads/`, which no repository name can
 * reach.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { handleStream } from "../content/file_stream.ts";
import type { Fs } from "../content/fs.ts";
import type { Op } from "../content/storage.ts";
import { parseDigest } from "../digest/digest.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { pureHasherFactory } from "../digest/pure_hasher.ts";
import { InvalidReferenceError } from "../errors.ts";
import { LayoutStore } from "../layout/layout_store.ts";
import { createFsUploadStore } from "./fs_upload_store.ts";
import type {
  GetRepositoryOptions,
  RegistryRepository,
  RepositoryProvider,
  UploadStore,
} from "./repository.ts";

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

class LayoutRepository implements RegistryRepository {
  readonly target: LayoutStore;
  readonly uploads: UploadStore;
  #fs: Fs;
  #dir: string;

  constructor(target: LayoutStore, uploads: UploadStore, fs: Fs, dir: string) {
    this.target = target;
    this.uploads = uploads;
    this.#fs = fs;
    this.#dir = dir;
  }

  #blobFile(digest: string): string {
    const { algorithm, hex } = parseDigest(digest);
    return `${this.#dir}/blobs/${algorithm}/${hex}`;
  }

  async blobSize(digest: string, _opts?: Op): Promise<number | undefined> {
    const st = await this.#fs.stat(this.#blobFile(digest));
    return st?.isFile ? st.size : undefined;
  }

  async readBlob(
    digest: string,
    range: { offset: number; length: number },
    _opts?: Op,
  ): Promise<ReadableStream<Bytes>> {
    return handleStream(await this.#fs.open(this.#blobFile(digest)), range.offset, range.length);
  }

  async adoptUpload(id: string, index: number, desc: Descriptor, _opts: Op = {}): Promise<void> {
    const part = this.uploads.partFile?.(id, index);
    if (part === undefined) throw new TypeError("Cannot adopt an upload: the store keeps no files");
    const target = this.#blobFile(desc.digest);
    const st = await this.#fs.stat(part);
    if (!st?.isFile || st.size !== desc.size) {
      throw new TypeError(`Cannot adopt upload part ${index}: it is not ${desc.size} bytes`);
    }
    await this.#fs.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
    await this.#fs.rename(part, target);
  }

  async untag(tag: string, opts: Op = {}): Promise<void> {
    await this.target.untag(tag, opts);
  }
}

/**
 * The layout as it is on disk now: other processes (`ocisign sign`, `cp`) write to the same
 * layouts, so `index.json` is read again when it changed. Writes take the layout's lock file and
 * merge with what is on disk (see {@linkcode LayoutStore}).
 */
async function refreshed(repository: LayoutRepository): Promise<LayoutRepository> {
  await repository.target.refresh();
  return repository;
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
  const uploads = createFsUploadStore(fs, `${root}/_uploads`);
  const open = new Map<string, Promise<LayoutRepository>>();
  return {
    async get(
      name: string,
      opts: GetRepositoryOptions = {},
    ): Promise<RegistryRepository | undefined> {
      checkLayoutName(name);
      const cached = open.get(name);
      if (cached !== undefined) return await refreshed(await cached);
      const dir = `${root}/${name}`;
      if (opts.create !== true && (await fs.stat(`${dir}/oci-layout`)) === undefined) {
        return undefined;
      }
      // Re-check: another request may have opened it while this one looked at the disk.
      const again = open.get(name);
      if (again !== undefined) return await again;
      const opening = LayoutStore.open(dir, fs, { hasher, create: true })
        .then((layout) => new LayoutRepository(layout, uploads, fs, dir));
      open.set(name, opening);
      try {
        return await opening;
      } catch (err) {
        open.delete(name);
        throw err;
      }
    },
  };
}
