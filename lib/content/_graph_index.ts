/**
 * The resolver and referrers index every local store shares (memory, layout directory, layout
 * tar): tags and manifests in a {@linkcode LayoutIndex}, manifests parsed once and cached.
 *
 * Semantics, those of oras-go's stores and of a registry: a tag resolves to its entry (with
 * its annotations); a digest resolves, as a plain descriptor, to a manifest only — an entry, a
 * manifest inside a nested index, or a stored blob that parses as a manifest — and a config or
 * layer digest is not found. Referrers are the manifests reachable from the entries (through
 * nested indexes) whose `subject` names the digest.
 *
 * @module
 */
import { MAX_MANIFEST_BYTES } from "../_internal/limits.ts";
import { isDigest } from "../digest/digest.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import { isErrorCode, NotFoundError } from "../errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { isManifestMediaType } from "../oci/media_types.ts";
import { checkAborted } from "./_streams.ts";
import type { LayoutIndex } from "./_layout_index.ts";
import { fetchAll } from "./fetch_all.ts";
import type { WholeFetcher } from "./fetch_all.ts";
import { type ParsedManifest, parseManifest, referrerDescriptor } from "./parse_manifest.ts";
import type { Fetcher, Op } from "./storage.ts";

/** What a store lends the index: verified reads (whole ones where it has them) and blob sizes. */
export interface IndexedBlobs extends Fetcher, Partial<WholeFetcher> {
  /** The size of the blob stored under `digest`, or undefined when absent. */
  blobSize(digest: string): Promise<number | undefined>;
}

function plain(desc: Descriptor): Descriptor {
  return { mediaType: desc.mediaType, digest: desc.digest, size: desc.size };
}

/** Resolves references and lists referrers over a store's entries and blobs. */
export class GraphIndex {
  #blobs: IndexedBlobs;
  #where: string;
  #hasher: HasherFactory | undefined;
  #manifests = new Map<string, ParsedManifest>();

  /**
   * @param blobs The store's blobs.
   * @param where The store, for messages (`layout ./img`, `the memory store`).
   * @param hasher Hashes content read to parse it.
   */
  constructor(blobs: IndexedBlobs, where: string, hasher?: HasherFactory) {
    this.#blobs = blobs;
    this.#where = where;
    this.#hasher = hasher;
  }

  /** Caches a manifest parsed on push. */
  remember(digest: string, parsed: ParsedManifest): void {
    this.#manifests.set(digest, parsed);
  }

  /** Drops a deleted manifest from the cache. */
  forget(digest: string): void {
    this.#manifests.delete(digest);
  }

  /**
   * Resolves a tag (`ref.name`, or a full `io.containerd.image.name`) or a manifest digest.
   * @throws {NotFoundError} ERR_NOT_FOUND when unknown.
   */
  async resolve(index: LayoutIndex, reference: string, opts: Op = {}): Promise<Descriptor> {
    checkAborted(opts.signal);
    if (!isDigest(reference)) {
      const found = index.findTag(reference, this.#where);
      if (found) return found;
      const tags = index.tags();
      throw new NotFoundError(
        `Tag ${JSON.stringify(reference)} not found in ${this.#where}` +
          (tags.length ? `; tags: ${tags.slice(0, 10).join(", ")}` : "; it has no tags"),
      );
    }
    const top = index.findDigest(reference);
    if (top) return plain(top);
    const nested = await this.#findNested(index, reference, opts);
    if (nested) return plain(nested);
    const size = await this.#blobs.blobSize(reference);
    if (size !== undefined && size <= MAX_MANIFEST_BYTES) {
      try {
        const desc = { mediaType: "application/octet-stream", digest: reference, size };
        const parsed = parseManifest(await this.#read(desc, opts), { name: reference });
        return { mediaType: parsed.mediaType, digest: reference, size };
      } catch (err) {
        if (!isErrorCode(err, "ERR_INVALID_MANIFEST")) throw err;
      }
    }
    throw new NotFoundError(`Manifest ${reference} not found in ${this.#where}`);
  }

  /**
   * Yields manifests reachable from the entries (through nested indexes) whose `subject` has
   * `subject.digest`, as a referrers listing describes them; `artifactType` filters on the
   * manifest's `artifactType`, else its `config.mediaType`. Missing blobs are skipped.
   */
  async *referrers(
    index: LayoutIndex,
    subject: Descriptor,
    opts: Op & { artifactType?: string } = {},
  ): AsyncIterable<Descriptor> {
    for await (const [d, parsed] of this.#walk(index, opts)) {
      if (parsed.json.subject?.digest !== subject.digest) continue;
      const desc = referrerDescriptor(parsed, d.digest);
      if (opts.artifactType !== undefined && desc.artifactType !== opts.artifactType) continue;
      yield desc;
    }
  }

  /** Every manifest reachable from the entries, breadth first, each once. */
  async *#walk(index: LayoutIndex, opts: Op): AsyncIterable<[Descriptor, ParsedManifest]> {
    const seen = new Set<string>();
    const queue = index.entries();
    for (let d = queue.shift(); d !== undefined; d = queue.shift()) {
      checkAborted(opts.signal);
      if (seen.has(d.digest) || !isManifestMediaType(d.mediaType)) continue;
      seen.add(d.digest);
      const parsed = await this.#load(d, opts);
      if (!parsed) continue;
      if (parsed.kind === "index") queue.push(...parsed.json.manifests);
      yield [d, parsed];
    }
  }

  async #findNested(index: LayoutIndex, digest: string, opts: Op): Promise<Descriptor | undefined> {
    for await (const [, parsed] of this.#walk(index, opts)) {
      if (parsed.kind !== "index") continue;
      const hit = parsed.json.manifests.find((m) => m.digest === digest);
      if (hit) return hit;
    }
    return undefined;
  }

  async #load(desc: Descriptor, opts: Op): Promise<ParsedManifest | undefined> {
    const cached = this.#manifests.get(desc.digest);
    if (cached) return cached;
    let bytes: Uint8Array;
    try {
      // No stat first: the read finds a missing blob itself (one file-system call less each).
      bytes = await this.#read(desc, opts);
    } catch (err) {
      if (isErrorCode(err, "ERR_NOT_FOUND")) return undefined;
      throw err;
    }
    const parsed = parseManifest(bytes, { mediaType: desc.mediaType, name: desc.digest });
    this.#manifests.set(desc.digest, parsed);
    return parsed;
  }

  #read(desc: Descriptor, opts: Op): Promise<Uint8Array> {
    return fetchAll(this.#blobs, desc, {
      ...(this.#hasher ? { hasher: this.#hasher } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }
}
