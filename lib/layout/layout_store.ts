/**
 * An OCI image layout directory (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`) over an
 * injected {@linkcode Fs}.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { MAX_MANIFEST_BYTES } from "../_internal/limits.ts";
import type { FileInfo, Fs } from "../content/fs.ts";
import type { FileIngester, FileReceiver, ReceiveFileOptions } from "../content/blob_abilities.ts";
import { handleStream } from "../content/file_stream.ts";
import { rangeOf } from "../content/range_stream.ts";
import type { ByteRange, Op } from "../content/storage.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import { pureHasherFactory } from "../digest/pure_hasher.ts";
import { InvalidLayoutError, NotFoundError, OcisignError, SizeMismatchError } from "../errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { isManifestMediaType } from "../oci/media_types.ts";
import { checkAborted } from "../content/_streams.ts";
import { fileStream } from "./_file_stream.ts";
import { LayoutIndex } from "../content/_layout_index.ts";
import { keepAttributes } from "./_keep_attributes.ts";
import { withLock } from "./_with_lock.ts";
import { receiveFile } from "./_receive_file.ts";
import { blobPath, layoutHeaderBytes, OciLayout, validateLayoutHeader } from "./oci_layout.ts";

/** Options for opening a layout. */
export interface OpenLayoutOptions {
  /** Hashes streamed content (default: the pure-TypeScript hasher; pass the runtime's). */
  hasher?: HasherFactory;
  /** Create the layout (or its missing `oci-layout`, `blobs/`, `index.json`) if needed. */
  create?: boolean;
  /**
   * Directory layouts only: rewrite `index.json` after every change (the default, as oras does).
   * With `false` it is written once by `commit()`, so a failed run leaves `index.json` as it was
   * (blobs already written stay, unreferenced, which the spec allows). Tars always stage.
   */
  autoSave?: boolean;
}

/** The lock file writers of a layout directory take, inside it. */
export const LAYOUT_LOCK_FILE: string = ".ocisign.lock";

function join(root: string, rel: string): string {
  return root.endsWith("/") ? root + rel : `${root}/${rel}`;
}

async function readLimited(fs: Fs, path: string, where: string, name: string): Promise<Bytes> {
  try {
    return await fs.readFile(path, { maxBytes: MAX_MANIFEST_BYTES });
  } catch (err) {
    if (err instanceof OcisignError && err.code === "ERR_SIZE_EXCEEDED") {
      throw new InvalidLayoutError(
        `${where}: ${name} is over the ${MAX_MANIFEST_BYTES}-byte limit`,
        {
          cause: err,
        },
      );
    }
    throw err;
  }
}

/** What identifies one version of a file: a rename-based write gives a new inode. */
function identity(st: FileInfo | undefined): string {
  return st ? `${st.dev}:${st.ino}:${st.size}:${st.mtime.getTime()}` : "";
}

/**
 * Refuses symlinked algorithm directories (`blobs/sha256` pointing elsewhere), as a symlinked
 * `blobs` is refused: blobs would be written outside the layout.
 */
async function checkBlobDirs(fs: Fs, root: string): Promise<void> {
  for (const e of await fs.readDir(join(root, "blobs"))) {
    if (e.isSymlink) {
      throw new InvalidLayoutError(
        `${root}: blobs/${e.name} is a symbolic link; a layout's blob directories must be real ` +
          `directories inside it (replace the link with a copy of the directory)`,
      );
    }
  }
}

/** `index.json` as read, and its stat taken before the read. */
interface SeenIndex {
  index: LayoutIndex;
  seen?: FileInfo;
}

/**
 * Writes what a new layout lacks: `index.json` unless `found` (empty, under the lock file,
 * unless another process wrote one meanwhile), then `oci-layout`, each flushed. In this order a
 * crash leaves either no `oci-layout` (no layout) or a valid layout.
 * @returns `found`, or `index.json` as written or found under the lock and its stat.
 */
async function completeLayout(
  fs: Fs,
  root: string,
  found: SeenIndex | undefined,
  writeHeader: boolean,
): Promise<SeenIndex> {
  let done = found;
  if (done === undefined) {
    const indexPath = join(root, "index.json");
    const index = await withLock(fs, join(root, LAYOUT_LOCK_FILE), {}, async () => {
      if (await fs.stat(indexPath)) {
        return LayoutIndex.parse(await readLimited(fs, indexPath, root, "index.json"), root);
      }
      const empty = LayoutIndex.empty();
      await fs.writeFileAtomic(indexPath, empty.serialize());
      return empty;
    });
    const seen = await fs.stat(indexPath);
    done = seen ? { index, seen } : { index };
  }
  if (writeHeader) await fs.writeFileAtomic(join(root, "oci-layout"), layoutHeaderBytes());
  return done;
}

