/**
 * Private: the thread behind {@linkcode workerHasherFactory}. It keeps one `node:crypto` hash per
 * open hasher id, hashes each buffer it is sent in the order sent, and sends the buffer back for
 * reuse (transferred, not copied).
 *
 * Messages in: `open` (id, algorithm), `update` (id, buffer, length), `digest` (id), `abort` (id).
 * Messages out: `buffer` (id, buffer) after each update, `digest` (id, hex).
 *
 * @module
 */
import { createHash, type Hash } from "node:crypto";
import { parentPort } from "node:worker_threads";
import type { HashRequest } from "./_hash_protocol.ts";

const hashes = new Map<number, Hash>();
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
  }
});
