/**
 * Private: the hashing thread's entry as a Web Worker (`new Worker(url, { type: "module" })`),
 * used under Deno, where starting it blocks the main thread for less than a `node:worker_threads`
 * Worker does. What it does is in `_hash_service.ts`.
 *
 * @module
 */
import type { HashReply, HashRequest } from "./_hash_protocol.ts";
import { answerHashRequest } from "./_hash_service.ts";

const scope = globalThis as unknown as {
  postMessage(msg: HashReply, transfer?: ArrayBuffer[]): void;
  onmessage: ((event: MessageEvent<HashRequest>) => void) | null;
};
const port = {
  postMessage: (msg: HashReply, transfer: ArrayBuffer[] = []) => scope.postMessage(msg, transfer),
};
scope.onmessage = (event) => answerHashRequest(port, event.data);
