/**
 * bzip2 decompression for ADD, with the pure-JavaScript block decoder of `unbzip2-stream` (its
 * Node stream wrapper is not used). A block is decoded once enough input for the largest
 * possible block is buffered, so memory stays bounded by the block size (at most 900 kB in,
 * about 1 MB working space, plus the block's output).
 *
 * @module
 */
import bzip2 from "npm:unbzip2-stream@1.4.3/lib/bzip2.js";
import bitIterator from "npm:unbzip2-stream@1.4.3/lib/bit_iterator.js";
import type { Bytes } from "../_internal/bytes.ts";
import { InvalidInputError } from "../errors.ts";

/** Output chunks are cut to at most this many bytes. */
const OUTPUT_CHUNK_BYTES = 256 * 1024;

function invalid(err: unknown): InvalidInputError {
  const why = err instanceof Error ? err.message : String(err);
  return new InvalidInputError(
    `Cannot decompress bzip2 data: ${why}; the archive is corrupt or truncated`,
    { cause: err },
  );
}

/** Bytes a bzip2 block can take compressed, at most, per 100 kB of block size (plus slack). */
const BZIP2_BLOCK_BOUND = 100_000;
const BZIP2_SLACK = 25_000;

interface Bzip2Decoder {
  header(bits: BitReader): number;
  decompress(
    bits: BitReader,
    out: (byte: number) => void,
    buf: Int32Array,
    bufsize: number,
    streamCrc: number | null,
  ): number | null;
}

interface BitReader {
  (n: number | null): number;
  bytesRead: number;
}

/** Collects one block's output bytes, growing as needed. */
class ByteSink {
  bytes = new Uint8Array(1024 * 1024);
  length = 0;
  push = (byte: number): void => {
    if (this.length === this.bytes.length) {
      const bigger = new Uint8Array(this.bytes.length * 2);
      bigger.set(this.bytes);
      this.bytes = bigger;
    }
    this.bytes[this.length++] = byte;
  };
}

/**
 * Decompresses a bzip2 stream (one or more concatenated bzip2 streams) block by block; every
 * block's CRC and the stream CRC are checked.
 *
 * @example
 * ```ts ignore
 * import { bunzip2Stream } from "./decompress_bzip2.ts";
 * const tar = bunzip2Stream(file.readable);
 * ```
 * @param input The compressed bytes.
 * @returns The decompressed bytes; the stream errors with `InvalidInputError` (ERR_INVALID_INPUT)
 * when the data is corrupt or cut short.
 */
export function bunzip2Stream(input: ReadableStream<Uint8Array>): ReadableStream<Bytes> {
  const decoder = bzip2 as unknown as Bzip2Decoder;
  const reader = input.getReader();
  const queue: Uint8Array[] = [];
  let buffered = 0;
  let inputDone = false;
  let bits: BitReader | undefined;
  let blockSize = 0;
  let streamCrc: number | null = null;
  let work: Int32Array | undefined;
  const sink = new ByteSink();
  const out: Bytes[] = [];

  /** Decodes one header or block; returns false when the input is used up. */
  const step = (): boolean => {
    bits ??= (bitIterator as unknown as (next: () => Uint8Array | undefined) => BitReader)(
      () => {
        const next = queue.shift();
        if (next === undefined) throw new Error("unexpected end of input");
        return next;
      },
    );
    if (buffered <= bits.bytesRead) return false;
    if (blockSize === 0) {
      blockSize = decoder.header(bits);
      streamCrc = 0;
      if (work === undefined || work.length < blockSize * BZIP2_BLOCK_BOUND) {
        work = new Int32Array(blockSize * BZIP2_BLOCK_BOUND);
      }
      return true;
    }
    sink.length = 0;
    streamCrc = decoder.decompress(
      bits,
      sink.push,
      work!,
      blockSize * BZIP2_BLOCK_BOUND,
      streamCrc,
    );
    if (streamCrc === null) blockSize = 0;
    for (let i = 0; i < sink.length; i += OUTPUT_CHUNK_BYTES) {
      out.push(sink.bytes.slice(i, Math.min(sink.length, i + OUTPUT_CHUNK_BYTES)));
    }
    return true;
  };

  return new ReadableStream<Bytes>({
    async pull(controller): Promise<void> {
      try {
        while (out.length === 0) {
          const needed = BZIP2_SLACK + BZIP2_BLOCK_BOUND * blockSize;
          if (!inputDone && buffered - (bits?.bytesRead ?? 0) < needed) {
            const { done, value } = await reader.read();
            if (done) inputDone = true;
            else if (value.length > 0) {
              queue.push(value);
              buffered += value.length;
            }
            continue;
          }
          if (!step()) {
            if (!inputDone) continue;
            if (streamCrc !== null || bits === undefined) {
              throw new Error(bits === undefined ? "no data" : "unexpected end of input");
            }
            controller.close();
            return;
          }
        }
      } catch (err) {
        await reader.cancel().catch(() => {});
        throw invalid(err);
      }
      controller.enqueue(out.shift()!);
    },
    async cancel(reason): Promise<void> {
      await reader.cancel(reason);
    },
  });
}
