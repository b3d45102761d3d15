import { checkRange, rangeOf } from "../../lib/content/range_stream.ts";
import { assertEquals, assertRejectsCode, assertThrowsCode } from "../_helpers/assert.ts";

const DIGEST = "sha256:" + "0".repeat(64);

function chunks(...parts: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return ReadableStream.from(parts.map((p) => enc.encode(p)));
}

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(stream).text();
}

Deno.test("rangeOf() cuts a range that spans chunks", async () => {
  assertEquals(
    await text(rangeOf(chunks("01", "234", "56789"), { offset: 1, length: 6 }, DIGEST)),
    "123456",
  );
  assertEquals(await text(rangeOf(chunks("01", "234"), { offset: 2, length: 3 }, DIGEST)), "234");
  assertEquals(await text(rangeOf(chunks("01", "234"), { offset: 5, length: 0 }, DIGEST)), "");
});

Deno.test("rangeOf() fails when the stream ends before the range does", async () => {
  await assertRejectsCode(
    () => text(rangeOf(chunks("01", "23"), { offset: 1, length: 5 }, DIGEST)),
    "ERR_SIZE_MISMATCH",
  );
});

Deno.test("rangeOf() with drain reads to the end, so an error after the range still fails", async () => {
  const failing = (): ReadableStream<Uint8Array> => {
    let sent = false;
    return new ReadableStream<Uint8Array>({
      pull(c): void {
        if (sent) c.error(new Error("tail is corrupt"));
        else c.enqueue(new TextEncoder().encode("0123"));
        sent = true;
      },
    });
  };
  assertEquals(await text(rangeOf(failing(), { offset: 0, length: 2 }, DIGEST)), "01");
  let message = "";
  await text(rangeOf(failing(), { offset: 0, length: 2 }, DIGEST, { drain: true })).catch((e) => {
    message = (e as Error).message;
  });
  assertEquals(message, "tail is corrupt");
});

Deno.test("checkRange() refuses ranges outside the content", () => {
  const desc = { mediaType: "text/plain", digest: DIGEST, size: 10 };
  checkRange(desc, { offset: 0, length: 10 });
  checkRange(desc, { offset: 10, length: 0 });
  for (
    const range of [{ offset: 9, length: 2 }, { offset: -1, length: 1 }, { offset: 0.5, length: 1 }]
  ) {
    assertThrowsCode(() => checkRange(desc, range), "ERR_INVALID_INPUT");
  }
});
