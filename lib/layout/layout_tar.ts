/**
 * An OCI image layout kept in a tar file (what `docker buildx … -o type=oci,dest=x.tar` writes).
 * Reads index the tar once and read members by offset; writes are staged next to the tar and
 * applied by {@linkcode LayoutTar.commit}, which rewrites the tar atomically.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { MAX_MANIFEST_BYTES } from "../_internal/limits.ts";
import { checkAborted } from "../content/_streams.ts";
import type { FileHandle, Fs } from "../content/fs.ts";
import type { ByteRange, Op } from "../content/storage.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import { pureHasherFactory } from "../digest/pure_hasher.ts";
import { InvalidLayoutError, NotFoundError, UnsupportedError } from "../errors.ts";
import { fileStream } from "./_file_stream.ts";
import { LayoutIndex } from "../content/_layout_index.ts";
import { encodeTarHeader, tarEnd, type TarEntryType, tarPadding } from "../tar/mod.ts";
import { indexLayoutTar, type TarMember } from "./_tar_index.ts";
import { keepAttributes } from "./_keep_attributes.ts";
import { withLock } from "./_with_lock.ts";
import type { OpenLayoutOptions } from "./layout_store.ts";
import { layoutHeaderBytes, OciLayout, validateLayoutHeader } from "./oci_layout.ts";

function parentDir(path: string): string {
  const i = path.lastIndexOf("/");
  if (i < 0) return ".";
  return i === 0 ? "/" : path.slice(0, i);
}

interface Opened {
  handle: FileHandle;
  members: Map<string, TarMember>;
  header: Bytes;
  index: Bytes;
}

async function readMember(
  handle: FileHandle,
  members: Map<string, TarMember>,
  name: string,
  where: string,
  limit: number,
): Promise<Bytes> {
  const m = members.get(name);
  if (!m) throw new InvalidLayoutError(`${where} is not an OCI image layout: ${name} is missing`);
  if (m.type !== "file") throw new InvalidLayoutError(`${where}: ${name} is not a regular file`);
  if (m.size > limit) {
    throw new InvalidLayoutError(
      `${where}: ${name} is ${m.size} bytes, over the ${limit}-byte limit`,
    );
  }
  return await handle.read(m.offset, m.size);
}

async function openTar(fs: Fs, path: string): Promise<Opened> {
  const handle = await fs.open(path);
  try {
    const members = await indexLayoutTar(handle, path);
    const header = await readMember(handle, members, "oci-layout", path, 64 * 1024);
    validateLayoutHeader(header, path);
    const index = await readMember(handle, members, "index.json", path, MAX_MANIFEST_BYTES);
    return { handle, members, header, index };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/**
 * A layout tar. Pushes, tags and deletes are staged (blobs in a temporary directory next to the
 * tar) and become visible in the file only on {@linkcode LayoutTar.commit}; {@linkcode
 * LayoutTar.close} discards what was not committed. A commit takes the lock file `<tar>.lock`
 * (shared by every ocisign writer), reads the tar again and rewrites it with what it holds now
 * plus this process's changes, so concurrent writers lose nothing (a blob this process found in
 * the tar and relied on, which another writer removed meanwhile, is put back). The tar keeps its
 * mode and owner; a symlinked tar is rewritten at the link's target. Entries with absolute paths,
 * `..`, links pointing outside, duplicate names, special files, or an `index.json` over 4 MiB are
 * refused.
 *
 * @example Push to a new tar and commit
 * ```ts
 * import { LayoutTar } from "./layout_tar.ts";
 * import { MemoryFs } from "../content/memory_fs.ts";
 * const fs = new MemoryFs();
 * const tar = await LayoutTar.open("/img.tar", fs, { create: true });
 * await tar.push({
 *   mediaType: "application/vnd.oci.empty.v1+json",
 *   digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
 *   size: 2,
 * }, new TextEncoder().encode("{}"));
 * await tar.commit();
 * await tar.close();
 * console.log((await fs.stat("/img.tar"))?.size); // 5120
 * ```
 */
export class LayoutTar extends OciLayout {
  #fs: Fs;
  /** The tar file itself (a symlink's target). */
  #path: string;
  #handle: FileHandle | undefined;
  #members: Map<string, TarMember>;
  #header: Bytes;
  /** The staging directory, made once even when several blobs are pushed at once. */
  #stageDir: Promise<string> | undefined;
  #staged = new Map<string, { file: string; size: number }>();
  #removed = new Set<string>();
  /**
   * Blobs of the opened tar this process found present (and so did not push again): a commit
   * restores those another writer removed meanwhile, from the tar as it was opened.
   */
  #used = new Set<string>();
  #isNew: boolean;

