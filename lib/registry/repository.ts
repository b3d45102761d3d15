/**
 * A repository in a remote registry as a {@linkcode GraphTarget}: blobs and manifests with every
 * read checked against size and digest, uploads (monolithic, chunked, cross-repo mount), tags,
 * deletes and referrers (the referrers API, or the `sha256-<hex>` tag schema as fallback).
 *
 * @see https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { fromUtf8 } from "../_internal/bytes.ts";
import { MAX_MANIFEST_BYTES } from "../_internal/limits.ts";
import { isDigest, parseDigest } from "../digest/digest.ts";
import { digestBytes } from "../digest/digest_bytes.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import { pureHasherFactory } from "../digest/pure_hasher.ts";
import { isVerifiedStream, streamOfVerified, verifyStream } from "../digest/verify_stream.ts";
import { verifyBytes } from "../content/fetch_all.ts";
import {
  type ParsedManifest,
  parseManifest,
  referrerDescriptor,
} from "../content/parse_manifest.ts";
import type { UnverifiedBlob, UnverifiedFetcher } from "../content/blob_abilities.ts";
import { checkRange, rangeOf } from "../content/range_stream.ts";
import type {
  ByteRange,
  Deleter,
  GraphTarget,
  Mounter,
  MountOptions,
  MountResult,
  Op,
  RangeFetcher,
  TagLister,
  Untagger,
} from "../content/storage.ts";
import {
  DigestMismatchError,
  InvalidManifestError,
  InvalidReferenceError,
  isErrorCode,
  NotFoundError,
  RegistryError,
  SizeExceededError,
  SizeMismatchError,
} from "../errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { isManifestMediaType, MANIFEST_MEDIA_TYPES } from "../oci/media_types.ts";
import { readAllBounded } from "./_read_bounded.ts";
import { takeWatchedBody } from "./_idle_watch.ts";
import {
  cancelUpload,
  type UploadContext,
  uploadLocation,
  uploadToSession,
} from "./_blob_upload.ts";
import { repositoryScope } from "./_challenge.ts";
import { ReferrersIndexUpkeep } from "./_referrers_index_upkeep.ts";
import {
  referrersByApi,
  type ReferrersMode,
  type ReferrersSupport,
  referrersSupport,
  requireReferrersApi,
} from "./_referrers_paging.ts";
import { referrersByTag } from "./_referrers_tag_fallback.ts";
import { RepositoryHttp } from "./_repository_http.ts";
import { contentLength, discard, mediaTypeOf, nextLink } from "./_response.ts";
import type { HttpClient } from "./http_client.ts";
import { TAG_REGEXP } from "./reference.ts";

export type { ReferrersMode } from "./_referrers_paging.ts";

/** Options of a {@linkcode Repository} (usually passed through `Registry`). */
export interface RepositoryOptions {
  /** Referrers method (default `auto`: the API when the registry has it, else the tag schema). */
  referrers?: ReferrersMode;
  /** Incremental hasher used to verify streamed blobs (default: pure TypeScript). */
  hasher?: HasherFactory;
  /**
   * Blobs larger than this are uploaded in PATCH chunks of this size (default: never; every blob
   * is streamed in one PUT, as oras does).
   */
  chunkSize?: number;
  /** Receives non-fatal warnings (e.g. a stale referrers index that could not be removed). */
  onWarning?: (message: string) => void;
  /** Tags per page requested from the registry (default: the registry's choice). */
  tagPageSize?: number;
  /** Most pages read for tags or referrers (default 1000). */
  maxPages?: number;
}

/** A manifest fetched by reference, with its exact bytes. */
export interface FetchedManifest {
  /** Its descriptor (media type from `Content-Type`, digest verified over the bytes). */
  descriptor: Descriptor;
  /** The exact bytes. */
  bytes: Bytes;
}

export type { MountResult } from "../content/storage.ts";

const DEFAULT_CHUNK = Number.POSITIVE_INFINITY;
const MANIFEST_ACCEPT = [...MANIFEST_MEDIA_TYPES, "application/vnd.oci.artifact.manifest.v1+json"]
  .join(", ");

/**
 * One repository of a registry. Create it with `Registry.repository(name)`.
 *
 * @example
 * ```ts ignore
 * import { Registry } from "./registry.ts";
 * const repo = new Registry("localhost:5000").repository("hello-world");
 * const desc = await repo.resolve("v1");
 * for await (const r of repo.referrers(desc)) console.log(r.digest, r.artifactType);
 * ```
 */
