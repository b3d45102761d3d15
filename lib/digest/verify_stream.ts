/**
 * Pass-through verification of streamed content against a descriptor's size and digest.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { DigestMismatchError, SizeMismatchError } from "../errors.ts";
import { type DigestAlgorithm, parseDigest } from "./digest.ts";
import type { Hasher, HasherFactory, OffThreadHasher } from "./hasher.ts";

/** The part of a descriptor that content is verified against. */
export interface ExpectedContent {
  /** `<algorithm>:<hex>`. */
  digest: string;
  /** Exact size in bytes. */
  size: number;
}

/** Bytes gathered before one hasher call: network bodies come in small chunks, and each call
 * into a native hasher has a fixed cost. */
const HASH_BATCH_BYTES = 256 * 1024;
/** Content at least this large is hashed on another thread when the factory offers one. */
const OFF_THREAD_MIN_BYTES = 1024 * 1024;

/** What {@linkcode verifyStream} feeds: chunks it may hand on right after `update` returns. */
interface StreamHasher {
  update(chunk: Uint8Array): void | Promise<void>;
  digestHex(): string | Promise<string>;
  abort(): void;
}

/** Feeds a hasher in batches; small chunks are copied into a staging buffer first, so the
 * caller may hand the chunks on (and a consumer may detach them) right away. */
class BatchingHasher implements StreamHasher {
  #hasher: Hasher;
  #staging: Uint8Array;
  #staged = 0;

  /**
   * @param hasher The hasher fed.
   * @param size The expected size: smaller content gets a staging buffer of its own size (a
   *   manifest needs no 256 KiB buffer, which costs an allocation and a collection per blob).
   */
  constructor(hasher: Hasher, size: number) {
    this.#hasher = hasher;
    this.#staging = new Uint8Array(Math.max(0, Math.min(HASH_BATCH_BYTES, size)));
  }

  update(chunk: Uint8Array): void {
    if (chunk.length >= this.#staging.length) {
      this.#drain();
      this.#hasher.update(chunk);
      return;
    }
    if (this.#staged + chunk.length > this.#staging.length) this.#drain();
    this.#staging.set(chunk, this.#staged);
    this.#staged += chunk.length;
  }

  digestHex(): string {
    this.#drain();
    return this.#hasher.digestHex();
  }

  abort(): void {}

  #drain(): void {
    if (this.#staged === 0) return;
    this.#hasher.update(this.#staging.subarray(0, this.#staged));
    this.#staged = 0;
  }
}

/** Copies chunks into buffers lent by an {@linkcode OffThreadHasher} and sends each one off
 * when full: the only copy of a chunk on this thread, and the hashing runs on another. */
class OffThreadBatcher implements StreamHasher {
  #hasher: OffThreadHasher;
  #buffer: Uint8Array | undefined;
  #filled = 0;

  constructor(hasher: OffThreadHasher) {
    this.#hasher = hasher;
  }

