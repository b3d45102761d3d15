/**
 * zstd decompression for ADD, with the pure-JavaScript decoder `fzstd`. fzstd does not check a
 * frame's content checksum, so this module walks the frame structure itself (RFC 8878 §3.1):
 * it hands each frame to its own decoder, hashes the frame's output with XXH64
 * (`xxhash-wasm`), and compares the low 32 bits with the checksum the frame carries, as the
 * zstd tool and Docker's decoder do. Skippable frames are skipped.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8878#section-3.1
 * @module
 */
import { Decompress } from "npm:fzstd@0.1.1";
import xxhash from "npm:xxhash-wasm@1.1.0";
import type { XXHash } from "npm:xxhash-wasm@1.1.0";
import type { Bytes } from "../_internal/bytes.ts";
import { concat } from "../_internal/bytes.ts";
import { InvalidInputError } from "../errors.ts";

const ZSTD_MAGIC = 0xfd2fb528;
const BLOCK_RAW = 0;
const BLOCK_RLE = 1;
const BLOCK_COMPRESSED = 2;
/** Largest block a frame may hold (RFC 8878 §3.1.1.2.3: Block_Maximum_Size is 128 KiB). */
const MAX_BLOCK_BYTES = 128 * 1024;

function invalid(err: unknown): InvalidInputError {
  const why = err instanceof Error ? err.message : String(err);
  return new InvalidInputError(
    `Cannot decompress zstd data: ${why}; the archive is corrupt or truncated`,
    { cause: err },
  );
}

let hasherFactory: Promise<(seed?: bigint) => XXHash<bigint>> | undefined;

/** One frame being decoded: its decoder, the hash of its output, and where the walk is. */
interface Frame {
  decoder: Decompress;
  hash: XXHash<bigint> | undefined;
  hasChecksum: boolean;
  /** Bytes of the current block still to pass through (header already read). */
  blockLeft: number;
  lastBlock: boolean;
}

function readU32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>>
    0;
}

/** Bytes of a frame header after the magic: descriptor, window, dictionary id, content size. */
function frameHeaderSize(descriptor: number): number {
  const fcsFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  if ((descriptor >> 3) & 1) throw new Error("reserved bit set in the frame header");
  const dictBytes = [0, 1, 2, 4][descriptor & 3]!;
  const fcsBytes = [singleSegment ? 1 : 0, 2, 4, 8][fcsFlag]!;
  return 1 + (singleSegment ? 0 : 1) + dictBytes + fcsBytes;
}

/**
 * Decompresses a zstd stream (any number of frames, skippable frames allowed), checking each
 * frame's content checksum when it has one.
 *
 * @example
 * ```ts ignore
 * import { unzstdStream } from "./zstd.ts";
 * const tar = unzstdStream(file.readable);
 * ```
 * @param input The compressed bytes.
 * @returns The decompressed bytes; the stream errors with `InvalidInputError` (ERR_INVALID_INPUT)
 * when the data is corrupt, fails its checksum, or is cut short.
 */
export function unzstdStream(input: ReadableStream<Uint8Array>): ReadableStream<Bytes> {
  const reader = input.getReader();
  const out: Bytes[] = [];
  let buffer: Uint8Array = new Uint8Array(0);
  let frame: Frame | undefined;
  let skipLeft = 0;
  let seenFrame = false;
  let createHash: ((seed?: bigint) => XXHash<bigint>) | undefined;

  const take = (n: number): Uint8Array => {
    const head = buffer.subarray(0, n);
    buffer = buffer.subarray(n);
    return head;
  };

  /** Consumes what it can of the buffer; returns false when it needs more input. */
  const step = (): boolean => {
    if (skipLeft > 0) {
      const n = Math.min(skipLeft, buffer.length);
      take(n);
      skipLeft -= n;
      return skipLeft === 0;
    }
    if (frame === undefined) {
      if (buffer.length < 8) return false;
      const magic = readU32(buffer, 0);
      if ((magic & 0xfffffff0) === 0x184d2a50) {
        skipLeft = readU32(buffer, 4);
        take(8);
        return true;
      }
      if (magic !== ZSTD_MAGIC) throw new Error("not a zstd frame");
      const size = 4 + frameHeaderSize(buffer[4]!);
      if (buffer.length < size) return false;
      const hasChecksum = ((buffer[4]! >> 2) & 1) === 1;
      const decoder = new Decompress((data) => {
        if (data.length === 0) return;
        current.hash?.update(data);
        out.push(data as Bytes);
      });
      const current: Frame = {
        decoder,
        hash: hasChecksum ? createHash!(0n) : undefined,
        hasChecksum,
        blockLeft: 0,
        lastBlock: false,
      };
      frame = current;
      seenFrame = true;
      decoder.push(take(size));
      return true;
    }
    if (frame.blockLeft > 0) {
      const n = Math.min(frame.blockLeft, buffer.length);
      frame.decoder.push(take(n));
      frame.blockLeft -= n;
      return frame.blockLeft === 0;
    }
    if (!frame.lastBlock) {
      if (buffer.length < 3) return false;
      const header = buffer[0]! | (buffer[1]! << 8) | (buffer[2]! << 16);
      const type = (header >> 1) & 3;
      const size = header >>> 3;
      if (type !== BLOCK_RAW && type !== BLOCK_RLE && type !== BLOCK_COMPRESSED) {
        throw new Error("reserved block type");
      }
      if (type !== BLOCK_RLE && size > MAX_BLOCK_BYTES) throw new Error("block too large");
      frame.lastBlock = (header & 1) === 1;
      frame.blockLeft = type === BLOCK_RLE ? 1 : size;
      frame.decoder.push(take(3));
      return true;
    }
    if (frame.hasChecksum && buffer.length < 4) return false;
    const checksum = take(frame.hasChecksum ? 4 : 0);
    const expected = frame.hasChecksum ? readU32(checksum, 0) : undefined;
    frame.decoder.push(checksum, true);
    if (expected !== undefined) {
      const actual = Number(frame.hash!.digest() & 0xffffffffn);
      if (actual !== expected) throw new Error("content checksum mismatch");
    }
    frame = undefined;
    return true;
  };

  return new ReadableStream<Bytes>({
    async pull(controller): Promise<void> {
      try {
        createHash ??= await (hasherFactory ??= xxhash().then((api) => api.create64));
        while (out.length === 0) {
          if (step()) continue;
          const { done, value } = await reader.read();
          if (done) {
            if (buffer.length > 0 || frame !== undefined || skipLeft > 0 || !seenFrame) {
              throw new Error("unexpected end of input");
            }
            controller.close();
            return;
          }
          buffer = buffer.length === 0 ? value : concat([buffer, value]);
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
