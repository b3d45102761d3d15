/**
 * A layout tar read in one pass from a stream, for commands that read but do not copy (`list`,
 * `inspect`, `verify --oci-layout -`): nothing touches the disk. Every blob is hashed as it
 * streams past; small JSON and COSE blobs (manifests, configs, envelopes) are kept in memory
 * (bounded), everything else is only remembered as "this digest, this size, these bytes hashed
 * to that". Reading a blob that was not kept fails clearly; `checkBlob` answers for every blob.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { MAX_MANIFEST_BYTES } from "../_internal/limits.ts";
import { bytesStream, checkAborted } from "../content/_streams.ts";
import type { Op } from "../content/storage.ts";
import { isDigest, parseDigest } from "../digest/digest.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import { pureHasherFactory } from "../digest/pure_hasher.ts";
import {
  DigestMismatchError,
  InvalidInputError,
  InvalidLayoutError,
  NotFoundError,
  OcisignError,
  SizeMismatchError,
  UnsupportedError,
} from "../errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { LayoutIndex } from "../content/_layout_index.ts";
import { readTar } from "../tar/mod.ts";
import { normalizeTarName } from "./_tar_index.ts";
import { OciLayout, validateLayoutHeader } from "./oci_layout.ts";

/** Default bound on the blobs kept in memory. */
export const MAX_KEPT_BYTES = 64 * 1024 * 1024;

/** Options of {@linkcode ScannedLayoutTar.scan}. */
export interface ScanLayoutTarOptions extends Op {
  /** Hashes the blobs as they pass (default: the pure-TypeScript hasher). */
  hasher?: HasherFactory;
  /** Most bytes of small blobs kept in memory (default {@linkcode MAX_KEPT_BYTES}). */
  maxKeptBytes?: number;
  /** How the layout is named in messages (default `the layout tar on stdin`). */
  where?: string;
}

interface Seen {
  size: number;
  /** `<alg>:<hex>` of the bytes that passed. */
  actual: string;
  /** The bytes, when kept. */
  bytes?: Bytes;
}

/** `{` (JSON: manifests, configs, JWS) or 0xd2 (CBOR tag 18: COSE_Sign1). */
function worthKeeping(first: number | undefined): boolean {
  return first === 0x7b || first === 0xd2;
}

const READ_ONLY = "it was read once from a stream; save it to a file to change it";

/**
 * A read-only layout scanned from a tar stream; see the module doc.
 *
 * @example
 * ```ts ignore
 * import { ScannedLayoutTar } from "./scanned_layout_tar.ts";
 * const layout = await ScannedLayoutTar.scan(stdin, { hasher });
 * console.log(await layout.resolve("v1"));
 * ```
 */
export class ScannedLayoutTar extends OciLayout {
  #blobs: Map<string, Seen>;

  private constructor(
    where: string,
    index: LayoutIndex,
    blobs: Map<string, Seen>,
    hasher: HasherFactory,
  ) {
    super(where, index, hasher);
    this.#blobs = blobs;
  }