  async update(chunk: Uint8Array): Promise<void> {
    for (let off = 0; off < chunk.length;) {
      const buffer = this.#buffer ??= await this.#hasher.buffer();
      const n = Math.min(chunk.length - off, buffer.length - this.#filled);
      buffer.set(chunk.subarray(off, off + n), this.#filled);
      this.#filled += n;
      off += n;
      if (this.#filled === buffer.length) this.#send();
    }
  }

  digestHex(): Promise<string> {
    this.#send();
    return this.#hasher.digestHex();
  }

  abort(): void {
    this.#hasher.abort();
  }

  #send(): void {
    if (this.#buffer === undefined) return;
    this.#hasher.update(this.#buffer, this.#filled);
    this.#buffer = undefined;
    this.#filled = 0;
  }
}

function streamHasher(
  factory: HasherFactory,
  algorithm: DigestAlgorithm,
  size: number,
): StreamHasher {
  const offThread = size >= OFF_THREAD_MIN_BYTES ? factory.offThread?.(algorithm) : undefined;
  return offThread !== undefined
    ? new OffThreadBatcher(offThread)
    : new BatchingHasher(factory(algorithm), size);
}

/**
 * Wraps a stream so that it is verified against `expected` as it is read: the bytes pass through
 * unchanged while they are counted and hashed; the stream errors with
 * {@linkcode SizeMismatchError} as soon as more bytes than `expected.size` arrive, and at the end
 * with {@linkcode SizeMismatchError} (too few) or {@linkcode DigestMismatchError}, so a consumer
 * never sees a clean end on bad content.
 *
 * @example
 * ```ts
 * import { verifyStream } from "./verify_stream.ts";
 * import { pureHasherFactory } from "./pure_hasher.ts";
 * const bad = verifyStream(new Blob(["{x"]).stream(), {
 *   digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
 *   size: 2,
 * }, pureHasherFactory);
 * await new Response(bad).text().catch((e) => console.log(e.code)); // ERR_DIGEST_MISMATCH
 * ```
 * @param stream The untrusted bytes.
 * @param expected Digest and size they must match.
 * @param hasherFactory Makes the incremental hasher.
 * @returns The same bytes, erroring on a mismatch.
 */
export function verifyStream(
  stream: ReadableStream<Uint8Array>,
  expected: ExpectedContent,
  hasherFactory: HasherFactory,
): VerifiedStream {
  const { algorithm, hex } = parseDigest(expected.digest);
  if (!Number.isSafeInteger(expected.size) || expected.size < 0) {
    throw new RangeError(`Cannot verify content: invalid size ${expected.size}`);
  }
  const hasher = streamHasher(hasherFactory, algorithm, expected.size);
  const reader = stream.getReader();
  let seen = 0;
  // A pull-through stream rather than a TransformStream: far less work per chunk.
  const verified = new ReadableStream<Bytes>({
    async pull(controller): Promise<void> {
      try {
        const { done, value } = await reader.read();
        if (done) {
          if (seen !== expected.size) {
            throw new SizeMismatchError(expected.digest, expected.size, seen);
          }
          const actual = await hasher.digestHex();
          if (actual !== hex) {
            throw new DigestMismatchError(expected.digest, `${algorithm}:${actual}`);
          }
          controller.close();
          return;
        }
        seen += value.length;
        if (seen > expected.size) {
          throw new SizeMismatchError(expected.digest, expected.size, seen);
        }
        await hasher.update(value);
        controller.enqueue(value as Bytes);
      } catch (err) {
        // Whatever ended the stream, the hash is not needed any more, nor the source (a file
        // handle left open would be closed by the garbage collector, which Bun treats as fatal).
        hasher.abort();
        await reader.cancel(err).catch(() => {});
        throw err;
      }
    },
    async cancel(reason): Promise<void> {
      hasher.abort();
      await reader.cancel(reason);
    },
  });
  return markVerified(verified, expected);
}

/**
 * A stream that never ends cleanly unless its bytes matched `verifiedAgainst` (it errors
 * instead), so its consumer may trust its end without hashing again. {@linkcode verifyStream}
 * makes them; a wrapper that passes on the bytes and errors of one unchanged makes another with
 * {@linkcode passOnVerified}.
 */
export type VerifiedStream = ReadableStream<Bytes> & {
  /** The digest and size the bytes are checked against. */
  readonly verifiedAgainst: Readonly<ExpectedContent>;
};

function markVerified(stream: ReadableStream<Bytes>, expected: ExpectedContent): VerifiedStream {
  const against = Object.freeze({ digest: expected.digest, size: expected.size });
  return Object.defineProperty(stream, "verifiedAgainst", { value: against }) as VerifiedStream;
}

/**
 * Whether `stream` is a {@linkcode VerifiedStream}, for `expected` when given.
 *
 * @example
 * ```ts
 * import { isVerifiedStream, verifyStream } from "./verify_stream.ts";
 * import { pureHasherFactory } from "./pure_hasher.ts";
 * const expected = { digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", size: 2 };
 * const v = verifyStream(new Blob(["{}"]).stream(), expected, pureHasherFactory);
 * console.log(isVerifiedStream(v, expected), isVerifiedStream(new Blob(["{}"]).stream())); // true false
 * ```
 */
export function isVerifiedStream(
  stream: ReadableStream<Uint8Array> | Uint8Array,
  expected?: ExpectedContent,
): stream is VerifiedStream {
  if (stream instanceof Uint8Array) return false;
  const against = (stream as Partial<VerifiedStream>).verifiedAgainst;
  return against !== undefined &&
    (expected === undefined ||
      (against.digest === expected.digest && against.size === expected.size));
}

/**
 * Marks `derived`, which passes on the bytes and errors of `verified` unchanged (a wrapper such
 * as a copy's source-error tagging), as verified against the same content.
 *
 * @example
 * ```ts
 * import { passOnVerified, verifyStream } from "./verify_stream.ts";
 * import { pureHasherFactory } from "./pure_hasher.ts";
 * const v = verifyStream(new Blob(["{}"]).stream(), { digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", size: 2 }, pureHasherFactory);
 * const wrapped = passOnVerified(v, v.pipeThrough(new TransformStream()));
 * console.log(wrapped.verifiedAgainst.size); // 2
 * ```
 */
export function passOnVerified(
  verified: VerifiedStream,
  derived: ReadableStream<Bytes>,
): VerifiedStream {
  return markVerified(derived, verified.verifiedAgainst);
}

/**
 * Hands on bytes already checked against `expected` (by {@linkcode verifyStream} or a digest of
 * the whole) as a {@linkcode VerifiedStream}, so the next store does not hash them again. Only
 * for bytes whose check the caller did; the bytes must not change afterwards.
 *
 * @example
 * ```ts
 * import { streamOfVerified } from "./verify_stream.ts";
 * const s = streamOfVerified(new TextEncoder().encode("{}"), { digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", size: 2 });
 * console.log(await new Response(s).text()); // {}
 * ```
 */
export function streamOfVerified(bytes: Uint8Array, expected: ExpectedContent): VerifiedStream {
  if (bytes.length !== expected.size) {
    throw new SizeMismatchError(expected.digest, expected.size, bytes.length);
  }
  const stream = new ReadableStream<Bytes>({
    start(controller): void {
      if (bytes.length > 0) controller.enqueue(bytes as Bytes);
      controller.close();
    },
  });
  return markVerified(stream, expected);
}

/**
 * Verifies a stream against `expected`, unless it is already a {@linkcode VerifiedStream} for
 * exactly that content (then it is returned as is, and the bytes are hashed once, not twice).
 *
 * @example
 * ```ts
 * import { verifiedOnce, verifyStream } from "./verify_stream.ts";
 * import { pureHasherFactory } from "./pure_hasher.ts";
 * const expected = { digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", size: 2 };
 * const v = verifyStream(new Blob(["{}"]).stream(), expected, pureHasherFactory);
 * console.log(verifiedOnce(v, expected, pureHasherFactory) === v); // true
 * ```
 */
export function verifiedOnce(
  stream: ReadableStream<Uint8Array>,
  expected: ExpectedContent,
  hasherFactory: HasherFactory,
): VerifiedStream {
  return isVerifiedStream(stream, expected)
    ? stream
    : verifyStream(stream, expected, hasherFactory);
}