export class Repository
  implements GraphTarget, TagLister, Deleter, Mounter, RangeFetcher, Untagger, UnverifiedFetcher {
  /** Registry name as written in references (`localhost:5000`). */
  readonly registry: string;
  /** Repository name (`hello-world`). */
  readonly name: string;
  #client: HttpClient;
  #http: RepositoryHttp;
  #hasher: HasherFactory;
  #chunkSize: number;
  #tagPageSize: number | undefined;
  #maxPages: number;
  #referrers: ReferrersSupport;
  #indexUpkeep: ReferrersIndexUpkeep;

  /**
   * Creates a repository client; {@linkcode Registry.repository} is the usual way.
   * @param registry Registry name (`localhost:5000`).
   * @param name Repository name.
   * @param client The registry's HTTP client (shared token cache).
   * @param base Registry base URL.
   * @param options Referrers mode, hasher, chunk size, warnings.
   */
  constructor(
    registry: string,
    name: string,
    client: HttpClient,
    base: URL,
    options: RepositoryOptions = {},
  ) {
    this.registry = registry;
    this.name = name;
    this.#client = client;
    this.#http = new RepositoryHttp(registry, name, client, base);
    this.#hasher = options.hasher ?? pureHasherFactory;
    this.#chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
    this.#tagPageSize = options.tagPageSize;
    this.#maxPages = options.maxPages ?? 1000;
    this.#referrers = referrersSupport(options.referrers ?? "auto");
    this.#indexUpkeep = new ReferrersIndexUpkeep({
      http: this.#http,
      fetchManifest: (tag, opts) => this.fetchManifest(tag, opts),
      putManifest: (desc, bytes, tag, signal) => this.#putManifest(desc, bytes, tag, signal, false),
      onWarning: options.onWarning ?? (() => {}),
    });
  }

  /**
   * Whether the registry supports the referrers API: `undefined` until detected (by an
   * `OCI-Subject` header on a manifest PUT, or a referrers query).
   */
  get referrersSupported(): boolean | undefined {
    return this.#referrers.supported;
  }

  #where(ref: string): string {
    return this.#http.where(ref);
  }

  /**
   * Whether a blob or manifest exists (`HEAD`).
   * @throws {RegistryError} ERR_REGISTRY on an unexpected status.
   */
  async exists(desc: Descriptor, opts: Op = {}): Promise<boolean> {
    const manifest = isManifestMediaType(desc.mediaType);
    const res = await this.#http.send({
      method: "HEAD",
      url: `${manifest ? "manifests" : "blobs"}/${desc.digest}`,
      actions: ["pull"],
      headers: manifest ? { accept: `${desc.mediaType}, ${MANIFEST_ACCEPT}` } : {},
      expect: [200, 404],
      failure: `Cannot check ${this.#where(desc.digest)}`,
      signal: opts.signal,
    });
    await discard(res);
    if (res.status !== 200) return false;
    // Present under the digest with another size is not the content `desc` names.
    const length = res.headers.get("content-length");
    return length === null || Number(length) === desc.size;
  }

  /**
   * Streams a blob or manifest; the stream errors unless the bytes match `desc` exactly.
   * Manifests over 4 MiB are refused before any request.
   * @throws {NotFoundError} ERR_NOT_FOUND when absent.
   * @throws {SizeExceededError} ERR_SIZE_EXCEEDED for a manifest over 4 MiB.
   */
  async fetch(desc: Descriptor, opts: Op = {}): Promise<ReadableStream<Bytes>> {
    parseDigest(desc.digest);
    if (isManifestMediaType(desc.mediaType)) {
      return streamOfVerified(await this.#fetchManifestBytes(desc, opts.signal), desc);
    }
    const res = await this.#getBlob(desc, opts.signal);
    const body = res.body ?? new Blob([]).stream();
    return verifyStream(body, desc, this.#hasher);
  }

  /**
   * A blob's bytes as the registry sends them, for a store that writes them to a file and then
   * checks the file against `desc` (a pull into a layout directory). With a `Content-Length` (it
   * must be `desc.size`) the runtime's `fetch` stops the body there, and the body is handed over
   * untouched (the caller's `progressed` drives the idle timeout); without one, the body is
   * checked as it streams, so an endless body fails at `desc.size` bytes.
   * @throws {NotFoundError} ERR_NOT_FOUND when absent.
   * @throws {SizeMismatchError} ERR_SIZE_MISMATCH when `Content-Length` is not `desc.size`.
   */
  async fetchUnverified(desc: Descriptor, opts: Op = {}): Promise<UnverifiedBlob> {
    parseDigest(desc.digest);
    if (isManifestMediaType(desc.mediaType)) {
      throw new TypeError(`Manifest ${desc.digest} must be fetched verified`);
    }
    const res = await this.#getBlob(desc, opts.signal);
    const taken = contentLength(res) === desc.size ? takeWatchedBody(res) : undefined;
    if (taken === undefined) {
      const body = verifyStream(res.body ?? new Blob([]).stream(), desc, this.#hasher);
      return { body, progressed: () => {}, settle: (err) => err };
    }
    let settled = false;
    taken.watch.arm();
    return {
      body: taken.body,
      ...(taken.signal === undefined ? {} : { signal: taken.signal }),
      progressed: () => {
        if (!settled) taken.watch.arm();
      },
      settle: (err) => {
        settled = true;
        taken.watch.disarm();
        return taken.watch.fired ? taken.timeoutError(err) : err;
      },
    };
  }

  async #getBlob(desc: Descriptor, signal: AbortSignal | undefined): Promise<Response> {
    const res = await this.#http.send({
      method: "GET",
      url: `blobs/${desc.digest}`,
      actions: ["pull"],
      expect: [200],
      failure: `Cannot fetch blob ${this.#where(desc.digest)}`,
      signal,
    });
    try {
      this.#checkHeaders(res, desc);
    } catch (err) {
      await discard(res);
      throw err;
    }
    return res;
  }

  #checkHeaders(res: Response, desc: Descriptor): void {
    const length = contentLength(res);
    if (length !== undefined && length !== desc.size) {
      throw new SizeMismatchError(desc.digest, desc.size, length);
    }
    const served = res.headers.get("docker-content-digest");
    if (served !== null && served !== desc.digest) {
      throw new DigestMismatchError(desc.digest, served);
    }
  }

  /**
   * Streams part of a blob (`Range: bytes=…`). A registry that answers with the whole blob
   * (200) has it verified against `desc` as it streams and the range cut out of it.
   * @throws {NotFoundError} ERR_NOT_FOUND when absent.
   * @throws {InvalidInputError} ERR_INVALID_INPUT when the range is outside `desc.size`.
   */
  async fetchRange(
    desc: Descriptor,
    range: ByteRange,
    opts: Op = {},
  ): Promise<ReadableStream<Bytes>> {
    parseDigest(desc.digest);
    checkRange(desc, range);
    if (range.length === 0) return new Blob([]).stream() as ReadableStream<Bytes>;
    const last = range.offset + range.length - 1;
    const res = await this.#http.send({
      method: "GET",
      url: `blobs/${desc.digest}`,
      actions: ["pull"],
      headers: { range: `bytes=${range.offset}-${last}` },
      expect: [200, 206],
      failure: `Cannot fetch blob ${this.#where(desc.digest)}`,
      signal: opts.signal,
    });
    if (res.status === 200) {
      try {
        this.#checkHeaders(res, desc);
      } catch (err) {
        await discard(res);
        throw err;
      }
      const whole = verifyStream(res.body ?? new Blob([]).stream(), desc, this.#hasher);
      return rangeOf(whole, range, desc.digest, { drain: true });
    }
    const served = res.headers.get("content-range");
    if (!served?.startsWith(`bytes ${range.offset}-${last}/`)) {
      await discard(res);
      throw new RegistryError(
        `The registry answered the range ${range.offset}-${last} of ${
          this.#where(desc.digest)
        } with ${served ?? "no Content-Range"}`,
        206,
      );
    }
    const body = res.body ?? new Blob([]).stream();
    return rangeOf(body, { offset: 0, length: range.length }, desc.digest);
  }

  async #fetchManifestBytes(desc: Descriptor, signal: AbortSignal | undefined): Promise<Bytes> {
    if (desc.size > MAX_MANIFEST_BYTES) {
      throw new SizeExceededError(`Manifest ${desc.digest}`, desc.size, MAX_MANIFEST_BYTES);
    }
    const res = await this.#http.send({
      method: "GET",
      url: `manifests/${desc.digest}`,
      actions: ["pull"],
      headers: { accept: `${desc.mediaType}, ${MANIFEST_ACCEPT}` },
      expect: [200],
      failure: `Cannot fetch manifest ${this.#where(desc.digest)}`,
      signal,
    });
    try {
      this.#checkHeaders(res, desc);
    } catch (err) {
      await discard(res);
      throw err;
    }
    const bytes = await readAllBounded(res.body, desc.size + 1, `Manifest ${desc.digest}`).catch(
      (err) => {
        throw isErrorCode(err, "ERR_SIZE_EXCEEDED")
          ? new SizeMismatchError(desc.digest, desc.size, desc.size + 1)
          : err;
      },
    );
    await verifyBytes(bytes, desc);
    return bytes;
  }

  /**
   * Fetches a manifest by tag or digest (one `GET`), checking the digest over the bytes against
   * the digest asked for and the `Docker-Content-Digest` header.
   * @throws {NotFoundError} ERR_NOT_FOUND when unknown.
   * @throws {DigestMismatchError} ERR_DIGEST_MISMATCH when the bytes do not match.
   */
  async fetchManifest(reference: string, opts: Op = {}): Promise<FetchedManifest> {
    this.#checkReference(reference);
    const res = await this.#http.send({
      method: "GET",
      url: `manifests/${reference}`,
      actions: ["pull"],
      headers: { accept: MANIFEST_ACCEPT },
      expect: [200],
      failure: `Cannot fetch manifest ${this.#where(reference)}`,
      signal: opts.signal,
    });
    const length = contentLength(res);
    if (length !== undefined && length > MAX_MANIFEST_BYTES) {
      await discard(res);
      throw new SizeExceededError(`Manifest ${this.#where(reference)}`, length, MAX_MANIFEST_BYTES);
    }
    const bytes = await readAllBounded(
      res.body,
      MAX_MANIFEST_BYTES,
      `Manifest ${this.#where(reference)}`,
    );
    const { algorithm } = isDigest(reference)
      ? parseDigest(reference)
      : { algorithm: "sha256" as const };
    const digest = await digestBytes(bytes, algorithm);
    if (isDigest(reference) && digest !== reference) {
      throw new DigestMismatchError(reference, digest);
    }
    const served = res.headers.get("docker-content-digest");
    if (served !== null && isDigest(served)) {
      const check = served.startsWith(`${algorithm}:`)
        ? digest
        : await digestBytes(bytes, parseDigest(served).algorithm);
      if (check !== served) throw new DigestMismatchError(served, check);
    }
    let mediaType = mediaTypeOf(res);
    const declared = this.#declaredMediaType(bytes);
    if (mediaType === undefined || !isManifestMediaType(mediaType)) {
      if (declared !== undefined) mediaType = declared;
    } else if (declared !== undefined && declared !== mediaType) {
      // distribution-spec: a client SHOULD reject a mediaType that differs from Content-Type.
      throw new InvalidManifestError(
        `The manifest ${
          this.#where(reference)
        } says it is ${declared} but was served as ${mediaType}; the registry is inconsistent`,
      );
    }
    if (mediaType === undefined) {
      throw new InvalidManifestError(
        `The manifest ${
          this.#where(reference)
        } has no media type (no Content-Type, no "mediaType" field)`,
      );
    }
    return { descriptor: { mediaType, digest, size: bytes.length }, bytes };
  }

  #declaredMediaType(bytes: Uint8Array): string | undefined {
    try {
      const doc = JSON.parse(fromUtf8(bytes)) as { mediaType?: unknown };
      return typeof doc.mediaType === "string" ? doc.mediaType : undefined;
    } catch {
      return undefined;
    }
  }

  #checkReference(reference: string): void {
    if (isDigest(reference) || TAG_REGEXP.test(reference)) return;
    throw new InvalidReferenceError(reference, "not a tag or a digest");
  }

  /**
   * Resolves a tag or digest to the manifest descriptor (`HEAD`; a `GET` when the registry omits
   * `Docker-Content-Digest`, `Content-Type` or `Content-Length`).
   * @throws {NotFoundError} ERR_NOT_FOUND when unknown.
   */
  async resolve(reference: string, opts: Op = {}): Promise<Descriptor> {
    this.#checkReference(reference);
    const res = await this.#http.send({
      method: "HEAD",
      url: `manifests/${reference}`,
      actions: ["pull"],
      headers: { accept: MANIFEST_ACCEPT },
      expect: [200, 404],
      failure: `Cannot resolve ${this.#where(reference)}`,
      signal: opts.signal,
    });
    await discard(res);
    if (res.status === 404) {
      throw new NotFoundError(
        `Manifest ${this.#where(reference)} not found; check the tag or digest`,
        {
          details: { status: 404 },
        },
      );
    }
    const mediaType = mediaTypeOf(res);
    const size = contentLength(res);
    const served = res.headers.get("docker-content-digest");
    if (isDigest(reference) && served !== null && served !== reference) {
      throw new DigestMismatchError(reference, served);
    }
    const digest = isDigest(reference) ? reference : served;
    if (
      mediaType === undefined || !isManifestMediaType(mediaType) || size === undefined ||
      digest === null || !isDigest(digest) || size > MAX_MANIFEST_BYTES
    ) {
      return (await this.fetchManifest(reference, opts)).descriptor;
    }
    return { mediaType, digest, size };
  }

  /**
   * Pushes a blob or manifest; manifests are checked against `desc` before the `PUT` (and, when
   * they have a `subject` and the registry lacks the referrers API, indexed under the fallback
   * tag). Blobs are streamed in one PUT, or in chunks when larger than `chunkSize`.
   * @throws {SizeMismatchError} / {DigestMismatchError} when the body does not match `desc`.
   */
  async push(
    desc: Descriptor,
    body: ReadableStream<Uint8Array> | Uint8Array,
    opts: Op = {},
  ): Promise<void> {
    parseDigest(desc.digest);
    if (isManifestMediaType(desc.mediaType)) {
      const bytes = await this.#manifestBody(desc, body);
      await this.#putManifest(desc, bytes, desc.digest, opts.signal);
      return;
    }
    let res: Response;
    try {
      res = await this.#http.send({
        method: "POST",
        url: "blobs/uploads/",
        actions: ["pull", "push"],
        headers: { "content-length": "0" },
        expect: [202],
        failure: `Cannot start the upload of ${this.#where(desc.digest)}`,
        signal: opts.signal,
      });
    } catch (err) {
      if (body instanceof ReadableStream) await body.cancel().catch(() => {});
      throw err;
    }
    await uploadToSession(
      this.#uploadContext(),
      res,
      this.#http.url("blobs/uploads/"),
      desc,
      body,
      opts.signal,
    );
  }

  async #manifestBody(
    desc: Descriptor,
    body: ReadableStream<Uint8Array> | Uint8Array,
  ): Promise<Bytes> {
    if (desc.size > MAX_MANIFEST_BYTES) {
      if (body instanceof ReadableStream) await body.cancel().catch(() => {});
      throw new SizeExceededError(`Manifest ${desc.digest}`, desc.size, MAX_MANIFEST_BYTES);
    }
    const bytes = body instanceof Uint8Array
      ? body as Bytes
      : await readAllBounded(body, desc.size, `Manifest ${desc.digest}`).catch((err) => {
        throw isErrorCode(err, "ERR_SIZE_EXCEEDED")
          ? new SizeMismatchError(desc.digest, desc.size, desc.size + 1)
          : err;
      });
    // A verified stream's clean end already says the bytes match: they are hashed once.
    if (!isVerifiedStream(body, desc)) await verifyBytes(bytes, desc);
    return bytes;
  }

  #uploadContext(): UploadContext {
    return {
      client: this.#client,
      repository: `${this.registry}/${this.name}`,
      origin: this.#http.base.origin,
      scopes: this.#http.scope("pull", "push"),
      label: (digest) => this.#where(digest),
      chunkSize: this.#chunkSize,
      hasher: this.#hasher,
    };
  }

  /**
   * The repository name to mount blobs from when `other` is another repository of the same
   * registry client (same host, same credentials), else `undefined`.
   *
   * @param other A possible copy source.
   * @returns The source repository name, when a mount can work.
   */
  mountSourceFor(other: unknown): string | undefined {
    if (typeof other !== "object" || other === null || !(#client in other)) return undefined;
    const repo = other as Repository;
    return repo.#client === this.#client && repo.name !== this.name ? repo.name : undefined;
  }

  /**
   * Mounts a blob from another repository of the same registry (`POST ?mount=&from=`). When the
   * registry opens an upload session instead, the content from `getContent` is uploaded into it.
   * @returns `mounted`, or `uploaded` when the fallback upload ran.
   * @throws {NotFoundError} ERR_NOT_FOUND when the registry cannot mount and `getContent` is absent.
   */
  async mount(
    desc: Descriptor,
    fromRepository: string,
    opts: MountOptions = {},
  ): Promise<MountResult> {
    const url = this.#http.url("blobs/uploads/");
    url.searchParams.set("mount", desc.digest);
    url.searchParams.set("from", fromRepository);
    const res = await this.#http.send({
      method: "POST",
      url,
      actions: ["pull", "push"],
      extraScopes: [repositoryScope(fromRepository, ["pull"])],
      headers: { "content-length": "0" },
      expect: [201, 202],
      failure:
        `Cannot mount ${desc.digest} from ${fromRepository} into ${this.registry}/${this.name}`,
      signal: opts.signal,
    });
    if (res.status === 201) {
      const served = res.headers.get("docker-content-digest");
      await discard(res);
      if (served !== null && served !== desc.digest) {
        throw new DigestMismatchError(desc.digest, served);
      }
      return "mounted";
    }
    if (opts.getContent === undefined) {
      const location = uploadLocation(this.#uploadContext(), res, url);
      await discard(res);
      await cancelUpload(this.#uploadContext(), location);
      throw new NotFoundError(
        `The registry could not mount ${desc.digest} from ${fromRepository}; push the blob instead`,
      );
    }
    await uploadToSession(
      this.#uploadContext(),
      res,
      url,
      desc,
      await opts.getContent(),
      opts.signal,
    );
    return "uploaded";
  }

  async #putManifest(
    desc: Descriptor,
    bytes: Bytes,
    reference: string,
    signal: AbortSignal | undefined,
    index = true,
  ): Promise<void> {
    await requireReferrersApi(
      this.#http,
      this.#referrers,
      () => this.#parseQuietly(bytes, desc)?.json.subject,
      signal,
    );
    const res = await this.#http.send({
      method: "PUT",
      url: `manifests/${reference}`,
      actions: ["pull", "push"],
      headers: { "content-type": desc.mediaType },
      body: bytes,
      expect: [200, 201, 202],
      failure: `Cannot push manifest ${this.#where(reference)}`,
      signal,
    });
    const served = res.headers.get("docker-content-digest");
    const subjectHeader = res.headers.get("oci-subject");
    await discard(res);
    if (served !== null && served !== desc.digest) {
      throw new DigestMismatchError(desc.digest, served);
    }
    const referrers = this.#referrers;
    if (subjectHeader !== null && referrers.mode === "auto") referrers.supported = true;
    if (!index) return;
    if (referrers.mode !== "tag" && (referrers.supported === true || subjectHeader !== null)) {
      return;
    }
    const parsed = this.#parseQuietly(bytes, desc);
    const subject = parsed?.json.subject;
    if (parsed === undefined || subject === undefined) return;
    await this.#indexUpkeep.update(
      subject,
      { add: referrerDescriptor(parsed, desc.digest) },
      signal,
    );
  }

  #parseQuietly(bytes: Uint8Array, desc: Descriptor): ParsedManifest | undefined {
    try {
      return parseManifest(bytes, { mediaType: desc.mediaType, name: desc.digest });
    } catch {
      return undefined;
    }
  }

  /**
   * Pushes a manifest under a tag (`PUT /manifests/<tag>`), indexing its subject like `push`.
   * @throws {SizeMismatchError} / {DigestMismatchError} when the body does not match `desc`.
   */
  async pushReference(
    desc: Descriptor,
    body: ReadableStream<Uint8Array> | Uint8Array,
    reference: string,
    opts: Op = {},
  ): Promise<void> {
    this.#checkReference(reference);
    const bytes = await this.#manifestBody(desc, body);
    await this.#putManifest(desc, bytes, reference, opts.signal);
  }

  /**
   * Points a tag at a manifest already in the repository (fetch by digest, `PUT` by tag).
   * @throws {NotFoundError} ERR_NOT_FOUND when the manifest is not in the repository.
   */
  async tag(desc: Descriptor, reference: string, opts: Op = {}): Promise<void> {
    if (!TAG_REGEXP.test(reference)) throw new InvalidReferenceError(reference, "not a valid tag");
    const bytes = await this.#fetchManifestBytes(desc, opts.signal);
    await this.#putManifest(desc, bytes, reference, opts.signal, false);
  }

  /**
   * Removes a tag (`DELETE /manifests/<tag>`, which registries may refuse); the manifest stays.
   * @throws {NotFoundError} ERR_NOT_FOUND when there is no such tag.
   */
  async untag(tag: string, opts: Op = {}): Promise<void> {
    if (!TAG_REGEXP.test(tag)) throw new InvalidReferenceError(tag, "not a valid tag");
    const res = await this.#http.send({
      method: "DELETE",
      url: `manifests/${tag}`,
      actions: ["delete"],
      expect: [200, 202, 204],
      failure: `Cannot remove tag ${this.#where(tag)}`,
      signal: opts.signal,
    });
    await discard(res);
  }

  /**
   * Deletes a manifest (and so its tags) or a blob. Deleting a referrer also removes it from its
   * subject's fallback referrers index when the tag schema is in use.
   * @throws {NotFoundError} ERR_NOT_FOUND when absent.
   */
  async delete(desc: Descriptor, opts: Op = {}): Promise<void> {
    const manifest = isManifestMediaType(desc.mediaType);
    let subject: Descriptor | undefined;
    if (manifest && this.#referrers.supported !== true) {
      try {
        const bytes = await this.#fetchManifestBytes(desc, opts.signal);
        subject = this.#parseQuietly(bytes, desc)?.json.subject;
      } catch (err) {
        if (!isErrorCode(err, "ERR_NOT_FOUND")) throw err;
      }
    }
    const res = await this.#http.send({
      method: "DELETE",
      url: `${manifest ? "manifests" : "blobs"}/${desc.digest}`,
      actions: ["delete"],
      expect: [200, 202, 204],
      failure: `Cannot delete ${this.#where(desc.digest)}`,
      signal: opts.signal,
    });
    await discard(res);
    if (subject !== undefined && this.#referrers.supported !== true) {
      await this.#indexUpkeep.update(subject, { remove: desc.digest }, opts.signal);
    }
  }

  /**
   * Lists the repository's tags, following `Link` pagination (at most `maxPages` pages of at
   * most 4 MiB each).
   * @throws {NotFoundError} ERR_NOT_FOUND when the repository does not exist.
   */
  async *tags(opts: Op = {}): AsyncIterable<string> {
    let url: URL | undefined = this.#http.url("tags/list");
    if (this.#tagPageSize !== undefined) url.searchParams.set("n", String(this.#tagPageSize));
    for (let page = 0; url !== undefined; page++) {
      if (page >= this.#maxPages) {
        throw new RegistryError(
          `The tag list of ${this.registry}/${this.name} has more than ${this.#maxPages} pages; refusing to read further`,
          200,
        );
      }
      const res = await this.#http.send({
        method: "GET",
        url,
        actions: ["pull"],
        expect: [200],
        failure: `Cannot list tags of ${this.registry}/${this.name}`,
        signal: opts.signal,
      });
      const next = nextLink(res, url);
      const bytes = await readAllBounded(res.body, MAX_MANIFEST_BYTES, "Tag list page");
      let tags: unknown;
      try {
        tags = (JSON.parse(fromUtf8(bytes)) as { tags?: unknown }).tags;
      } catch (err) {
        throw new RegistryError(`The registry sent a tag list that is not JSON`, 200, [], {
          cause: err,
        });
      }
      if (tags !== null && tags !== undefined) {
        if (!Array.isArray(tags)) {
          throw new RegistryError(`The registry sent a tag list without a tags array`, 200);
        }
        // Distribution 2.8 ignores `n` and returns one unsorted page; the spec wants lexical order.
        yield* tags.filter((t): t is string => typeof t === "string").sort();
      }
      url = next;
    }
  }

  /**
   * Lists the referrers of `subject`: through the referrers API when the registry has it
   * (paginated, `artifactType` filtered server-side when `OCI-Filters-Applied` says so, else
   * here), otherwise from the fallback tag's index.
   * @throws {NotFoundError} ERR_NOT_FOUND when the repository does not exist.
   */
  async *referrers(
    subject: Descriptor,
    opts: Op & { artifactType?: string } = {},
  ): AsyncIterable<Descriptor> {
    parseDigest(subject.digest);
    if (this.#referrers.supported !== false) {
      const answered = yield* referrersByApi(
        this.#http,
        this.#referrers,
        subject,
        this.#maxPages,
        opts,
      );
      if (answered) return;
    }
    yield* await referrersByTag((tag, o) => this.fetchManifest(tag, o), subject, opts);
  }
}
