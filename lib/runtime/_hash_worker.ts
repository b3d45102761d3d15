/**
 * Private: the thread behind {@linkcode workerHasherFactory}. It keeps one `node:crypto` hash per
 * open hasher id, hashes each buffer it is sent in the order sent, and sends the buffer back for
 * reuse (transferred, not copied).
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
import { setImmediate } from "node:timers";
import { parentPort } from "node:worker_threads";
import type { HashRequest } from "./_hash_protocol.ts";

const hashes = new Map<number, Hash>();
/** Scans whose writer has not settled yet. */
const growing = new Set<number>();
/** Bytes read at once, and between two progress messages. */
const SCAN_BYTES = 1024 * 1024;
const PROGRESS_BYTES = 8 * 1024 * 1024;
/** How long a scan that caught up with the write waits before it reads again. */
const FOLLOW_MS = 5;
const pause = () => new Promise((resolve) => setTimeout(resolve, FOLLOW_MS));
/** Lets the other scans and hashers of this thread, and their messages, take a turn. */
const yieldTurn = () => new Promise((resolve) => setImmediate(resolve));

/** Follows the growing file at `path`, hashing it, until its write settled and all is read. */
async function scan(id: number, algorithm: string, path: string, maxBytes: number) {
  const hash = createHash(algorithm);
  let fd: number | undefined;
  let size = 0;
  try {
    for (;;) {
      const settled = !growing.has(id);
      try {
        fd = openSync(path, "r");
        break;
      } catch (err) {
        if (settled || (err as { code?: string }).code !== "ENOENT") throw err;
        await pause();
      }
    }
    const buffer = new Uint8Array(SCAN_BYTES);
    let told = 0;
    for (;;) {
      const settled = !growing.has(id);
      const n = readSync(fd, buffer, 0, SCAN_BYTES, size);
      if (n > 0) {
        size += n;
        if (size > maxBytes) break;
        hash.update(buffer.subarray(0, n));
        if (size - told >= PROGRESS_BYTES) {
          told = size;
          port.postMessage({ op: "read", id, bytes: size });
          await yieldTurn();
        }
      } else if (settled) break;
      else await pause();
    }
    port.postMessage({ op: "scanned", id, hex: size > maxBytes ? "" : hash.digest("hex"), size });
  } catch (err) {
    const e = err as { message?: string; code?: string };
    port.postMessage({ op: "scanned", id, hex: "", size, error: String(e.message), code: e.code });
  } finally {
    growing.delete(id);
    if (fd !== undefined) closeSync(fd);
  }
}
const port = parentPort!;

port.on("message", (msg: HashRequest) => {
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
      growing.add(msg.id);
      scan(msg.id, msg.algorithm, msg.path, msg.maxBytes);
      return;
    case "settled":
      growing.delete(msg.id);
      return;
  }
});
