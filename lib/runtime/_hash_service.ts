/**
 * Private: what the hashing thread behind {@linkcode offThreadHasher} does, whichever kind of
 * worker runs it (`_hash_worker.ts` under `node:worker_threads`, `_hash_web_worker.ts` as a Web
 * Worker). It keeps one `node:crypto` hash per open hasher id, hashes each buffer it is sent in the
 * order sent, and sends the buffer back for reuse (transferred, not copied).
 *
 * Messages in: `open` (id, algorithm), `update` (id, buffer, length), `digest` (id), `abort` (id),
 * `scan` (id, algorithm, path, maxBytes: follow and hash a growing file), `settled` (id: its
 * write ended).
 * Messages out: `buffer` (id, buffer) after each update, `digest` (id, hex), `read` (id, bytes:
 * a scan's progress, now and then), `scanned` (id, hex, size, or error and code).
 *
 * @module
 */
import { createHash, type Hash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import type { HashReply, HashRequest } from "./_hash_protocol.ts";
import { scanFile, type ScanHandle } from "./_scan_file.ts";

const hashes = new Map<number, Hash>();
/** Ends the `growing` promise of a scan whose writer has not settled yet. */
const settle = new Map<number, () => void>();

/** Ends scan `id`'s wait for its writer (it settled, or the scan ended). */
function settled(id: number): void {
  settle.get(id)?.();
  settle.delete(id);
}
/** Bytes read between two progress messages. */
const PROGRESS_BYTES = 8 * 1024 * 1024;
/** Thrown by a scan's chunk callback to stop reading a file longer than announced. */
const OVERLONG = Symbol("over-long");

/**
 * Opens `path` (the caller's own temporary file) for synchronous reads: a read blocks only this
 * hashing thread, where a `node:fs/promises` read would be a round trip to the runtime's file
 * thread pool per 1 MiB read (under Bun, up to 0.8 s less system time per GiB, and steadier).
 * Between two reads only microtasks run (other scans' reads among them): messages and timers wait
 * until every scan has caught up with its writer, which is soon, as it reads far faster than a
 * download writes.
 */
// deno-lint-ignore require-await
async function openForScan(path: string): Promise<ScanHandle> {
  const fd = openSync(path, "r");
  return {
    // deno-lint-ignore require-await
    read: async (buffer, offset, length, position) => ({
      bytesRead: readSync(fd, buffer, offset, length, position),
    }),
    // deno-lint-ignore require-await
    close: async () => closeSync(fd),
  };
}

/**
 * Follows the growing file at `path` with the same follower as `nodeFs.scanFile` (but synchronous
 * reads), hashing it, until its write settled and all is read, or more than `maxBytes` were read.
 */
async function scan(
  port: ReplyPort,
  id: number,
  algorithm: string,
  path: string,
  maxBytes: number,
) {
  const growing = new Promise<void>((resolve) => settle.set(id, resolve));
  const hash = createHash(algorithm);
  let size = 0;
  let told = 0;
  try {
    await scanFile(
      path,
      (chunk) => {
        size += chunk.length;
        if (size > maxBytes) throw OVERLONG;
        hash.update(chunk);
        if (size - told >= PROGRESS_BYTES) {
          told = size;
          port.postMessage({ op: "read", id, bytes: size });
        }
      },
      { growing },
      openForScan,
      (err) => err,
    );
    port.postMessage({ op: "scanned", id, hex: hash.digest("hex"), size });
  } catch (err) {
    if (err === OVERLONG) {
      port.postMessage({ op: "scanned", id, hex: "", size });
    } else {
      const e = err as { message?: string; code?: string };
      port.postMessage({
        op: "scanned",
        id,
        hex: "",
        size,
        error: String(e.message),
        code: e.code,
      });
    }
  } finally {
    settled(id);
  }
}

/** Where a hashing thread sends its replies: its parent. */
export interface ReplyPort {
  postMessage(msg: HashReply, transfer?: ArrayBuffer[]): void;
}

/**
 * Answers one request from the parent thread on `port`.
 *
 * @example
 * ```ts ignore
 * import { parentPort } from "node:worker_threads";
 * import { answerHashRequest } from "./_hash_service.ts";
 * parentPort!.on("message", (msg) => answerHashRequest(parentPort!, msg));
 * ```
 */
export function answerHashRequest(port: ReplyPort, msg: HashRequest): void {
  switch (msg.op) {
    case "open":
      hashes.set(msg.id, createHash(msg.algorithm));
      return;
    case "update":
      // An aborted hasher's late buffers are returned unhashed.
      hashes.get(msg.id)?.update(new Uint8Array(msg.buffer, 0, msg.length));
      port.postMessage({ op: "buffer", id: msg.id, buffer: msg.buffer }, [msg.buffer]);
      return;
    case "digest": {
      const hash = hashes.get(msg.id);
      hashes.delete(msg.id);
      port.postMessage({ op: "digest", id: msg.id, hex: hash?.digest("hex") ?? "" });
      return;
    }
    case "abort":
      hashes.delete(msg.id);
      return;
    case "scan":
      scan(port, msg.id, msg.algorithm, msg.path, msg.maxBytes);
      return;
    case "settled":
      settled(msg.id);
      return;
  }
}