  /**
   * Reads a layout tar from `stream` to its end.
   * @param stream The tar bytes.
   * @param opts Hasher, memory bound, name, cancellation.
   * @returns The layout.
   * @throws {InvalidLayoutError} ERR_INVALID_LAYOUT for an empty, truncated or malformed tar, a
   *   member present twice, links or special files, or a missing `oci-layout` or `index.json`.
   */
  static async scan(
    stream: ReadableStream<Uint8Array>,
    opts: ScanLayoutTarOptions = {},
  ): Promise<ScannedLayoutTar> {
    const where = opts.where ?? "the layout tar on stdin";
    const hasher = opts.hasher ?? pureHasherFactory;
    const maxKept = opts.maxKeptBytes ?? MAX_KEPT_BYTES;
    const blobs = new Map<string, Seen>();
    const names = new Set<string>();
    let header: Bytes | undefined;
    let index: Bytes | undefined;
    let kept = 0;
    const reader = stream.getReader();
    const first = await reader.read();
    if (first.done) {
      throw new InvalidLayoutError(
        `${where} is empty: pipe an OCI layout tar into --oci-layout -`,
      );
    }
    const whole = new ReadableStream<Uint8Array>({
      start: (c) => c.enqueue(first.value),
      pull: async (c) => {
        const r = await reader.read();
        if (r.done) c.close();
        else c.enqueue(r.value);
      },
      cancel: (reason) => reader.cancel(reason),
    });
    try {
      for await (const entry of readTar(whole, { stream: () => true })) {
        checkAborted(opts.signal, "Reading the layout tar");
        const name = normalizeTarName(entry.header.path, where);
        const type = entry.header.type;
        if (name === undefined || type === "directory") continue;
        if (type !== "file") {
          throw new InvalidLayoutError(
            `${where}: tar entry ${
              JSON.stringify(name)
            } is a ${type}; only files and directories are supported`,
          );
        }
        if (names.has(name)) {
          throw new InvalidLayoutError(`${where}: tar entry ${name} appears more than once`);
        }
        names.add(name);
        const body = entry.body ?? bytesStream(new Uint8Array(0));
        const size = entry.header.size;
        if (name === "oci-layout" || name === "index.json") {
          if (size > MAX_MANIFEST_BYTES) {
            throw new InvalidLayoutError(
              `${where}: ${name} is ${size} bytes, over the ${MAX_MANIFEST_BYTES}-byte limit`,
            );
          }
          const bytes = new Uint8Array(await new Response(body).arrayBuffer());
          if (name === "oci-layout") header = bytes;
          else index = bytes;
          continue;
        }
        const m = /^blobs\/([a-z0-9]+)\/([^/]+)$/.exec(name);
        if (!m || !isDigest(`${m[1]}:${m[2]}`)) continue;
        const { algorithm } = parseDigest(`${m[1]}:${m[2]}`);
        const h = hasher(algorithm);
        const chunks: Uint8Array[] = [];
        let keep: boolean | undefined;
        let seen = 0;
        for await (const chunk of body) {
          h.update(chunk);
          seen += chunk.length;
          keep ??= size <= MAX_MANIFEST_BYTES && kept + size <= maxKept &&
            worthKeeping(chunk[0]);
          if (keep) chunks.push(chunk.slice());
        }
        const record: Seen = { size: seen, actual: `${algorithm}:${h.digestHex()}` };
        if (keep || size === 0) {
          const bytes = new Uint8Array(seen);
          let at = 0;
          for (const c of chunks) {
            bytes.set(c, at);
            at += c.length;
          }
          record.bytes = bytes;
          kept += seen;
        }
        blobs.set(`${m[1]}:${m[2]}`, record);
      }
    } catch (err) {
      if (err instanceof OcisignError && !(err instanceof InvalidInputError)) throw err;
      throw new InvalidLayoutError(
        `${where}: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    if (!header) {
      throw new InvalidLayoutError(`${where} is not an OCI image layout: oci-layout is missing`);
    }
    validateLayoutHeader(header, where);
    if (!index) {
      throw new InvalidLayoutError(`${where} is not an OCI image layout: index.json is missing`);
    }
    return new ScannedLayoutTar(where, LayoutIndex.parse(index, where), blobs, hasher);
  }

  /**
   * Checks a blob against `desc` without reading it again: its bytes were hashed as they passed.
   * @throws {NotFoundError} ERR_NOT_FOUND when the tar had no such blob.
   * @throws {SizeMismatchError} ERR_SIZE_MISMATCH, {DigestMismatchError} ERR_DIGEST_MISMATCH.
   */
  checkBlob(desc: Descriptor, opts: Op = {}): Promise<void> {
    checkAborted(opts.signal);
    const seen = this.#blobs.get(desc.digest);
    if (!seen) {
      return Promise.reject(
        new NotFoundError(`Blob ${desc.digest} not found in ${this.location}`),
      );
    }
    if (seen.size !== desc.size) {
      return Promise.reject(new SizeMismatchError(desc.digest, desc.size, seen.size));
    }
    if (seen.actual !== desc.digest) {
      return Promise.reject(new DigestMismatchError(desc.digest, seen.actual));
    }
    return Promise.resolve();
  }

  /** Drops what was kept. */
  close(): Promise<void> {
    this.#blobs.clear();
    return Promise.resolve();
  }

  /** The size of a blob seen in the stream, or undefined. */
  protected _blobSize(path: string): Promise<number | undefined> {
    return Promise.resolve(this.#blobs.get(digestOf(path))?.size);
  }

  /** The bytes of a small blob kept while scanning; larger ones were checked and dropped. */
  protected _readBlob(path: string): Promise<ReadableStream<Bytes>> {
    const seen = this.#blobs.get(digestOf(path));
    if (seen?.bytes === undefined) {
      return Promise.reject(
        new UnsupportedError(
          `${this.location}: blob ${
            digestOf(path)
          } was checked as it streamed past but not kept; save the tar to a file to read it`,
        ),
      );
    }
    return Promise.resolve(bytesStream(seen.bytes));
  }

  /** Refused: the layout is read-only. */
  protected _writeBlob(): Promise<void> {
    return Promise.reject(new UnsupportedError(`Cannot write to ${this.location}: ${READ_ONLY}`));
  }

  /** Refused: the layout is read-only. */
  protected _removeBlob(): Promise<void> {
    return Promise.reject(
      new UnsupportedError(`Cannot delete from ${this.location}: ${READ_ONLY}`),
    );
  }

  /** A change is refused at once (by {@linkcode ScannedLayoutTar._store}), never staged. */
  protected _autoSave(): boolean {
    return true;
  }

  /** Refused: the layout is read-only. */
  protected _store(): Promise<LayoutIndex> {
    return Promise.reject(new UnsupportedError(`Cannot change ${this.location}: ${READ_ONLY}`));
  }

  /** The stream was read once; nothing can change it. */
  protected _reloadIfChanged(): Promise<LayoutIndex | undefined> {
    return Promise.resolve(undefined);
  }
}

/** `blobs/<alg>/<hex>` back to `<alg>:<hex>`. */
function digestOf(path: string): string {
  const [, alg, hex] = path.split("/");
  return `${alg}:${hex}`;
}
