import { digestBytes } from "../../lib/digest/digest_bytes.ts";
import { pureHasherFactory, verifyStream } from "../../lib/digest/mod.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { OcisignError } from "../../lib/errors.ts";

function chunked(...chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c): void {
      for (const ch of chunks) c.enqueue(enc.encode(ch));
      c.close();
    },
  });
}

async function readAll(
  s: ReadableStream<Uint8Array>,
): Promise<{ text: string; error?: OcisignError }> {
  const reader = s.getReader();
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text };
      text += new TextDecoder().decode(value);
    }
  } catch (err) {
    assert.ok(err instanceof OcisignError, String(err));
    return { text, error: err };
  }
}

Deno.test("verifyStream() passes matching content through", async () => {
  const digest = await digestBytes(new TextEncoder().encode("hello world"));
  const out = await readAll(
    verifyStream(chunked("hello", " ", "world"), { digest, size: 11 }, pureHasherFactory),
  );
  assertEquals(out, { text: "hello world" });
});

Deno.test("verifyStream() errors as soon as more bytes than the size arrive", async () => {
  const digest = await digestBytes(new TextEncoder().encode("hello"));
  const out = await readAll(
    verifyStream(chunked("hel", "lo!!", "more"), { digest, size: 5 }, pureHasherFactory),
  );
  assertEquals(out.error?.code, "ERR_SIZE_MISMATCH");
  assertEquals(out.text, "hel");
});

Deno.test("verifyStream() errors at the end on too few bytes", async () => {
  const digest = await digestBytes(new TextEncoder().encode("hello"));
  const out = await readAll(verifyStream(chunked("hel"), { digest, size: 5 }, pureHasherFactory));
  assertEquals(out.error?.code, "ERR_SIZE_MISMATCH");
});

Deno.test("verifyStream() errors at the end on a digest mismatch, never ending cleanly", async () => {
  const digest = await digestBytes(new TextEncoder().encode("hello"));
  const out = await readAll(verifyStream(chunked("hellO"), { digest, size: 5 }, pureHasherFactory));
  assertEquals(out.error?.code, "ERR_DIGEST_MISMATCH");
  assertEquals(out.text, "hellO");
});

Deno.test("verifyStream() refuses a malformed digest up front", () => {
  let code: string | undefined;
  try {
    verifyStream(chunked("x"), { digest: "md5:abc", size: 1 }, pureHasherFactory);
  } catch (err) {
    code = (err as OcisignError).code;
  }
  assertEquals(code, "ERR_INVALID_DIGEST");
});

Deno.test("verifyStream() fails closed and releases its source when the hashing thread fails", async () => {
  let cancelled: unknown;
  const source = new ReadableStream<Uint8Array>({
    pull(c): void {
      c.enqueue(new Uint8Array(64 * 1024));
    },
    cancel(reason): void {
      cancelled = reason;
    },
  });
  const died = new Error("the hashing thread stopped");
  const factory = Object.assign(pureHasherFactory.bind(null), {
    offThread: () => ({
      buffer: () => Promise.reject(died),
      update: () => {},
      digestHex: () => Promise.reject(died),
      abort: () => {},
    }),
  });
  const digest = `sha256:${"0".repeat(64)}`;
  const reader = verifyStream(source, { digest, size: 4 * 1024 * 1024 }, factory).getReader();
  let error: unknown;
  try {
    for (;;) if ((await reader.read()).done) break;
  } catch (err) {
    error = err;
  }
  assertEquals(error, died);
  assertEquals(cancelled, died);
});
