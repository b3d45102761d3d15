/**
 * The worker side of {@linkcode gzipDeterministic}'s off-thread mode: one fflate Deflate stream
 * per worker, fed the same fixed-size chunks in the same order as on the main thread (so the
 * bytes are the same as the body of fflate's Gzip there; the calling thread adds the gzip header
 * and trailer, CRC-32 included), its output transferred back after each chunk.
 *
 * @module
 */
import { Deflate } from "npm:fflate@0.8.3";
import { GZIP_OPTIONS, type GzipReply, type GzipRequest } from "./_gzip_protocol.ts";

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<GzipRequest>) => void) | null;
  postMessage(message: GzipReply | "ready", transfer?: Transferable[]): void;
};

const out: Uint8Array<ArrayBuffer>[] = [];
const deflate = new Deflate(GZIP_OPTIONS, (data) => {
  // fflate may hand out a view of a larger buffer: only a whole buffer may be transferred.
  const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  out.push(whole ? data as Uint8Array<ArrayBuffer> : data.slice());
});

scope.onmessage = (event) => {
  const { chunks, final } = event.data;
  let reply: GzipReply;
  try {
    for (const chunk of chunks) deflate.push(chunk, false);
    if (final) deflate.push(new Uint8Array(0), true);
    reply = { parts: out.splice(0) };
  } catch (err) {
    reply = { parts: [], error: err instanceof Error ? err.message : String(err) };
  }
  scope.postMessage(reply, reply.parts.map((p) => p.buffer));
};
scope.postMessage("ready");
