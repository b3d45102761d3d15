/**
 * Copies a content graph (a manifest or index and everything it points at, including its
 * `subject`) from one store to another: children before parents, shared nodes once, nodes the
 * destination already has skipped with their whole sub-graph, blobs streamed, and at most
 * `concurrency` nodes in flight. A parent gives its slot back while it waits for its children,
 * so a deep graph cannot deadlock the pool.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { fetchAll } from "../content/fetch_all.ts";
import { parseManifest, successors } from "../content/parse_manifest.ts";
import { isMounter, type Op, type ReadOnlyStorage, type Storage } from "../content/storage.ts";
import { AbortedError, isErrorCode, OcisignError, RegistryError } from "../errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { isManifestMediaType } from "../oci/media_types.ts";
import { isVerifiedStream, passOnVerified, streamOfVerified } from "../digest/verify_stream.ts";
import { Semaphore } from "./_semaphore.ts";
import { canFetchUnverified, canReceiveFiles } from "../content/blob_abilities.ts";
import { pullToFile } from "./_pull_to_file.ts";
import { type ByteProgress, countBytes } from "../content/byte_progress.ts";

/** A per-node progress event, for the CLI to render as oras does. */
export interface CopyProgress {
  /**
   * `exists`: already in the destination (its sub-graph is skipped); `copying`: transfer
   * started; `copied`: transfer done; `skipped`: not transferred (handled already in this run,
   * or a non-distributable layer).
   */
  phase: "exists" | "copying" | "copied" | "skipped";
  /** The node. */
  desc: Descriptor;
}

/** Options of {@linkcode copyGraph}. */
export interface CopyGraphOptions extends Op {
  /** Nodes in flight at once (default 3, as oras). */
  concurrency?: number;
  /** Receives per-node progress. */
  onProgress?: (event: CopyProgress) => void;
  /** Receives the bytes of each blob streamed so far (restarting at 0 on a retried upload). */
  onBytes?: ByteProgress;
}

/** Which end of a copy an error came from. */
export type CopyOrigin = "source" | "destination";

const FOREIGN_LAYER = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

function isNonDistributable(desc: Descriptor): boolean {
  return desc.mediaType === FOREIGN_LAYER || desc.mediaType.includes(".nondistributable.");
}

/**
 * Re-raises an error with the end of the copy it came from in its message and details, keeping
 * its class and stable code (so `instanceof` and exit codes still say not-found, auth,
 * digest mismatch...).
 *
 * @example
 * ```ts
 * import { originError } from "./copy_graph.ts";
 * import { NotFoundError } from "../errors.ts";
 * const desc = { mediaType: "application/octet-stream", digest: "sha256:" + "0".repeat(64), size: 1 };
 * const err = originError(new NotFoundError("blob unknown"), "source", desc);
 * console.log(err.code, err.details?.origin); // ERR_NOT_FOUND source
 * ```
 * @param err What was caught.
 * @param origin Which end it came from.
 * @param desc The node being copied.
 * @returns An error of the same class and code, naming the origin.
 */
export function originError(err: unknown, origin: CopyOrigin, desc: Descriptor): OcisignError {
  if (err instanceof OcisignError && err.details?.origin !== undefined) return err;
  if (err instanceof AbortedError) return err;
  const base = err instanceof OcisignError
    ? err
    : new OcisignError("ERR_INTERNAL", String((err as Error)?.message ?? err), { cause: err });
  const hint = origin === "source"
    ? "check the source reference and its credentials"
    : "check the destination, its credentials and free space";
  const details = { ...base.details, origin, digest: desc.digest };
  // Built as the caught error's own class, so `instanceof` and its fields (`expected`,
  // `status`...) survive the added context.
  const wrapped: OcisignError = Reflect.construct(OcisignError, [
    base.code,
    `Error from ${origin} while copying ${desc.digest} (${desc.mediaType}): ${base.message} (${hint})`,
    { cause: err, details },
  ], base.constructor);
  return Object.assign(wrapped, base, { details });
}

async function at<T>(origin: CopyOrigin, desc: Descriptor, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw originError(err, origin, desc);
  }
}