/**
 * A layout directory. `index.json` is rewritten atomically after every change (or once, by
 * `commit()`), under the lock file `.ocisign.lock` taken by every ocisign writer: it is read
 * again under the lock and this process's changes are applied to what it holds then, so
 * concurrent writers lose nothing. Blobs are written to a temporary directory inside the layout,
 * verified, then renamed into `blobs/`, so an interrupted push leaves no partial blob.
 *
 * @example Create a layout, push a blob
 * ```ts
 * import { LayoutStore } from "./layout_store.ts";
 * import { MemoryFs } from "../content/memory_fs.ts";
 * const layout = await LayoutStore.open("/img", new MemoryFs(), { create: true });
 * await layout.push({
 *   mediaType: "application/vnd.oci.empty.v1+json",
 *   digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
 *   size: 2,
 * }, new TextEncoder().encode("{}"));
 * console.log(layout.manifests().length); // 0: only manifests are recorded in index.json
 * ```
 */
export class LayoutStore extends OciLayout implements FileIngester, FileReceiver {
  #fs: Fs;
  #root: string;
  #hasher: HasherFactory;
  #autoSave: boolean;
  /** {@linkcode identity} of `index.json` when last read or written. */
  #seen: string;
  /** Settles once a new layout's `index.json` and `oci-layout` are written. */
  #ready: Promise<void>;

