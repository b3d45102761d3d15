/**
 * Private: keeping a subject's fallback referrers index (the tag schema) up to date when a
 * referrer is pushed or deleted: read the index under the tag, apply the change, push the new
 * index under the tag and delete the old one. Updates of one tag run one at a time.
 *
 * @see https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pushing-manifests-with-subject
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { KeyedLock } from "../_internal/keyed_lock.ts";
import { InvalidManifestError, isErrorCode } from "../errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { isIndexMediaType } from "../oci/media_types.ts";
import {
  applyReferrersChange,
  encodeReferrersIndex,
  parseReferrersIndex,
  type ReferrersChange,
} from "./_referrers_index.ts";
import type { FetchManifestByTag } from "./_referrers_tag_fallback.ts";
import type { RepositoryHttp } from "./_repository_http.ts";
import { discard } from "./_response.ts";
import { referrersTag } from "./referrers_tag.ts";

/** What index upkeep needs from its repository. */
export interface IndexUpkeepContext {
  /** The repository's requests. */
  http: RepositoryHttp;
  /** Fetches a manifest by tag. */
  fetchManifest: FetchManifestByTag;
  /** Pushes a manifest under a tag, without indexing it. */
  putManifest(
    desc: Descriptor,
    bytes: Bytes,
    tag: string,
    signal: AbortSignal | undefined,
  ): Promise<void>;
  /** Receives the warning when an outdated index cannot be deleted. */
  onWarning(message: string): void;
}

/** Applies referrer changes to fallback indexes, one update per tag at a time. */
export class ReferrersIndexUpkeep {
  readonly #ctx: IndexUpkeepContext;
  readonly #locks = new KeyedLock();

  constructor(ctx: IndexUpkeepContext) {
    this.#ctx = ctx;
  }

  /**
   * Adds a referrer to, or removes one from, the index of `subject`.
   * @throws {InvalidManifestError} ERR_INVALID_MANIFEST when the tag holds something other than
   * an image index.
   */
  update(
    subject: Descriptor,
    change: ReferrersChange,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const tag = referrersTag(subject.digest);
    return this.#locks.run(tag, () => this.#update(tag, change, signal));
  }

  async #update(
    tag: string,
    change: ReferrersChange,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const { http } = this.#ctx;
    let old: { descriptor: Descriptor; bytes: Bytes } | undefined;
    try {
      old = await this.#ctx.fetchManifest(tag, signal ? { signal } : {});
    } catch (err) {
      if (!isErrorCode(err, "ERR_NOT_FOUND")) throw err;
    }
    let manifests: Descriptor[] = [];
    if (old !== undefined) {
      const parsed = isIndexMediaType(old.descriptor.mediaType)
        ? parseReferrersIndex(old.bytes, `referrers index ${tag}`)
        : undefined;
      if (parsed === undefined) {
        throw new InvalidManifestError(
          `The referrers tag ${http.registry}/${http.name}:${tag} holds something other than an image index; delete that tag and retry`,
        );
      }
      manifests = parsed.json.manifests;
    }
    const updated = applyReferrersChange(manifests, change);
    if (updated === undefined) return;
    if (updated.length > 0) {
      const { desc, bytes } = await encodeReferrersIndex(updated);
      await this.#ctx.putManifest(desc, bytes, tag, signal);
      if (old !== undefined && old.descriptor.digest === desc.digest) return;
    }
    if (old === undefined) return;
    try {
      const res = await http.send({
        method: "DELETE",
        url: `manifests/${old.descriptor.digest}`,
        actions: ["delete"],
        expect: [200, 202, 204],
        failure: `Cannot delete ${http.where(old.descriptor.digest)}`,
        signal,
      });
      await discard(res);
    } catch {
      this.#ctx.onWarning(
        `Removal of the outdated referrers index ${old.descriptor.digest} from ${http.registry}/${http.name} failed; garbage collection may be required`,
      );
    }
  }
}
