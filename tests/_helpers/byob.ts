/**
 * Reads a byte stream to its end with a BYOB reader into one reused buffer of `chunk` bytes,
 * checking that no read returns more than the buffer holds; returns the bytes read.
 *
 * @module
 */
import { assert } from "./assert.ts";

/** Reads `stream` to the end through a BYOB reader with a `chunk`-byte buffer. */
export async function readAllByob(
  stream: ReadableStream<Uint8Array>,
  chunk = 64 * 1024,
): Promise<Uint8Array> {
  const reader = stream.getReader({ mode: "byob" });
  const parts: Uint8Array[] = [];
  let buffer = new ArrayBuffer(chunk);
  for (;;) {
    const { done, value } = await reader.read(new Uint8Array(buffer));
    if (done || value === undefined) break;
    assert.ok(value.byteLength <= chunk);
    parts.push(value.slice());
    buffer = value.buffer as ArrayBuffer;
  }
  return new Uint8Array(await new Blob(parts as Uint8Array<ArrayBuffer>[]).arrayBuffer());
}
