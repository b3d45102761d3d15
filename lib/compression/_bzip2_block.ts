/**
 * The bzip2 block decoder: a bit reader over buffered input, and one block's Huffman-coded,
 * move-to-front symbols turned into the Burrows–Wheeler vector that `bzip2.ts` walks to produce
 * the block's bytes. Not public.
 *
 * @see https://sourceware.org/bzip2/manual/manual.html
 * @module
 */

/** Thrown when the buffered input ends inside a header or block; buffer more and read again. */
export class NeedInput extends Error {
  /** @param what What was being read. */
  constructor(what: string) {
    super(`unexpected end of input in ${what}`);
    this.name = "NeedInput";
  }
}

/** Thrown when the data cannot be bzip2 (bad magic, table or pointer). */
export class Bzip2FormatError extends Error {
  /** @param message What is wrong. */
  constructor(message: string) {
    super(message);
    this.name = "Bzip2FormatError";
  }
}

/** A position in the input, to read a block again once more input is there. */
export interface BitMark {
  /** Next byte of the buffer. */
  pos: number;
  /** Bits read ahead. */
  buf: number;
  /** How many of them are unread. */
  count: number;
}

/** Reads big-endian bit fields of up to 24 bits from buffered input. */
export class BitReader {
  #data = new Uint8Array(0);
  #pos = 0;
  #buf = 0;
  #count = 0;

  /** Whole bytes not read yet. */
  get unread(): number {
    return this.#data.length - this.#pos + (this.#count >> 3);
  }

