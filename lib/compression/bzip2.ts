/**
 * bzip2 decompression for ADD, in pure TypeScript. A block is decoded once the whole block is
 * buffered (at most about 900 kB in, 3.6 MB working space), and its bytes are handed out in
 * chunks as they are read back, so memory stays bounded by the block size however far a block
 * expands. Every block CRC and every stream CRC is checked; concatenated streams are read one
 * after the other, as `bzip2 -d` does.
 *
 * @see https://sourceware.org/bzip2/manual/manual.html
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { InvalidInputError } from "../errors.ts";
import { BitReader, Bzip2FormatError, NeedInput, readBlock } from "./_bzip2_block.ts";
import type { BitMark, Bzip2Block } from "./_bzip2_block.ts";

/** Output chunks are cut to at most this many bytes. */
const OUTPUT_CHUNK_BYTES = 256 * 1024;

/** Bytes a bzip2 block can take compressed, per 100 kB of block size (plus slack): read ahead. */
const BLOCK_BOUND = 100_000;
const SLACK = 25_000;

const BLOCK_MAGIC_HIGH = 0x314159;
const BLOCK_MAGIC_LOW = 0x265359;
const END_MAGIC_HIGH = 0x177245;
const END_MAGIC_LOW = 0x385090;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    table[i] = c >>> 0;
  }
  return table;
})();

function invalid(err: unknown): InvalidInputError {
  const why = err instanceof Error ? err.message : String(err);
  return new InvalidInputError(
    `Cannot decompress bzip2 data: ${why}; the archive is corrupt or truncated`,
    { cause: err },
  );
}

/** Reads one block's bytes back out of its vector, undoing the initial run-length coding. */
class BlockOutput {
  #tt: Uint32Array;
  #next: number;
  #left: number;
  #last = -1;
  #runLength = 0;
  #repeat = 0;
  #crc = 0xffffffff;
  readonly expectedCrc: number;

  constructor(block: Bzip2Block) {
    this.#tt = block.tt;
    this.#next = block.start;
    this.#left = block.length;
    this.expectedCrc = block.crc;
  }

  /** Whether every byte has been handed out. */
  get done(): boolean {
    return this.#left === 0 && this.#repeat === 0;
  }

  /** The CRC of the bytes handed out. */
  get crc(): number {
    return ~this.#crc >>> 0;
  }

  /** Fills `out` as far as it goes; returns how many bytes it wrote. */
  fill(out: Uint8Array): number {
    const tt = this.#tt;
    let crc = this.#crc;
    let n = 0;
    while (n < out.length) {
      if (this.#repeat > 0) {
        this.#repeat--;
      } else if (this.#left > 0) {
        const entry = tt[this.#next]!;
        this.#next = entry >>> 8;
        this.#left--;
        const byte = entry & 0xff;
        if (this.#runLength === 4) {
          this.#runLength = 0;
          this.#repeat = byte;
          continue;
        }
        if (byte === this.#last) this.#runLength++;
        else {
          this.#last = byte;
          this.#runLength = 1;
        }
      } else break;
      out[n++] = this.#last;
      crc = (crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ this.#last) & 0xff]!;
    }
    this.#crc = crc;
    return n;
  }
}

/** Where the decoder is between blocks. */
type Phase = "stream-header" | "block" | "end";

/**
 * Decompresses a bzip2 stream (one or more concatenated bzip2 streams) block by block; every
 * block's CRC and the stream CRC are checked.
 *
 * @example
 * ```ts ignore
 * import { bunzip2Stream } from "./bzip2.ts";
 * const tar = bunzip2Stream(file.readable);
 * ```
 * @param input The compressed bytes.
 * @returns The decompressed bytes; the stream errors with `InvalidInputError` (ERR_INVALID_INPUT)
 * when the data is corrupt or cut short.
 */
export function bunzip2Stream(input: ReadableStream<Uint8Array>): ReadableStream<Bytes> {
  const reader = input.getReader();
  const bits = new BitReader();
  const pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let inputDone = false;
  let phase: Phase = "stream-header";
  let blockSize = 0;
  let streamCrc = 0;
  let tt = new Uint32Array(0);
  let output: BlockOutput | undefined;
  let sawStream = false;

  /** Reads the next stream header or block; false when the input is used up. */
  const step = (): boolean => {
    if (phase === "stream-header" || phase === "end") {
      if (bits.unread === 0) return false;
      const b = bits.bits(8, "a stream header");
      const z = bits.bits(8, "a stream header");
      const h = bits.bits(8, "a stream header");
      const level = bits.bits(8, "a stream header") - 0x30;
      if (b !== 0x42 || z !== 0x5a || h !== 0x68 || level < 1 || level > 9) {
        throw new Bzip2FormatError("not a bzip2 stream header");
      }
      blockSize = level * BLOCK_BOUND;
      if (tt.length < blockSize) tt = new Uint32Array(blockSize);
      streamCrc = 0;
      sawStream = true;
      phase = "block";
      return true;
    }
    const high = bits.bits(24);
    const low = bits.bits(24);
    if (high === BLOCK_MAGIC_HIGH && low === BLOCK_MAGIC_LOW) {
      output = new BlockOutput(readBlock(bits, tt.subarray(0, blockSize)));
      return true;
    }
    if (high !== END_MAGIC_HIGH || low !== END_MAGIC_LOW) {
      throw new Bzip2FormatError("bad block header");
    }
    const stored = ((bits.bits(16) << 16) | bits.bits(16)) >>> 0;
    if (stored !== streamCrc) throw new Bzip2FormatError("stream CRC mismatch");
    bits.alignToByte();
    phase = "end";
    return true;
  };

  /** Buffers input until a whole block (or the rest of the input) is there. */
  const fillInput = async (): Promise<void> => {
    const needed = SLACK + blockSize;
    while (!inputDone && bits.unread + pendingBytes < needed) {
      const { done, value } = await reader.read();
      if (done) inputDone = true;
      else if (value.length > 0) {
        pending.push(value);
        pendingBytes += value.length;
      }
    }
    if (pending.length > 0) {
      bits.append(pending.splice(0));
      pendingBytes = 0;
    }
  };

  /** Reads more input after the buffered input ran out mid-block. */
  const readMore = async (): Promise<void> => {
    const { done, value } = await reader.read();
    if (done) inputDone = true;
    else bits.append([value]);
  };

  return new ReadableStream<Bytes>({
    async pull(controller): Promise<void> {
      try {
        for (;;) {
          if (output !== undefined) {
            const chunk = new Uint8Array(OUTPUT_CHUNK_BYTES);
            const n = output.fill(chunk);
            if (n > 0) {
              controller.enqueue(n === chunk.length ? chunk : chunk.slice(0, n));
              return;
            }
            if (output.crc !== output.expectedCrc) throw new Bzip2FormatError("block CRC mismatch");
            streamCrc = (((streamCrc << 1) | (streamCrc >>> 31)) ^ output.crc) >>> 0;
            output = undefined;
          }
          await fillInput();
          const mark: BitMark = bits.mark();
          let more: boolean;
          try {
            more = step();
          } catch (err) {
            if (!(err instanceof NeedInput) || inputDone) throw err;
            bits.reset(mark);
            await readMore();
            continue;
          }
          if (!more) {
            if (!sawStream) throw new Bzip2FormatError("no data");
            controller.close();
            return;
          }
        }
      } catch (err) {
        await reader.cancel().catch(() => {});
        throw invalid(err);
      }
    },
    async cancel(reason): Promise<void> {
      await reader.cancel(reason);
    },
  });
}
