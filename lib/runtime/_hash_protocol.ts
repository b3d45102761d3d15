/**
 * Private: the messages between {@linkcode workerHasherFactory} and its worker threads.
 *
 * @module
 */
import type { DigestAlgorithm } from "../digest/digest.ts";

/** From the main thread to a hash worker. */
export type HashRequest =
  | { op: "open"; id: number; algorithm: DigestAlgorithm }
  | { op: "update"; id: number; buffer: ArrayBuffer; length: number }
  | { op: "digest"; id: number }
  | { op: "abort"; id: number }
  | { op: "scan"; id: number; algorithm: DigestAlgorithm; path: string; maxBytes: number }
  | { op: "settled"; id: number };

/** From a hash worker to the main thread. */
export type HashReply =
  | { op: "buffer"; id: number; buffer: ArrayBuffer }
  | { op: "digest"; id: number; hex: string }
  | { op: "read"; id: number; bytes: number }
  | { op: "scanned"; id: number; hex: string; size: number; error?: string; code?: string };
