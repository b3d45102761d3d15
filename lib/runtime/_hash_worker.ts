/**
 * Private: the hashing thread's entry under `node:worker_threads` (Bun, the compiled binary, and
 * Node). What it does is in `_hash_service.ts`.
 *
 * @module
 */
import { parentPort } from "node:worker_threads";
import type { HashRequest } from "./_hash_protocol.ts";
import { answerHashRequest } from "./_hash_service.ts";

const port = parentPort!;
port.on("message", (msg: HashRequest) => answerHashRequest(port, msg));
