/**
 * The worker side of {@linkcode gzipDeterministic}'s off-thread mode: one fflate Gzip stream per
 * worker, fed the same fixed-size chunks in the same order as on the main thread (so the bytes
 * are the same), its output transferred back after each chunk.
 *
 * @module
 */
import { Gzip } from "npm:fflate@0.8.3";
import { GZIP_OPTIONS, type GzipReply, type GzipRequest } from "./_gzip_protocol.ts";

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<GzipRequest>) => void) | null;
  postMessage(message: GzipReply | "ready", transfer?: Transferable[]): void;
};

const out: Uint8Array<ArrayBuffer>[] = [];
const gzip = new Gzip(GZIP_OPTIONS, (data) => {
  // fflate may hand out a view of a larger buffer: only a whole buffer may be transferred.
  const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  out.push(whole ? data as Uint8Array<ArrayBuffer> : data.slice());
});

scope.onmessage = (event) => {
  const { chunks, final } = event.data;
  let reply: GzipReply;
  try {
    for (const chunk of chunks) gzip.push(chunk, false);
    if (final) gzip.push(new Uint8Array(0), true);
    reply = { parts: out.splice(0) };
  } catch (err) {
    reply = { parts: [], error: err instanceof Error ? err.message : String(err) };
  }
  scope.postMessage(reply, reply.parts.map((p) => p.buffer));
};
scope.postMessage("ready");