  private constructor(
    paths: { location: string; file: string },
    fs: Fs,
    opened: Opened | undefined,
    index: LayoutIndex,
    hasher: HasherFactory,
  ) {
    super(paths.location, index, hasher);
    this.#fs = fs;
    this.#path = paths.file;
    this.#handle = opened?.handle;
    this.#members = opened?.members ?? new Map();
    this.#header = opened?.header ?? layoutHeaderBytes();
    this.#isNew = opened === undefined;
  }

  /**
   * Opens a layout tar (or with `create`, starts a new one that {@linkcode LayoutTar.commit}
   * writes).
   *
   * @param path The tar file.
   * @param fs File-system access.
   * @param opts Hasher and create flag.
   * @returns The layout.
   * @throws {NotFoundError} ERR_NOT_FOUND when the file is missing and `create` is unset.
   * @throws {InvalidLayoutError} ERR_INVALID_LAYOUT when the tar or the layout in it is invalid.
   */
  static async open(path: string, fs: Fs, opts: OpenLayoutOptions = {}): Promise<LayoutTar> {
    const hasher = opts.hasher ?? pureHasherFactory;
    const st = await fs.stat(path);
    if (!st) {
      if (!opts.create) throw new NotFoundError(`Layout tar ${path} does not exist`);
      return new LayoutTar(
        { location: path, file: path },
        fs,
        undefined,
        LayoutIndex.empty(),
        hasher,
      );
    }
    // Writes go to the link's target, so the link stays a link and the target gets the changes.
    const file = st.isSymlink ? await fs.realPath(path) : path;
    const opened = await openTar(fs, file);
    try {
      const index = LayoutIndex.parse(opened.index, path);
      return new LayoutTar({ location: path, file }, fs, opened, index, hasher);
    } catch (err) {
      await opened.handle.close();
      throw err;
    }
  }

  /** Never at once: changes are stored by {@linkcode LayoutTar.commit}. */
  protected _autoSave(): boolean {
    return false;
  }

  /** Whether the tar is new or has staged blobs or removals. */
  protected override _hasStaged(): boolean {
    return this.#isNew || this.#staged.size > 0 || this.#removed.size > 0;
  }

  /**
   * Under `<tar>.lock`: opens the tar as it is now, applies `merge` to its `index.json`, and
   * rewrites it atomically (a temporary file `0600` next to it, renamed over it) with the same
   * mode and owner: `oci-layout`, `index.json`, every kept entry in its order, then new blobs.
   * An interrupted commit leaves the old tar as it was.
   */
  protected _store(merge: (current: LayoutIndex) => void, opts: Op): Promise<LayoutIndex> {
    checkAborted(opts.signal);
    return withLock(this.#fs, `${this.#path}.lock`, opts, async () => {
      const st = await this.#fs.stat(this.#path);
      const current = st ? await openTar(this.#fs, this.#path) : undefined;
      try {
        const index = current
          ? LayoutIndex.parse(current.index, this.location)
          : LayoutIndex.empty();
        merge(index);
        await this.#fs.writeFileAtomic(
          this.#path,
          this.#tarStream(current, index.serialize()),
          keepAttributes(st, opts),
        );
      } finally {
        await current?.handle.close();
      }
      const opened = await openTar(this.#fs, this.#path);
      await this.#handle?.close();
      this.#handle = opened.handle;
      this.#members = opened.members;
      this.#header = opened.header;
      await this.#clearStage();
      this.#isNew = false;
      return LayoutIndex.parse(opened.index, this.location);
    });
  }

  /** A tar is a snapshot: it is read again only under the lock, by a commit. */
  protected _reloadIfChanged(): Promise<LayoutIndex | undefined> {
    return Promise.resolve(undefined);
  }

  /** Closes the tar and discards uncommitted changes. */
  async close(): Promise<void> {
    await this.#handle?.close();
    this.#handle = undefined;
    await this.#clearStage();
  }

  /** Size of a blob, or undefined when absent. */
  protected _blobSize(path: string): Promise<number | undefined> {
    const staged = this.#staged.get(path);
    if (staged) return Promise.resolve(staged.size);
    const m = this.#removed.has(path) ? undefined : this.#members.get(path);
    if (m?.type === "link") {
      return Promise.reject(
        new UnsupportedError(
          `${this.#path}: blob ${path} is a link in the tar; links are not supported`,
        ),
      );
    }
    if (m?.type !== "file") return Promise.resolve(undefined);
    this.#used.add(path);
    return Promise.resolve(m.size);
  }