  private constructor(
    root: string,
    fs: Fs,
    index: LayoutIndex,
    hasher: HasherFactory,
    opts: { autoSave: boolean; seen: string; ready: Promise<{ seen?: FileInfo }> | undefined },
  ) {
    super(root, index, hasher);
    this.#fs = fs;
    this.#root = root;
    this.#hasher = hasher;
    this.#autoSave = opts.autoSave;
    this.#seen = opts.seen;
    this.#ready = opts.ready === undefined ? Promise.resolve() : opts.ready.then((done) => {
      this.#seen = identity(done.seen);
    });
    // Reported by commit() and close(), whichever comes first.
    this.#ready.catch(() => {});
  }

  /**
   * Opens (or with `create`, creates) a layout directory and validates it.
   *
   * @param path The directory.
   * @param fs File-system access.
   * @param opts Hasher and create flag.
   * @returns The layout.
   * @throws {NotFoundError} ERR_NOT_FOUND when the directory is missing and `create` is unset.
   * @throws {InvalidLayoutError} ERR_INVALID_LAYOUT when `oci-layout`, `blobs/` or `index.json`
   *   is missing or malformed.
   */
  static async open(path: string, fs: Fs, opts: OpenLayoutOptions = {}): Promise<LayoutStore> {
    const root = path.length > 1 ? path.replace(/\/+$/, "") : path;
    const create = opts.create ?? false;
    const st = await fs.stat(root);
    if (!st) {
      if (!create) throw new NotFoundError(`Layout directory ${root} does not exist`);
      await fs.mkdir(root, { recursive: true });
    } else if (!st.isDirectory) {
      throw new InvalidLayoutError(
        `${root} is not a directory; open layout tars with openLayout()`,
      );
    }
    const headerPath = join(root, "oci-layout");
    const hasHeader = (await fs.stat(headerPath)) !== undefined;
    if (hasHeader) {
      validateLayoutHeader(
        await fs.readFile(headerPath, { maxBytes: 64 * 1024 }).catch((err) => {
          if (err instanceof OcisignError && err.code === "ERR_SIZE_EXCEEDED") {
            throw new InvalidLayoutError(`${root}: oci-layout is too large`, { cause: err });
          }
          throw err;
        }),
        root,
      );
    } else if (!create) {
      throw new InvalidLayoutError(
        `${root} is not an OCI image layout: the oci-layout file is missing`,
      );
    }
    const blobs = await fs.stat(join(root, "blobs"));
    if (!blobs) {
      if (!create) throw new InvalidLayoutError(`${root}: the blobs directory is missing`);
      await fs.mkdir(join(root, "blobs"));
    } else if (!blobs.isDirectory) {
      throw new InvalidLayoutError(`${root}: blobs is not a directory`);
    } else {
      await checkBlobDirs(fs, root);
    }
    const indexPath = join(root, "index.json");
    // Taken before the read: a change after it shows as a new identity and is read again.
    const seen = await fs.stat(indexPath);
    if (!seen && !create) throw new InvalidLayoutError(`${root}: index.json is missing`);
    const found = seen
      ? LayoutIndex.parse(await readLimited(fs, indexPath, root, "index.json"), root)
      : undefined;
    const layout = (index: LayoutIndex, seen: string, ready?: Promise<SeenIndex>) =>
      new LayoutStore(root, fs, index, opts.hasher ?? pureHasherFactory, {
        autoSave: opts.autoSave ?? true,
        seen,
        ready,
      });
    if (hasHeader && found) return layout(found, identity(seen));
    const completing = completeLayout(fs, root, found && { index: found, seen }, !hasHeader);
    // Changes stored only by commit() (which merges them into the file as stored then): a new
    // layout's files are written while the caller starts its work (a pull's first requests);
    // commit() and close() wait for them.
    if (opts.autoSave === false) return layout(found ?? LayoutIndex.empty(), "", completing);
    const done = await completing;
    return layout(done.index, identity(done.seen));
  }

  /**
   * Nothing to release: changes not committed (with `autoSave: false`) are dropped. Waits for a
   * new layout's files.
   * @throws {OcisignError} when they could not be written.
   */
  close(): Promise<void> {
    return this.#ready;
  }

  /** Whether every change is written at once. */
  protected _autoSave(): boolean {
    return this.#autoSave;
  }

  /** Under `.ocisign.lock`: reads `index.json`, merges, writes it. */
  protected async _store(merge: (current: LayoutIndex) => void, opts: Op): Promise<LayoutIndex> {
    await this.#ready;
    const indexPath = join(this.#root, "index.json");
    return await withLock(this.#fs, join(this.#root, LAYOUT_LOCK_FILE), opts, async () => {
      const st = await this.#fs.stat(indexPath);
      const current = LayoutIndex.parse(
        await readLimited(this.#fs, indexPath, this.#root, "index.json"),
        this.#root,
      );
      merge(current);
      await this.#fs.writeFileAtomic(indexPath, current.serialize(), keepAttributes(st, opts));
      this.#seen = identity(await this.#fs.stat(indexPath));
      return current;
    });
  }

  /** Reads `index.json` again when its identity changed. */
  protected async _reloadIfChanged(): Promise<LayoutIndex | undefined> {
    await this.#ready;
    const indexPath = join(this.#root, "index.json");
    const seen = identity(await this.#fs.stat(indexPath));
    if (seen === this.#seen) return undefined;
    const index = LayoutIndex.parse(
      await readLimited(this.#fs, indexPath, this.#root, "index.json"),
      this.#root,
    );
    this.#seen = seen;
    return index;
  }

  /** Size of a blob, or undefined when absent. */
  protected async _blobSize(path: string): Promise<number | undefined> {
    const st = await this.#fs.stat(join(this.#root, path));
    if (!st) return undefined;
    // A symlinked blob is read through the link, and still verified against its digest.
    if (st.isSymlink) return await this.#sizeViaOpen(path);
    return st.isFile ? st.size : undefined;
  }

  /** Streams a blob's raw bytes. */
  protected _readBlob(path: string): Promise<ReadableStream<Bytes>> {
    return fileStream(this.#fs, join(this.#root, path));
  }

  /** Reads a blob's raw bytes at once (no stream). */
  protected override async _readBlobBytes(path: string, desc: Descriptor): Promise<Bytes> {
    try {
      return await this.#fs.readFile(join(this.#root, path), { maxBytes: desc.size });
    } catch (err) {
      // The file grew after its size was checked: as a stream would report it.
      if (err instanceof OcisignError && err.code === "ERR_SIZE_EXCEEDED") {
        throw new SizeMismatchError(desc.digest, desc.size, desc.size + 1, { cause: err });
      }
      throw err;
    }
  }

  /** Streams part of a blob, reading only that part of the file. */
  protected override async _readRange(
    path: string,
    range: ByteRange,
    digest: string,
  ): Promise<ReadableStream<Bytes>> {
    const file = join(this.#root, path);
    if (range.offset === 0) {
      // Whole blobs (what clients pull) go out as the runtime's own file stream where it has one.
      const whole = await this.#fs.serverStream?.(file, range.length);
      if (whole !== undefined) return whole;
    }
    const handle = await this.#fs.open(file);
    return rangeOf(handleStream(handle, range.offset, range.length), {
      offset: 0,
      length: range.length,
    }, digest);
  }

  /** Stores a blob from a verifying stream, visible only when it ends cleanly. */
  protected async _writeBlob(path: string, body: ReadableStream<Bytes>, opts: Op): Promise<void> {
    const tmp = await this.#fs.makeTempDir(this.#root, ".ocisign-ingest-");
    try {
      const staged = `${tmp}/blob`;
      await this.#fs.writeFileAtomic(staged, body, opts.signal ? { signal: opts.signal } : {});
      const dir = join(this.#root, path.slice(0, path.lastIndexOf("/")));
      await this.#fs.mkdir(dir, { recursive: true });
      await this.#fs.rename(staged, join(this.#root, path));
    } finally {
      await this.#fs.remove(tmp, { recursive: true });
    }
  }

  /** Removes a blob. */
  protected _removeBlob(path: string): Promise<void> {
    return this.#fs.remove(join(this.#root, path));
  }

  /**
   * Moves the file at `path`, whose bytes the caller verified against `desc`, into `blobs/` (the
   * file must be on the layout's file system). A blob already present is kept and the file
   * removed.
   * @throws {SizeMismatchError} ERR_SIZE_MISMATCH when the file is not `desc.size` bytes.
   * @throws {TypeError} for a manifest media type: push manifests, so they are recorded.
   */
  async ingestVerifiedFile(desc: Descriptor, path: string, opts: Op = {}): Promise<void> {
    checkAborted(opts.signal);
    if (isManifestMediaType(desc.mediaType)) {
      throw new TypeError(`Manifest ${desc.digest} must be pushed, not ingested as a file`);
    }
    const target = blobPath(desc.digest);
    const st = await this.#fs.stat(path);
    if (!st?.isFile || st.size !== desc.size) {
      throw new SizeMismatchError(desc.digest, desc.size, st?.isFile ? st.size : 0);
    }
    if ((await this._blobSize(target)) === desc.size) {
      await this.#fs.remove(path);
      return;
    }
    await this.#fs.mkdir(join(this.#root, target.slice(0, target.lastIndexOf("/"))), {
      recursive: true,
    });
    await this.#fs.rename(path, join(this.#root, target));
  }

  /**
   * Whether {@linkcode receiveFile} writes natively (the file system has `writeBodyFile` and
   * `scanFile`).
   */
  get receivesFiles(): boolean {
    return this.#fs.writeBodyFile !== undefined && this.#fs.scanFile !== undefined;
  }

  /**
   * Stores the blob `desc` from unverified bytes: written natively to a temporary file in the
   * layout, read (as it grows) against `desc`'s size and digest, flushed, and only then moved
   * into `blobs/`
   * ({@linkcode ingestVerifiedFile}). On any failure nothing is left behind.
   * @throws {DigestMismatchError} ERR_DIGEST_MISMATCH when the bytes are not `desc.digest`'s.
   * @throws {SizeMismatchError} ERR_SIZE_MISMATCH when there are not `desc.size` of them.
   * @throws {TypeError} for a manifest media type, or when {@linkcode receivesFiles} is false.
   */
  async receiveFile(
    desc: Descriptor,
    body: ReadableStream<Bytes>,
    opts: ReceiveFileOptions = {},
  ): Promise<void> {
    const fs = this.#fs;
    if (!this.receivesFiles || isManifestMediaType(desc.mediaType)) {
      await body.cancel().catch(() => {});
      throw new TypeError(`Blob ${desc.digest} cannot be received as a file here; push it`);
    }
    const ctx = {
      fs,
      write: (path: string, bytes: ReadableStream<Bytes>, signal: AbortSignal | undefined) =>
        fs.writeBodyFile!(path, bytes, signal === undefined ? {} : { signal }),
      root: this.#root,
      hasher: this.#hasher,
      ingest: (path: string) => this.ingestVerifiedFile(desc, path, opts),
    };
    await receiveFile(ctx, desc, body, opts);
  }

  async #sizeViaOpen(path: string): Promise<number | undefined> {
    try {
      const h = await this.#fs.open(join(this.#root, path));
      const size = h.size;
      await h.close();
      return size;
    } catch (err) {
      if (err instanceof OcisignError && err.code === "ERR_NOT_FOUND") return undefined;
      throw err;
    }
  }
}
