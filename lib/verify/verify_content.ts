/**
 * Checks that what a signature covers is really there: the signed manifest itself, the manifests
 * an index lists, and (deep) every config and layer they reach, each against its descriptor's
 * digest and size. A signature only proves a digest; this proves the bytes a puller would get.
 *
 * @module
 */
import { MAX_MANIFEST_BYTES } from "../_internal/limits.ts";
import { checkAborted } from "../content/_streams.ts";
import { canFetchWhole, fetchAll } from "../content/fetch_all.ts";
import { parseManifest } from "../content/parse_manifest.ts";
import { MAX_INDEX_MANIFESTS } from "../content/platform_manifests.ts";
import type { Fetcher, Op } from "../content/storage.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import { pureHasherFactory } from "../digest/pure_hasher.ts";
import { verifiedOnce } from "../digest/verify_stream.ts";
import { InvalidInputError, isErrorCode, OcisignError } from "../errors.ts";
import type { ErrorCode } from "../errors.ts";
import type { Descriptor, Platform } from "../oci/descriptor.ts";
import { isManifestMediaType } from "../oci/media_types.ts";
import { formatPlatform, platformMatches } from "../oci/platform.ts";
import { type ByteProgress, countBytes } from "../content/byte_progress.ts";

/** Options for {@linkcode verifyContent}. */
export interface VerifyContentOptions {
  /** Also read every config and layer (default: manifests only). */
  deep?: boolean;
  /** Through an index, follow only the manifests for this platform. */
  platform?: Platform;
  /** Reads in flight at once (default 3, as `cp`). */
  concurrency?: number;
  /** Hashes streams the fetcher did not verify itself (default: pure TypeScript). */
  hasher?: HasherFactory;
  /** Cancels the check. */
  signal?: AbortSignal;
  /** Told the bytes of each config and layer read so far (deep only). */
  onProgress?: ByteProgress;
}

/** One piece of content that is missing or does not match its descriptor. */
export interface ContentProblem {
  /** The descriptor's digest. */
  digest: string;
  /** The descriptor's media type. */
  mediaType: string;
  /** The descriptor's size. */
  size: number;
  /** `os/arch[/variant]` of the platform manifest it belongs to, when reached through an index. */
  platform?: string;
  /** `missing` when absent, `changed` when its bytes do not match, `invalid` when unreadable. */
  kind: "missing" | "changed" | "invalid";
  /** The error code behind it. */
  code: ErrorCode;
  /** What went wrong. */
  message: string;
}

/** What {@linkcode verifyContent} read. */
export interface VerifyContentResult {
  /** Whether configs and layers were read too. */
  deep: boolean;
  /** Manifests and indexes read (the signed one included). */
  manifests: number;
  /** Configs and layers read (0 unless deep). */
  blobs: number;
  /** Bytes read and checked in all. */
  bytes: number;
  /** Content that is missing or changed; empty when everything matched. */
  problems: ContentProblem[];
}

/**
 * An optional ability of a store whose blobs were already hashed as they passed (a layout tar
 * read from a stream): it answers for a blob without reading it again.
 */
export interface BlobChecker {
  /**
   * Checks that the blob is present and matches `desc`.
   * @throws {NotFoundError} ERR_NOT_FOUND, {SizeMismatchError} ERR_SIZE_MISMATCH,
   *   {DigestMismatchError} ERR_DIGEST_MISMATCH.
   */
  checkBlob(desc: Descriptor, opts?: Op): Promise<void>;
}

interface Node {
  desc: Descriptor;
  platform?: string;
}

/** An error about the whole check (not one blob): it ends the check. */
class Fatal {
  constructor(readonly error: OcisignError) {}
}

/**
 * Reads the manifest `subject` names and, through an index, every manifest it lists (only the
 * chosen platform's with `platform`); with `deep`, also every config and layer, streamed and
 * discarded (memory stays flat whatever the sizes). Each is checked against its descriptor's
 * digest and size; content is read once even when several manifests share it. A foreign layer
 * (one with `urls`) that the store does not hold is not counted as missing. Problems are
 * collected, not thrown, so one run names every missing or changed blob.
 *
 * @example
 * ```ts
 * import { verifyContent } from "./verify_content.ts";
 * import { MemoryStore } from "../content/memory_store.ts";
 * const store = new MemoryStore();
 * const raw = new TextEncoder().encode('{"schemaVersion":2,"manifests":[]}');
 * const hex = [...new Uint8Array(await crypto.subtle.digest("SHA-256", raw))]
 *   .map((b) => b.toString(16).padStart(2, "0")).join("");
 * const desc = { mediaType: "application/vnd.oci.image.index.v1+json", digest: `sha256:${hex}`, size: raw.length };
 * await store.push(desc, raw);
 * const result = await verifyContent(store, desc, { deep: true });
 * console.log(result.problems.length); // 0
 * ```
 * @param fetcher Where the content is.
 * @param subject The signed manifest or index.
 * @param opts Depth, platform, concurrency, hasher, cancellation.
 * @returns What was read and what is wrong.
 * @throws {InvalidInputError} ERR_INVALID_INPUT when more than {@linkcode MAX_INDEX_MANIFESTS}
 * manifests are reachable.
 * @throws {RangeError} when `concurrency` is not a positive integer.
 */