  /** Streams a blob's raw bytes. */
  protected _readBlob(path: string): Promise<ReadableStream<Bytes>> {
    const staged = this.#staged.get(path);
    if (staged) return fileStream(this.#fs, staged.file);
    const m = this.#members.get(path);
    if (!m || !this.#handle) {
      return Promise.reject(
        new NotFoundError(`Blob ${path} not found in layout tar ${this.#path}`),
      );
    }
    return Promise.resolve(this.#handle.stream(m.offset, m.size));
  }

  /** Streams part of a blob: a staged one through its file, a member by its offset in the tar. */
  protected override _readRange(
    path: string,
    range: ByteRange,
    digest: string,
  ): Promise<ReadableStream<Bytes>> {
    const m = this.#staged.has(path) ? undefined : this.#members.get(path);
    if (!m || !this.#handle) return super._readRange(path, range, digest);
    return Promise.resolve(this.#handle.stream(m.offset + range.offset, range.length));
  }

  /** Stores a blob from a verifying stream, visible only when it ends cleanly. */
  protected async _writeBlob(path: string, body: ReadableStream<Bytes>, opts: Op): Promise<void> {
    this.#stageDir ??= this.#fs.makeTempDir(parentDir(this.#path), ".ocisign-stage-").catch(
      (err) => {
        this.#stageDir = undefined;
        throw err;
      },
    );
    const file = `${await this.#stageDir}/${path.replaceAll("/", "_")}`;
    await this.#fs.writeFileAtomic(file, body, opts.signal ? { signal: opts.signal } : {});
    const st = await this.#fs.stat(file);
    this.#staged.set(path, { file, size: st?.size ?? 0 });
    this.#removed.delete(path);
  }

  /** Removes a blob. */
  protected async _removeBlob(path: string): Promise<void> {
    const staged = this.#staged.get(path);
    if (staged) {
      await this.#fs.remove(staged.file);
      this.#staged.delete(path);
    }
    if (this.#members.has(path)) this.#removed.add(path);
  }

  async #clearStage(): Promise<void> {
    const stageDir = this.#stageDir;
    this.#stageDir = undefined;
    const dir = await stageDir?.catch(() => undefined);
    if (dir !== undefined) await this.#fs.remove(dir, { recursive: true });
    this.#staged.clear();
    this.#removed.clear();
    this.#used.clear();
  }

  #tarStream(current: Opened | undefined, indexBytes: Bytes): ReadableStream<Uint8Array> {
    const chunks = this.#tarChunks(current, indexBytes);
    return new ReadableStream<Uint8Array>({
      async pull(controller): Promise<void> {
        try {
          const { done, value } = await chunks.next();
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (err) {
          controller.error(err);
        }
      },
      async cancel(): Promise<void> {
        await chunks.return(undefined);
      },
    });
  }

  async *#tarChunks(current: Opened | undefined, indexBytes: Bytes): AsyncGenerator<Uint8Array> {
    const members = current?.members ?? new Map<string, TarMember>();
    const file = (name: string, data: Bytes): Uint8Array[] => [
      tarHeader(name, data.length, "file", 0o644),
      data,
      tarPadding(data.length),
    ];
    yield* file("oci-layout", current?.header ?? this.#header);
    yield* file("index.json", indexBytes);
    const restored = [...this.#used].filter((name) =>
      !members.has(name) && !this.#removed.has(name) && !this.#staged.has(name)
    );
    const dirs = new Set<string>(["blobs"]);
    for (const name of [...members.keys(), ...this.#staged.keys(), ...restored]) {
      const parts = name.split("/");
      if (parts[0] === "blobs" && parts.length === 3) dirs.add(`blobs/${parts[1]}`);
    }
    for (const d of [...dirs].sort()) yield tarHeader(d, 0, "directory", 0o755);
    for (const m of members.values()) {
      if (m.name === "oci-layout" || m.name === "index.json" || dirs.has(m.name)) continue;
      if (this.#removed.has(m.name) || this.#staged.has(m.name)) continue;
      if (m.type === "directory") {
        yield tarHeader(m.name, 0, "directory", m.mode);
      } else if (m.type === "link") {
        const type = m.hardLink ? "hardlink" : "symlink";
        yield tarHeader(m.name, 0, type, m.mode, m.linkName ?? "");
      } else {
        yield tarHeader(m.name, m.size, "file", m.mode || 0o644);
        yield* current!.handle.stream(m.offset, m.size);
        yield tarPadding(m.size);
      }
    }
    for (const name of restored) {
      const m = this.#members.get(name)!;
      yield tarHeader(name, m.size, "file", m.mode || 0o644);
      yield* this.#handle!.stream(m.offset, m.size);
      yield tarPadding(m.size);
    }
    for (const [name, staged] of this.#staged) {
      yield tarHeader(name, staged.size, "file", 0o644);
      yield* await fileStream(this.#fs, staged.file);
      yield tarPadding(staged.size);
    }
    yield tarEnd();
  }
}

/** A member's header as a layout tar writes it: owner root, mtime 0. */
function tarHeader(
  path: string,
  size: number,
  type: TarEntryType,
  mode: number,
  linkname?: string,
): Uint8Array {
  return encodeTarHeader({ path, type, mode, uid: 0, gid: 0, size, mtime: 0, linkname });
}