/** Wraps a source stream so that its read errors are recognised as the source's. */
function markSource(
  stream: ReadableStream<Bytes>,
  onError: (err: unknown) => void,
): ReadableStream<Bytes> {
  const reader = stream.getReader();
  const marked = new ReadableStream<Bytes>({
    async pull(controller): Promise<void> {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (err) {
        onError(err);
        throw err;
      }
    },
    async cancel(reason): Promise<void> {
      await reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  return isVerifiedStream(stream) ? passOnVerified(stream, marked) : marked;
}

/** How many times a blob upload is tried before the copy fails. */
export const UPLOAD_ATTEMPTS = 3;

/** Whether a destination failure may go away on a fresh attempt. */
function isTransient(err: unknown): boolean {
  if (isErrorCode(err, "ERR_TIMEOUT")) return true;
  return err instanceof RegistryError &&
    (err.status === 0 || err.status === 429 || err.status >= 500);
}

/**
 * The copy engine behind {@linkcode copyGraph} and `copy`: one instance remembers every node it
 * handled, so several roots (an image and its referrers) share work.
 *
 * @example
 * ```ts
 * import { GraphCopier } from "./copy_graph.ts";
 * import { MemoryStore } from "../content/memory_store.ts";
 * const src = new MemoryStore();
 * const desc = {
 *   mediaType: "application/vnd.oci.empty.v1+json",
 *   digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
 *   size: 2,
 * };
 * await src.push(desc, new TextEncoder().encode("{}"));
 * const copier = new GraphCopier(src, new MemoryStore(), { concurrency: 2 });
 * await copier.copy(desc);
 * await copier.copy(desc); // already handled: reported as "skipped"
 * ```
 */
export class GraphCopier {
  #src: ReadOnlyStorage;
  #dst: Storage;
  #sem: Semaphore;
  #onProgress: (event: CopyProgress) => void;
  #onBytes: ByteProgress | undefined;
  #memo = new Map<string, Promise<void>>();
  /** The manifests listed by each index this copier fetched, by the index's digest. */
  #indexManifests = new Map<string, Descriptor[]>();
  #abort = new AbortController();
  #signal: AbortSignal;
  #firstError: unknown;

  /**
   * Creates a copier.
   * @param src Where content is read.
   * @param dst Where content is written.
   * @param opts Concurrency, cancellation, progress.
   */
  constructor(src: ReadOnlyStorage, dst: Storage, opts: CopyGraphOptions = {}) {
    this.#src = src;
    this.#dst = dst;
    this.#sem = new Semaphore(opts.concurrency ?? 3);
    this.#onProgress = opts.onProgress ?? (() => {});
    this.#onBytes = opts.onBytes;
    this.#signal = opts.signal === undefined
      ? this.#abort.signal
      : AbortSignal.any([opts.signal, this.#abort.signal]);
  }

  /**
   * Copies the graph under `root`.
   * @throws {OcisignError} the first failure, with `details.origin` naming its end.
   */
  async copy(root: Descriptor): Promise<void> {
    try {
      await this.#visit(root);
    } catch (err) {
      this.#fail(err);
      throw this.#firstError;
    }
  }

  /**
   * The manifests an index lists, when this copier fetched that index (undefined otherwise, e.g.
   * when the destination already had it), so a caller need not fetch it again.
   */
  indexManifests(index: Descriptor): Descriptor[] | undefined {
    return this.#indexManifests.get(index.digest);
  }

  /** Records the first failure (later ones are mostly aborts it caused) and stops the rest. */
  #fail(err: unknown): void {
    if (this.#firstError === undefined) this.#firstError = err;
    this.#abort.abort();
  }

  #visit(desc: Descriptor): Promise<void> {
    const seen = this.#memo.get(desc.digest);
    if (seen !== undefined) {
      return seen.then(() => this.#onProgress({ phase: "skipped", desc }));
    }
    const work = this.#copyNode(desc);
    this.#memo.set(desc.digest, work);
    return work;
  }

  async #all(children: Descriptor[]): Promise<void> {
    const results = await Promise.allSettled(children.map((c) => this.#visit(c)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed !== undefined) throw failed.reason;
  }

  /**
   * When the destination is a {@linkcode Mounter} that can mount from the source (two
   * repositories of one registry client), asks it to mount the blob
   * (falling back to an upload into the session it opens). Refused mounts (401/403) fall back to
   * a normal copy, as oras does.
   */
  async #mounted(desc: Descriptor, signal: AbortSignal): Promise<boolean> {
    const dst = this.#dst;
    if (!isMounter(dst)) return false;
    const from = dst.mountSourceFor(this.#src);
    if (from === undefined) return false;
    try {
      await dst.mount(desc, from, {
        signal,
        getContent: () => this.#src.fetch(desc, { signal }),
      });
      return true;
    } catch (err) {
      if (isErrorCode(err, "ERR_UNAUTHORIZED") || isErrorCode(err, "ERR_DENIED")) return false;
      throw originError(err, "destination", desc);
    }
  }

  /**
   * Streams a blob from the source into the destination. An upload the destination drops
   * (5xx, 429, lost connection, timeout) is restarted from the source, at most
   * {@linkcode UPLOAD_ATTEMPTS} times in all; nothing is reported copied until a push succeeds.
   * A blob pulled into a file calls `release` once its bytes are checked, so the next transfer
   * starts while this one's flush waits on the disk; the promise still settles only once the
   * blob is in place, and its parent waits for that.
   */
  async #pushBlob(desc: Descriptor, signal: AbortSignal, release: () => void): Promise<void> {
    if (canFetchUnverified(this.#src) && canReceiveFiles(this.#dst)) {
      return await pullToFile(this.#src, this.#dst, desc, signal, this.#onBytes, release);
    }
    for (let attempt = 1;; attempt++) {
      let sourceError: unknown;
      const stream = countBytes(
        await at("source", desc, this.#src.fetch(desc, { signal })),
        desc,
        this.#onBytes,
      );
      try {
        await this.#dst.push(desc, markSource(stream, (e) => sourceError = e), { signal });
        return;
      } catch (err) {
        if (sourceError !== undefined) throw originError(sourceError, "source", desc);
        if (attempt >= UPLOAD_ATTEMPTS || signal.aborted || !isTransient(err)) {
          throw originError(err, "destination", desc);
        }
      }
    }
  }

  async #copyNode(desc: Descriptor): Promise<void> {
    if (isNonDistributable(desc)) {
      this.#onProgress({ phase: "skipped", desc });
      return;
    }
    const signal = this.#signal;
    try {
      await this.#sem.acquire(signal);
    } catch (err) {
      this.#fail(err);
      throw err;
    }
    let held = true;
    try {
      if (await at("destination", desc, this.#dst.exists(desc, { signal }))) {
        this.#onProgress({ phase: "exists", desc });
        return;
      }
      if (isManifestMediaType(desc.mediaType)) {
        const bytes = await at("source", desc, fetchAll(this.#src, desc, { signal }));
        const children = await at(
          "source",
          desc,
          Promise.resolve().then(() => {
            const parsed = parseManifest(bytes, { mediaType: desc.mediaType, name: desc.digest });
            if (parsed.kind === "index") {
              this.#indexManifests.set(desc.digest, parsed.json.manifests);
            }
            return successors(parsed);
          }),
        );
        this.#sem.release();
        held = false;
        await this.#all(children);
        await this.#sem.acquire(signal);
        held = true;
        this.#onProgress({ phase: "copying", desc });
        // `fetchAll` verified the bytes: they go on as a verified stream, not to be hashed again.
        await at(
          "destination",
          desc,
          this.#dst.push(desc, streamOfVerified(bytes, desc), { signal }),
        );
      } else {
        this.#onProgress({ phase: "copying", desc });
        if (await this.#mounted(desc, signal)) {
          this.#onProgress({ phase: "copied", desc });
          return;
        }
        await this.#pushBlob(desc, signal, () => {
          if (!held) return;
          held = false;
          this.#sem.release();
        });
      }
      this.#onProgress({ phase: "copied", desc });
    } catch (err) {
      this.#fail(err);
      throw err;
    } finally {
      if (held) this.#sem.release();
    }
  }
}

/**
 * Copies `root` and everything it references from `src` to `dst`.
 *
 * @example
 * ```ts
 * import { copyGraph } from "./copy_graph.ts";
 * import { MemoryStore } from "../content/memory_store.ts";
 * const src = new MemoryStore();
 * const dst = new MemoryStore();
 * const desc = {
 *   mediaType: "application/vnd.oci.empty.v1+json",
 *   digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
 *   size: 2,
 * };
 * await src.push(desc, new TextEncoder().encode("{}"));
 * await copyGraph(src, dst, desc);
 * console.log(await dst.exists(desc)); // true
 * ```
 * @param src Where content is read.
 * @param dst Where content is written.
 * @param root The top node.
 * @param opts Concurrency (default 3), cancellation, progress.
 * @throws {OcisignError} the first failure; `details.origin` is `source` or `destination`.
 */
export async function copyGraph(
  src: ReadOnlyStorage,
  dst: Storage,
  root: Descriptor,
  opts: CopyGraphOptions = {},
): Promise<void> {
  await new GraphCopier(src, dst, opts).copy(root);
}
