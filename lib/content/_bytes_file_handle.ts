/**
 * A {@linkcode FileHandle} over bytes already in memory: a snapshot of a file's content.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import type { FileHandle } from "./fs.ts";

/** A handle whose reads and streams serve `data`; `close` only refuses later reads. */
export function bytesFileHandle(data: Bytes): FileHandle {
  let closed = false;
  return {
    size: data.length,
    read(offset: number, length: number): Promise<Bytes> {
      if (closed) return Promise.reject(new TypeError("Cannot read: the file handle is closed"));
      return Promise.resolve(data.slice(offset, offset + Math.max(0, length)));
    },
    stream(offset = 0, length?: number): ReadableStream<Bytes> {
      const end = length === undefined ? data.length : Math.min(data.length, offset + length);
      const chunk = data.slice(offset, end);
      return new ReadableStream<Bytes>({
        start(controller): void {
          if (chunk.length > 0) controller.enqueue(chunk);
          controller.close();
        },
      });
    },
    close(): Promise<void> {
      closed = true;
      return Promise.resolve();
    },
  };
}
