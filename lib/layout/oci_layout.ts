/**
 * The storage logic shared by layout directories and layout tars: verified reads, verified
 * pushes, `index.json` bookkeeping (every pushed manifest recorded, tags as `ref.name`), resolve
 * by tag or digest (also inside nested indexes), and referrers by scanning manifests reachable
 * from `index.json` for a `subject`.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { utf8 } from "../_internal/bytes.ts";
import { MAX_MANIFEST_BYTES } from "../_internal/limits.ts";
import { bytesStream, checkAborted, readBounded } from "../content/_streams.ts";
import type { BlobStatter } from "../content/blob_abilities.ts";
import { verifyBytes } from "../content/fetch_all.ts";
import { parseManifest } from "../content/parse_manifest.ts";
import { checkRange, rangeOf } from "../content/range_stream.ts";
import type {
  ByteRange,
  Closer,
  Committer,
  Deleter,
  GraphTarget,
  Op,
  RangeFetcher,
  TagLister,
  Untagger,
} from "../content/storage.ts";
import { isDigest, parseDigest } from "../digest/digest.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import { isVerifiedStream, verifiedOnce, verifyStream } from "../digest/verify_stream.ts";
import {
  InvalidLayoutError,
  InvalidReferenceError,
  NotFoundError,
  SizeExceededError,
  SizeMismatchError,
} from "../errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { isManifestMediaType } from "../oci/media_types.ts";
import { KeyedLock } from "../_internal/keyed_lock.ts";
import type { IndexChange, LayoutIndex } from "../content/_layout_index.ts";
import { GraphIndex } from "../content/_graph_index.ts";

/** The exact `oci-layout` file ocisign writes. */
export const OCI_LAYOUT_HEADER: string = '{"imageLayoutVersion":"1.0.0"}';

/** Largest `oci-layout` file read. */
const MAX_HEADER_BYTES = 64 * 1024;

/**
 * Validates the bytes of an `oci-layout` file.
 *
 * @example
 * ```ts
 * import { OCI_LAYOUT_HEADER, validateLayoutHeader } from "./oci_layout.ts";
 * validateLayoutHeader(new TextEncoder().encode(OCI_LAYOUT_HEADER), "./dir");
 * ```
 * @param raw The file's bytes.
 * @param where The layout, for messages.
 * @throws {InvalidLayoutError} ERR_INVALID_LAYOUT unless it is a JSON object with
 *   `imageLayoutVersion` `"1.0.0"`.
 */
export function validateLayoutHeader(raw: Uint8Array, where: string): void {
  if (raw.length > MAX_HEADER_BYTES) {
    throw new InvalidLayoutError(`${where}: oci-layout is ${raw.length} bytes, too large`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw));
  } catch (err) {
    throw new InvalidLayoutError(`${where}: oci-layout is not valid JSON`, { cause: err });
  }
  const version = typeof doc === "object" && doc !== null
    ? (doc as Record<string, unknown>).imageLayoutVersion
    : undefined;
  if (version !== "1.0.0") {
    throw new InvalidLayoutError(
      `${where}: unsupported oci-layout imageLayoutVersion ${
        JSON.stringify(version)
      }; only "1.0.0" is supported`,
    );
  }
}

/** Bytes of the `oci-layout` file. */
export function layoutHeaderBytes(): Bytes {
  return utf8(OCI_LAYOUT_HEADER);
}

/** The relative path of a blob: `blobs/<alg>/<hex>`. */
export function blobPath(digest: string): string {
  const { algorithm, hex } = parseDigest(digest);
  return `blobs/${algorithm}/${hex}`;
}

/**
 * An OCI image layout (directory or tar) as a {@linkcode GraphTarget}, {@linkcode TagLister},
 * {@linkcode Deleter}, {@linkcode Untagger} and {@linkcode RangeFetcher}; changes are stored by `commit()` (a
 * {@linkcode Committer}) and files released by `close()` (a {@linkcode Closer}). Subclasses
 * supply blob and `index.json` storage.
 *
 * @example Open any layout, resolve a tag, list referrers
 * ```ts ignore
 * import { openLayout } from "./open_layout.ts";
 * import type { Fs } from "../content/fs.ts";
 * declare const fs: Fs; // the runtime's file system
 * const layout = await openLayout("./hello-world", fs);
 * const desc = await layout.resolve("v1");
 * for await (const r of layout.referrers(desc)) console.log(r.digest, r.artifactType);
 * await layout.close();
 * ```
 */
