import { spawnSync } from "node:child_process";
import { assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { bunzip2Stream } from "../../lib/compression/bzip2.ts";
import { havePeer, withTempDir } from "../image_builder/_helpers.ts";

/** Compresses `input` with the real bzip2 tool (through files: large pipes can stall). */
async function bzip2(input: Uint8Array, level: number): Promise<Uint8Array> {
  let packed = new Uint8Array(0);
  await withTempDir(async (dir) => {
    await Deno.writeFile(`${dir}/in`, input);
    const r = spawnSync("sh", ["-c", `bzip2 -${level} -c < "${dir}/in" > "${dir}/out"`]);
    assertEquals(r.status, 0, String(r.stderr));
    packed = await Deno.readFile(`${dir}/out`);
  });
  return packed;
}

/** Feeds `bytes` in chunks of `size` bytes. */
function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

async function bunzip2(bytes: Uint8Array, chunkSize: number): Promise<Uint8Array> {
  return new Uint8Array(await new Response(bunzip2Stream(chunked(bytes, chunkSize))).arrayBuffer());
}

/** Data with long runs of one byte (the format's first run-length stage) and some noise. */
function runs(): Uint8Array {
  const out = new Uint8Array(700_000);
  const noise = crypto.getRandomValues(new Uint8Array(4096));
  for (let i = 0, k = 0; i < out.length; i += 1000 + (noise[k % 4096]! * 37)) {
    out.fill(noise[k++ % 4096]!, i, i + 300 + noise[k % 4096]! * 5);
  }
  return out;
}

Deno.test({
  name: "bunzip2Stream() reads what the bzip2 tool makes at every block size, in any chunking",
  ignore: !havePeer("bzip2"),
}, async () => {
  const random = crypto.getRandomValues(new Uint8Array(65536));
  const mixed = new Uint8Array(450_000);
  for (let i = 0; i < mixed.length; i += random.length) {
    mixed.set(random.subarray(0, Math.min(random.length, mixed.length - i)), i);
  }
  const inputs: Array<[string, Uint8Array]> = [
    ["empty", new Uint8Array(0)],
    ["one byte", new Uint8Array([7])],
    ["runs", runs()],
    ["zeros", new Uint8Array(3_000_000)],
    ["mixed", mixed],
  ];
  for (const [name, input] of inputs) {
    for (const level of [1, 9]) {
      const packed = await bzip2(input, level);
      for (const chunkSize of [1 + (input.length % 13), 65536]) {
        if (chunkSize < 20 && packed.length > 50_000) continue;
        const out = await bunzip2(packed, chunkSize);
        assertEquals(out.length, input.length, `${name} -${level} in ${chunkSize}-byte chunks`);
        assertEquals(out, input, `${name} -${level} in ${chunkSize}-byte chunks`);
      }
    }
  }
});

Deno.test({
  name: "bunzip2Stream() refuses empty input, trailing garbage and a bad block header",
  ignore: !havePeer("bzip2"),
}, async () => {
  const packed = await bzip2(new TextEncoder().encode("hello hello hello\n"), 9);
  const garbage = new Uint8Array(packed.length + 4);
  garbage.set(packed);
  garbage.set([0x42, 0x5a, 0x68, 0x00], packed.length);
  const badBlock = packed.slice();
  badBlock[4] = 0x99;
  for (
    const [bytes, why] of [
      [new Uint8Array(0), "no data"],
      [garbage, "not a bzip2 stream header"],
      [badBlock, "bad block header"],
    ] as const
  ) {
    await assertRejectsCode(
      () => bunzip2(bytes, 4096),
      "ERR_INVALID_INPUT",
      `Cannot decompress bzip2 data: ${why}`,
    );
  }
});