export async function verifyContent(
  fetcher: Fetcher,
  subject: Descriptor,
  opts: VerifyContentOptions = {},
): Promise<VerifyContentResult> {
  const concurrency = opts.concurrency ?? 3;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const deep = opts.deep ?? false;
  const hasher = opts.hasher ?? pureHasherFactory;
  const op = opts.signal ? { signal: opts.signal } : {};
  const result: VerifyContentResult = { deep, manifests: 0, blobs: 0, bytes: 0, problems: [] };
  const seen = new Set<string>([subject.digest]);
  const queue: Node[] = [{ desc: subject }];
  let listed = 0;

  const problem = (node: Node, err: unknown): void => {
    if (!(err instanceof OcisignError) || err.code === "ERR_ABORTED") throw err;
    const kind = err.code === "ERR_NOT_FOUND"
      ? "missing"
      : err.code === "ERR_DIGEST_MISMATCH" || err.code === "ERR_SIZE_MISMATCH"
      ? "changed"
      : "invalid";
    result.problems.push({
      digest: node.desc.digest,
      mediaType: node.desc.mediaType,
      size: node.desc.size,
      ...(node.platform !== undefined ? { platform: node.platform } : {}),
      kind,
      code: err.code,
      message: err.message,
    });
  };

  const enqueue = (desc: Descriptor, platform: string | undefined): void => {
    if (seen.has(desc.digest)) return;
    seen.add(desc.digest);
    queue.push(platform === undefined ? { desc } : { desc, platform });
  };

  const visitManifest = async (node: Node): Promise<void> => {
    result.manifests++;
    const raw = await fetchAll(fetcher, node.desc, { maxBytes: MAX_MANIFEST_BYTES, ...op });
    result.bytes += raw.length;
    const parsed = parseManifest(raw, { mediaType: node.desc.mediaType, name: node.desc.digest });
    if (parsed.kind === "index") {
      const children = opts.platform
        ? parsed.json.manifests.filter((m) => platformMatches(m.platform, opts.platform!))
        : parsed.json.manifests;
      listed += children.length;
      if (listed > MAX_INDEX_MANIFESTS) {
        throw new Fatal(
          new InvalidInputError(
            `${subject.digest} lists more than ${MAX_INDEX_MANIFESTS} manifests; refusing to check it`,
          ),
        );
      }
      for (const child of children) {
        enqueue(child, child.platform ? formatPlatform(child.platform) : node.platform);
      }
      return;
    }
    if (!deep) return;
    for (const blob of [parsed.json.config, ...(parsed.json.layers ?? [])]) {
      enqueue(blob, node.platform);
    }
  };

  const checker = fetcher as Partial<BlobChecker>;
  const readBlob = async (node: Node): Promise<void> => {
    if (typeof checker.checkBlob === "function") {
      await checker.checkBlob(node.desc, op);
      result.bytes += node.desc.size;
      opts.onProgress?.(node.desc, node.desc.size);
      return;
    }
    if (node.desc.size <= MAX_MANIFEST_BYTES && canFetchWhole(fetcher)) {
      // A small blob is read whole, without a stream (start-up time).
      const bytes = await fetchAll(fetcher, node.desc, { maxBytes: MAX_MANIFEST_BYTES, ...op });
      result.bytes += bytes.length;
      opts.onProgress?.(node.desc, bytes.length);
      return;
    }
    const fetched = countBytes(await fetcher.fetch(node.desc, op), node.desc, opts.onProgress);
    const stream = verifiedOnce(fetched, node.desc, hasher);
    const reader = stream.getReader();
    try {
      for (;;) {
        checkAborted(opts.signal, "Verifying content");
        const { done, value } = await reader.read();
        if (done) break;
        result.bytes += value.length;
      }
    } catch (err) {
      await reader.cancel().catch(() => {});
      throw err;
    }
  };

  const visitBlob = async (node: Node): Promise<void> => {
    result.blobs++;
    try {
      await readBlob(node);
    } catch (err) {
      // A foreign layer (with `urls`) is legitimately kept elsewhere, never in the store.
      if (node.desc.urls?.length && isErrorCode(err, "ERR_NOT_FOUND")) {
        result.blobs--;
        return;
      }
      throw err;
    }
  };

  const visit = async (node: Node): Promise<void> => {
    try {
      if (isManifestMediaType(node.desc.mediaType)) await visitManifest(node);
      else await visitBlob(node);
    } catch (err) {
      if (err instanceof Fatal) throw err.error;
      problem(node, err);
    }
  };

  await new Promise<void>((resolve, reject) => {
    let active = 0;
    let failed = false;
    const pump = (): void => {
      if (failed) return;
      while (active < concurrency && queue.length > 0) {
        const node = queue.shift()!;
        active++;
        visit(node).then(() => {
          active--;
          if (queue.length === 0 && active === 0) resolve();
          else pump();
        }, (err) => {
          failed = true;
          reject(err);
        });
      }
    };
    pump();
  });
  return result;
}

/**
 * One line per problem: `<digest> (<mediaType>[, <platform>]) is missing|was changed: <why>`.
 *
 * @example
 * ```ts
 * import { describeContentProblem } from "./verify_content.ts";
 * console.log(describeContentProblem({
 *   digest: "sha256:" + "a".repeat(64), mediaType: "application/vnd.oci.image.layer.v1.tar",
 *   size: 3, kind: "missing", code: "ERR_NOT_FOUND", message: "not found",
 * }));
 * ```
 * @param p The problem.
 * @returns The line, without a newline.
 */
export function describeContentProblem(p: ContentProblem): string {
  const what = `${p.digest} (${p.mediaType}${p.platform ? `, ${p.platform}` : ""})`;
  const verb = p.kind === "missing"
    ? "is missing"
    : p.kind === "changed"
    ? "was changed"
    : "is invalid";
  return `${what} ${verb}: ${p.message}`;
}