export abstract class OciLayout
  implements
    GraphTarget,
    TagLister,
    Deleter,
    Untagger,
    RangeFetcher,
    Committer,
    Closer,
    BlobStatter {
  /** The layout's path, for messages. */
  readonly location: string;
  /** `index.json` as this process sees it: as stored, plus the changes not stored yet. */
  #index: LayoutIndex;
  /** `index.json` as last read from or written to storage. */
  #stored: LayoutIndex;
  /** Changes not stored yet, replayed on the stored file's current content when stored. */
  #pending: IndexChange[] = [];
  #hasher: HasherFactory;
  #lock = new KeyedLock();
  #graph: GraphIndex;

  /**
   * Sets up the shared state; subclasses open and validate the storage first.
   * @param location The layout's path.
   * @param index The parsed `index.json`.
   * @param hasher Hashes streamed content.
   */
  protected constructor(location: string, index: LayoutIndex, hasher: HasherFactory) {
    this.location = location;
    this.#stored = index;
    this.#index = index.clone();
    this.#hasher = hasher;
    this.#graph = new GraphIndex(
      {
        fetch: (desc, opts) => this.fetch(desc, opts),
        fetchWhole: (desc, opts) => this.fetchWhole(desc, opts),
        blobSize: (digest) => this._blobSize(blobPath(digest)),
      },
      `layout ${location}`,
      hasher,
    );
  }

  /** Whether each change is stored at once (else by {@linkcode OciLayout.commit}). */
  protected abstract _autoSave(): boolean;
  /**
   * Under the layout's lock file: reads the stored `index.json` as it is now, lets `merge` apply
   * this process's changes to it, and stores the result (a tar with its staged blobs).
   * @returns The index as stored.
   */
  protected abstract _store(merge: (current: LayoutIndex) => void, opts: Op): Promise<LayoutIndex>;
  /** The stored `index.json` when it changed since it was last read or written, else undefined. */
  protected abstract _reloadIfChanged(): Promise<LayoutIndex | undefined>;
  /** Whether something besides `index.json` waits to be stored (a tar's staged blobs). */
  protected _hasStaged(): boolean {
    return false;
  }

  /** Size of the blob at `path` (`blobs/<alg>/<hex>`), or undefined when absent. */
  protected abstract _blobSize(path: string): Promise<number | undefined>;
  /** Streams the raw, unverified bytes of the blob at `path`. */
  protected abstract _readBlob(path: string): Promise<ReadableStream<Bytes>>;
  /**
   * Stores a blob from a verifying stream; it must become visible only if the stream ends
   * cleanly, and leave nothing behind otherwise.
   */
  protected abstract _writeBlob(path: string, body: ReadableStream<Bytes>, opts: Op): Promise<void>;
  /** Removes the blob at `path`. */
  protected abstract _removeBlob(path: string): Promise<void>;
  /** Releases open files and discards uncommitted staged changes. */
  abstract close(): Promise<void>;

  /** Whether there are changes not yet stored by {@linkcode OciLayout.commit}. */
  get dirty(): boolean {
    return this.#pending.length > 0 || this._hasStaged();
  }

  /**
   * Stores the changes not stored yet (with `autoSave: false`, and a tar's staged blobs): under
   * the layout's lock file, `index.json` is read again and this process's changes are applied to
   * what it holds now, so writers in other processes lose nothing.
   * @throws {LockedError} ERR_LOCKED when another process holds the lock for too long.
   */
  async commit(opts: Op = {}): Promise<void> {
    checkAborted(opts.signal);
    await this.#lock.run("index", async () => {
      if (this.#pending.length > 0 || this._hasStaged()) await this.#store(opts);
    });
  }

  /**
   * Reads `index.json` again when another process changed it (a server calls this before each
   * request); changes not stored yet are kept on top.
   */
  async refresh(): Promise<void> {
    await this.#lock.run("index", async () => {
      const fresh = await this._reloadIfChanged();
      if (fresh === undefined) return;
      this.#stored = fresh;
      this.#rebuild();
    });
  }

  async #record(change: IndexChange, opts: Op): Promise<void> {
    await this.#lock.run("index", async () => {
      if (!this.#index.apply(change)) return;
      this.#pending.push(change);
      if (this._autoSave()) await this.#store(opts);
    });
  }

  /** Stores the pending changes; runs inside `#lock`. */
  async #store(opts: Op): Promise<void> {
    const pending = [...this.#pending];
    try {
      this.#stored = await this._store((current) => {
        for (const change of pending) current.apply(change);
      }, opts);
      this.#pending = [];
    } catch (err) {
      // A change stored at once failed for its caller; it must not reappear with a later one.
      if (this._autoSave()) this.#pending = [];
      throw err;
    } finally {
      this.#rebuild();
    }
  }

  #rebuild(): void {
    const view = this.#stored.clone();
    for (const change of this.#pending) view.apply(change);
    this.#index = view;
  }

  /** The descriptors in `index.json`, in file order. */
  manifests(): Descriptor[] {
    return this.#index.entries();
  }

  /**
   * Streams a blob, verified against `desc` as it is read.
   * @throws {NotFoundError} ERR_NOT_FOUND when absent.
   * @throws {SizeMismatchError} ERR_SIZE_MISMATCH at once when the file has another size.
   */
  async fetch(desc: Descriptor, opts: Op = {}): Promise<ReadableStream<Bytes>> {
    checkAborted(opts.signal);
    const path = await this.#present(desc);
    return verifyStream(await this._readBlob(path), desc, this.#hasher);
  }

  /**
   * Reads a whole blob into memory, checked against `desc` (size and digest), without a stream
   * (`WholeFetcher`: `fetchAll` uses it for manifests and signatures).
   *
   * @example
   * ```ts ignore
   * const manifest = await layout.fetchWhole(desc);
   * ```
   * @throws {NotFoundError} ERR_NOT_FOUND when absent.
   * @throws {SizeMismatchError} ERR_SIZE_MISMATCH when the file has another size.
   * @throws {DigestMismatchError} ERR_DIGEST_MISMATCH when the digest differs.
   */
  async fetchWhole(desc: Descriptor, opts: Op = {}): Promise<Bytes> {
    checkAborted(opts.signal);
    const bytes = await this._readBlobBytes(await this.#present(desc), desc);
    await verifyBytes(bytes, desc, this.#hasher);
    return bytes;
  }

  /**
   * The raw bytes of the blob at `path`, refusing more than `desc.size` (by default read through
   * {@linkcode OciLayout._readBlob}).
   */
  protected async _readBlobBytes(path: string, desc: Descriptor): Promise<Bytes> {
    return await readBounded(await this._readBlob(path), {
      limit: desc.size + 1,
      expected: desc,
      what: `Blob ${desc.digest}`,
    });
  }

  /**
   * Streams part of a blob. A part cannot be checked against the digest; the blob's size is
   * checked against `desc.size` and the range against the size.
   * @throws {NotFoundError} ERR_NOT_FOUND when absent.
   * @throws {SizeMismatchError} ERR_SIZE_MISMATCH when the file has another size.
   * @throws {InvalidInputError} ERR_INVALID_INPUT when the range is outside `desc.size`.
   */
  async fetchRange(
    desc: Descriptor,
    range: ByteRange,
    opts: Op = {},
  ): Promise<ReadableStream<Bytes>> {
    checkAborted(opts.signal);
    checkRange(desc, range);
    return await this._readRange(await this.#present(desc), range, desc.digest);
  }

  /**
   * Streams `range` of the raw bytes of the blob at `path` (by default read through
   * {@linkcode OciLayout._readBlob} up to the range).
   */
  protected async _readRange(
    path: string,
    range: ByteRange,
    digest: string,
  ): Promise<ReadableStream<Bytes>> {
    return rangeOf(await this._readBlob(path), range, digest);
  }

  /** The path of the blob `desc` names, checked present with `desc.size`. */
  async #present(desc: Descriptor): Promise<string> {
    const path = blobPath(desc.digest);
    const size = await this._blobSize(path);
    if (size === undefined) {
      throw new NotFoundError(`Blob ${desc.digest} not found in layout ${this.location}`);
    }
    if (size !== desc.size) throw new SizeMismatchError(desc.digest, desc.size, size);
    return path;
  }

  /** Whether a blob with this digest and size is present. */
  async exists(desc: Descriptor, opts: Op = {}): Promise<boolean> {
    checkAborted(opts.signal);
    return (await this._blobSize(blobPath(desc.digest))) === desc.size;
  }

  /**
   * The size of the blob stored under `digest` (a symlinked blob through its link), or
   * `undefined` when absent ({@linkcode BlobStatter}).
   * @throws {InvalidDigestError} ERR_INVALID_DIGEST for a malformed digest.
   */
  statBlob(digest: string, opts: Op = {}): Promise<number | undefined> {
    checkAborted(opts.signal);
    return this._blobSize(blobPath(digest));
  }

  /**
   * Stores content verified against `desc` (written to a temporary file, checked, then renamed);
   * a manifest (by media type, at most 4 MiB) is also validated and recorded in `index.json`
   * untagged. Content already present is not rewritten.
   * @throws {SizeMismatchError} ERR_SIZE_MISMATCH, {DigestMismatchError} ERR_DIGEST_MISMATCH,
   *   {InvalidManifestError} ERR_INVALID_MANIFEST, {SizeExceededError} ERR_SIZE_EXCEEDED.
   */
  async push(
    desc: Descriptor,
    body: ReadableStream<Uint8Array> | Uint8Array,
    opts: Op = {},
  ): Promise<void> {
    const path = blobPath(desc.digest);
    if (!Number.isSafeInteger(desc.size) || desc.size < 0) {
      throw new SizeMismatchError(desc.digest, desc.size, 0);
    }
    if (isManifestMediaType(desc.mediaType)) {
      if (desc.size > MAX_MANIFEST_BYTES) {
        if (!(body instanceof Uint8Array)) await body.cancel().catch(() => {});
        throw new SizeExceededError(`Manifest ${desc.digest}`, desc.size, MAX_MANIFEST_BYTES);
      }
      const bytes = await readBounded(body, {
        limit: MAX_MANIFEST_BYTES,
        expected: desc,
        what: `Manifest ${desc.digest}`,
        signal: opts.signal,
      });
      // A verified stream's clean end already says the bytes match: they are hashed once.
      if (!isVerifiedStream(body, desc)) await verifyBytes(bytes, desc, this.#hasher);
      const parsed = parseManifest(bytes, { mediaType: desc.mediaType, name: desc.digest });
      if ((await this._blobSize(path)) !== desc.size) {
        await this._writeBlob(path, bytesStream(bytes), opts);
      }
      this.#graph.remember(desc.digest, parsed);
      await this.#record({ kind: "add", desc }, opts);
      return;
    }
    if ((await this._blobSize(path)) === desc.size) {
      if (!(body instanceof Uint8Array)) await body.cancel().catch(() => {});
      return;
    }
    const stream = body instanceof Uint8Array ? bytesStream(body) : body;
    await this._writeBlob(path, verifiedOnce(stream, desc, this.#hasher), opts);
  }

  /**
   * Resolves a tag (`ref.name`, or a full `io.containerd.image.name`) or a manifest digest: a
   * digest of an `index.json` entry or of a manifest inside a nested index gives its descriptor;
   * another manifest blob gives its own media type; a config or layer digest is not found.
   * @throws {NotFoundError} ERR_NOT_FOUND when unknown.
   */
  resolve(reference: string, opts: Op = {}): Promise<Descriptor> {
    return this.#graph.resolve(this.#index, reference, opts);
  }

  /**
   * Tags stored content (`org.opencontainers.image.ref.name`); a tag that named another manifest
   * moves, and that manifest stays as an untagged entry. Tagging with a digest only records it.
   * @throws {NotFoundError} ERR_NOT_FOUND when the content is absent.
   * @throws {InvalidReferenceError} ERR_INVALID_REFERENCE for an empty tag or another digest.
   */
  async tag(desc: Descriptor, reference: string, opts: Op = {}): Promise<void> {
    checkAborted(opts.signal);
    if (reference === "") throw new InvalidReferenceError(reference, "a tag must not be empty");
    if (isDigest(reference) && reference !== desc.digest) {
      throw new InvalidReferenceError(reference, `cannot tag ${desc.digest} with another digest`);
    }
    if (!(await this.exists(desc))) {
      throw new NotFoundError(
        `Cannot tag ${desc.digest}: it is not in layout ${this.location}; push it first`,
      );
    }
    await this.#record(
      isDigest(reference) ? { kind: "add", desc } : { kind: "tag", desc, tag: reference },
      opts,
    );
  }

  /**
   * Removes a tag; the manifest it named stays in the layout as an untagged entry.
   * @throws {NotFoundError} ERR_NOT_FOUND when there is no such tag.
   */
  async untag(tag: string, opts: Op = {}): Promise<void> {
    checkAborted(opts.signal);
    if (!this.#index.tags().includes(tag)) {
      throw new NotFoundError(`Tag ${tag} not found in layout ${this.location}`);
    }
    await this.#record({ kind: "untag", tag }, opts);
  }

  /** Yields every tag in lexical order. */
  async *tags(opts: Op = {}): AsyncIterable<string> {
    checkAborted(opts.signal);
    for (const t of this.#index.tags()) yield t;
  }

  /**
   * Yields manifests reachable from `index.json` (through nested indexes) whose `subject` has
   * `subject.digest`, as a referrers listing describes them; `artifactType` filters on the
   * manifest's `artifactType`, else its `config.mediaType`. Blobs missing from a sparse layout
   * are skipped.
   */
  referrers(
    subject: Descriptor,
    opts: Op & { artifactType?: string } = {},
  ): AsyncIterable<Descriptor> {
    return this.#graph.referrers(this.#index, subject, opts);
  }

  /**
   * Removes content: its `index.json` entries (and tags), then the blob.
   * @throws {NotFoundError} ERR_NOT_FOUND when absent.
   */
  async delete(desc: Descriptor, opts: Op = {}): Promise<void> {
    checkAborted(opts.signal);
    const path = blobPath(desc.digest);
    if ((await this._blobSize(path)) === undefined) {
      throw new NotFoundError(`Cannot delete ${desc.digest}: not in layout ${this.location}`);
    }
    await this.#record({ kind: "remove", digest: desc.digest }, opts);
    this.#graph.forget(desc.digest);
    await this._removeBlob(path);
  }
}