  /**
   * Reads `n` bits (at most 24).
   * @param n How many.
   * @param what What is being read, for the error when the input ends.
   * @returns The bits as an unsigned number.
   */
  bits(n: number, what = "a block"): number {
    while (this.#count < n) {
      if (this.#pos >= this.#data.length) throw new NeedInput(what);
      this.#buf = (this.#buf << 8) | this.#data[this.#pos++]!;
      this.#count += 8;
    }
    this.#count -= n;
    return (this.#buf >>> this.#count) & ((1 << n) - 1);
  }

  /**
   * The next `n` bits (at most 24) without reading them, as zeros past the buffered input.
   * @param n How many.
   * @returns The bits.
   */
  peek(n: number): number {
    while (this.#count < n && this.#pos < this.#data.length) {
      this.#buf = (this.#buf << 8) | this.#data[this.#pos++]!;
      this.#count += 8;
    }
    const shift = this.#count - n;
    return (shift >= 0 ? this.#buf >>> shift : this.#buf << -shift) & ((1 << n) - 1);
  }

  /**
   * Passes over `n` bits that {@linkcode BitReader.peek} showed.
   * @param n How many.
   * @param what What is being read, for the error when the input ends.
   */
  skip(n: number, what = "a block"): void {
    if (n > this.#count) throw new NeedInput(what);
    this.#count -= n;
  }

  /** Skips to the next byte boundary (streams end on one). */
  alignToByte(): void {
    this.#count -= this.#count & 7;
  }

  /** @returns The current position. */
  mark(): BitMark {
    return { pos: this.#pos, buf: this.#buf, count: this.#count };
  }

  /** @param mark A position from {@linkcode BitReader.mark}. */
  reset(mark: BitMark): void {
    this.#pos = mark.pos;
    this.#buf = mark.buf;
    this.#count = mark.count;
  }

  /**
   * Adds input, dropping what was read (marks taken before are invalid afterwards).
   * @param chunks More input, in order.
   */
  append(chunks: Uint8Array[]): void {
    const rest = this.#data.subarray(this.#pos);
    const next = new Uint8Array(rest.length + chunks.reduce((n, c) => n + c.length, 0));
    next.set(rest);
    let at = rest.length;
    for (const chunk of chunks) {
      next.set(chunk, at);
      at += chunk.length;
    }
    this.#data = next;
    this.#pos = 0;
  }
}

/** One decoded block: the vector to walk, where to start, and the CRC of its bytes. */
export interface Bzip2Block {
  /** CRC of the block's bytes, as stored. */
  crc: number;
  /** The BWT vector: low 8 bits a byte, high 24 bits the next index. */
  tt: Uint32Array;
  /** Index of the first byte. */
  start: number;
  /** Bytes in the block before the final run-length decoding. */
  length: number;
}

const MAX_GROUPS = 6;
const GROUP_SIZE = 50;
const MAX_CODE_LENGTH = 20;
const MAX_SELECTORS = 32767;
const RUNA = 0;
const RUNB = 1;

/** A canonical Huffman table, decoded by code length (limit/base/symbols as in bzip2). */
interface HuffmanTable {
  minLength: number;
  maxLength: number;
  limit: Int32Array;
  base: Int32Array;
  symbols: Uint16Array;
}

function fail(message: string): never {
  throw new Bzip2FormatError(message);
}

function huffmanTable(lengths: Uint8Array, alphaSize: number): HuffmanTable {
  let minLength = MAX_CODE_LENGTH;
  let maxLength = 0;
  for (let i = 0; i < alphaSize; i++) {
    minLength = Math.min(minLength, lengths[i]!);
    maxLength = Math.max(maxLength, lengths[i]!);
  }
  const symbols = new Uint16Array(alphaSize);
  let next = 0;
  for (let len = minLength; len <= maxLength; len++) {
    for (let s = 0; s < alphaSize; s++) if (lengths[s] === len) symbols[next++] = s;
  }
  const perLength = new Int32Array(MAX_CODE_LENGTH + 2);
  for (let s = 0; s < alphaSize; s++) perLength[lengths[s]!]!++;
  const limit = new Int32Array(MAX_CODE_LENGTH + 2);
  const base = new Int32Array(MAX_CODE_LENGTH + 2);
  let code = 0;
  let seen = 0;
  for (let len = minLength; len <= maxLength; len++) {
    base[len] = code - seen;
    code += perLength[len]!;
    seen += perLength[len]!;
    limit[len] = code - 1;
    code <<= 1;
  }
  return { minLength, maxLength, limit, base, symbols };
}

function decodeSymbol(bits: BitReader, table: HuffmanTable): number {
  const { maxLength, limit } = table;
  const ahead = bits.peek(maxLength);
  let len = table.minLength;
  let code = ahead >>> (maxLength - len);
  while (code > limit[len]!) {
    if (++len > maxLength) fail("invalid Huffman code");
    code = ahead >>> (maxLength - len);
  }
  bits.skip(len);
  const index = code - table.base[len]!;
  if (index < 0 || index >= table.symbols.length) fail("invalid Huffman code");
  return table.symbols[index]!;
}

/** Reads the symbol map: which byte values the block uses, in order. */
function readSymbolMap(bits: BitReader): Uint8Array {
  const used: number[] = [];
  const groups = bits.bits(16);
  for (let i = 0; i < 16; i++) {
    if ((groups & (0x8000 >> i)) === 0) continue;
    const members = bits.bits(16);
    for (let j = 0; j < 16; j++) if ((members & (0x8000 >> j)) !== 0) used.push(i * 16 + j);
  }
  if (used.length === 0) fail("a block uses no byte values");
  return Uint8Array.from(used);
}

/** Reads the selectors (which table codes each group of 50 symbols), move-to-front coded. */
function readSelectors(bits: BitReader, tableCount: number): Uint8Array {
  const count = bits.bits(15);
  if (count === 0) fail("a block has no selectors");
  const order = Uint8Array.from({ length: tableCount }, (_, i) => i);
  const selectors = new Uint8Array(Math.min(count, MAX_SELECTORS));
  for (let i = 0; i < count; i++) {
    let j = 0;
    while (bits.bits(1) === 1) if (++j >= tableCount) fail("invalid selector");
    const table = order[j]!;
    order.copyWithin(1, 0, j);
    order[0] = table;
    selectors[i] = table;
  }
  return selectors;
}

/** Reads the code lengths of one table (delta coded). */
function readTable(bits: BitReader, alphaSize: number): HuffmanTable {
  const lengths = new Uint8Array(alphaSize);
  let len = bits.bits(5);
  for (let s = 0; s < alphaSize; s++) {
    for (;;) {
      if (len < 1 || len > MAX_CODE_LENGTH) fail("invalid Huffman code length");
      if (bits.bits(1) === 0) break;
      len += bits.bits(1) === 0 ? 1 : -1;
    }
    lengths[s] = len;
  }
  return huffmanTable(lengths, alphaSize);
}

/**
 * Reads one block after its magic: CRC, tables, symbols; undoes move-to-front and the
 * zero-run coding, and builds the inverse Burrows–Wheeler vector in `tt`.
 *
 * @param bits The input, just after the block magic.
 * @param tt Room for the block (100,000 × the stream's block size entries).
 * @returns The block.
 * @throws {NeedInput} when the input ends inside the block.
 * @throws {Bzip2FormatError} when the block is not valid bzip2.
 */
export function readBlock(bits: BitReader, tt: Uint32Array): Bzip2Block {
  const crc = ((bits.bits(16) << 16) | bits.bits(16)) >>> 0;
  if (bits.bits(1) !== 0) fail("randomised blocks (bzip2 0.9.0) are not supported");
  const origin = bits.bits(24);
  const byteOf = readSymbolMap(bits);
  const alphaSize = byteOf.length + 2;
  const tableCount = bits.bits(3);
  if (tableCount < 2 || tableCount > MAX_GROUPS) fail("invalid number of Huffman tables");
  const selectors = readSelectors(bits, tableCount);
  const tables = Array.from({ length: tableCount }, () => readTable(bits, alphaSize));

  const endOfBlock = alphaSize - 1;
  const mtf = Uint8Array.from({ length: byteOf.length }, (_, i) => i);
  const counts = new Int32Array(256);
  let length = 0;
  let run = 0;
  let runWeight = 1;
  let group = 0;
  let left = 0;
  let table = tables[0]!;
  for (;;) {
    if (left-- === 0) {
      if (group >= selectors.length) fail("more symbols than selectors");
      table = tables[selectors[group++]!]!;
      left = GROUP_SIZE - 1;
    }
    const symbol = decodeSymbol(bits, table);
    if (symbol === RUNA || symbol === RUNB) {
      run += runWeight << symbol;
      runWeight <<= 1;
      if (run > tt.length) fail("a block is larger than its stream's block size");
      continue;
    }
    if (run > 0) {
      if (length + run > tt.length) fail("a block is larger than its stream's block size");
      const byte = byteOf[mtf[0]!]!;
      counts[byte]! += run;
      tt.fill(byte, length, length + run);
      length += run;
      run = 0;
      runWeight = 1;
    }
    if (symbol === endOfBlock) break;
    if (length >= tt.length) fail("a block is larger than its stream's block size");
    const index = symbol - 1;
    const value = mtf[index]!;
    for (let k = index; k > 0; k--) mtf[k] = mtf[k - 1]!;
    mtf[0] = value;
    const byte = byteOf[value]!;
    counts[byte]!++;
    tt[length++] = byte;
  }
  if (origin >= length) fail("the block's start pointer is outside the block");
  let sum = 0;
  for (let b = 0; b < 256; b++) {
    const n = counts[b]!;
    counts[b] = sum;
    sum += n;
  }
  for (let i = 0; i < length; i++) {
    const byte = tt[i]! & 0xff;
    tt[counts[byte]!]! |= i << 8;
    counts[byte]!++;
  }
  return { crc, tt, start: tt[origin]! >>> 8, length };
}
