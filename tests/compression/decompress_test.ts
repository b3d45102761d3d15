import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { decompressStream, detectCompression } from "../../lib/compression/decompress.ts";
import type { CompressionFormat } from "../../lib/compression/decompress.ts";
import { havePeer, withTempDir } from "../image_builder/_helpers.ts";
import { compress, sha256, sharedPacked, sharedTar, TOOLS } from "./_decompress_fixture.ts";

async function decompressFile(path: string): Promise<Uint8Array> {
  const bytes = await Deno.readFile(path);
  const format = detectCompression(bytes.subarray(0, 6));
  assert(format !== undefined, `${path} not recognised`);
  const file = await Deno.open(path);
  return new Uint8Array(await new Response(decompressStream(file.readable, format)).arrayBuffer());
}

Deno.test("detectCompression() recognises the magic bytes Docker recognises", () => {
  const cases: Array<[number[], CompressionFormat | undefined]> = [
    [[0x1f, 0x8b, 0x08, 0, 0, 0], "gzip"],
    [[0x42, 0x5a, 0x68, 0x39, 0x31, 0x41], "bzip2"],
    [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], "xz"],
    [[0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x58], "zstd"],
    [[0x50, 0x2a, 0x4d, 0x18, 0x04, 0x00], "zstd"],
    [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x01], undefined],
    [[0x75, 0x73, 0x74, 0x61, 0x72, 0x00], undefined],
    [[0x1f], undefined],
  ];
  for (const [head, format] of cases) assertEquals(detectCompression(new Uint8Array(head)), format);
});

for (const [format, tool] of TOOLS) {
  Deno.test({
    name: `decompressStream() reads ${format} made by the ${tool} tool, single and multi-stream`,
    ignore: !havePeer("tar") || !havePeer(tool),
  }, async () => {
    await withTempDir(async (dir) => {
      const tar = await sharedTar();
      const expected = await sha256(tar);
      const packed = await sharedPacked(format);
      await Deno.writeFile(`${dir}/a.c`, packed);
      const out = await decompressFile(`${dir}/a.c`);
      assertEquals(out.length, tar.length);
      assertEquals(await sha256(out), expected);
      const twice = new Uint8Array(packed.length * 2);
      twice.set(packed);
      twice.set(packed, packed.length);
      await Deno.writeFile(`${dir}/twice.c`, twice);
      const both = await decompressFile(`${dir}/twice.c`);
      assertEquals(both.length, out.length * 2);
      assertEquals(await sha256(both.subarray(out.length)), expected);
    });
  });

  Deno.test({
    name: `decompressStream() fails with ERR_INVALID_INPUT on truncated ${format}`,
    ignore: !havePeer("tar") || !havePeer(tool),
  }, async () => {
    const packed = await sharedPacked(format);
    for (const keep of [100, Math.floor(packed.length / 2), packed.length - 20]) {
      await assertRejectsCode(
        () =>
          new Response(decompressStream(new Blob([packed.subarray(0, keep)]).stream(), format))
            .arrayBuffer(),
        "ERR_INVALID_INPUT",
        `Cannot decompress ${format} data`,
      );
    }
  });
}

Deno.test({
  name: "decompressStream() detects corrupt bzip2, xz and zstd data by their checksums",
  ignore: !havePeer("tar") || !TOOLS.every(([, tool]) => havePeer(tool)),
}, async () => {
  for (const [format] of TOOLS) {
    const packed = (await sharedPacked(format)).slice();
    // A byte inside the random file's data: only a checksum can tell it changed.
    packed[Math.floor(packed.length / 3)]! ^= 0x55;
    await assertRejectsCode(
      () => new Response(decompressStream(new Blob([packed]).stream(), format)).arrayBuffer(),
      "ERR_INVALID_INPUT",
    );
  }
});

Deno.test({
  name:
    "decompressStream() reads zstd frames without a checksum, with a long window or many threads",
  ignore: !havePeer("tar") || !havePeer("zstd"),
}, async () => {
  await withTempDir(async (dir) => {
    const tar = `${dir}/a.tar`;
    await Deno.writeFile(tar, await sharedTar());
    const expected = await sha256(await sharedTar());
    for (const args of [["--no-check"], ["--long=27"], ["-T2", "-1"]]) {
      compress("zstd", ["-q", "-c", ...args], tar, `${dir}/a.zst`);
      assertEquals(await sha256(await decompressFile(`${dir}/a.zst`)), expected, args.join(" "));
    }
  });
});

Deno.test({
  name: "decompressStream() skips a zstd skippable frame before the data",
  ignore: !havePeer("tar") || !havePeer("zstd"),
}, async () => {
  const packed = await sharedPacked("zstd");
  const skippable = new Uint8Array([0x5e, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
  const both = new Uint8Array(skippable.length + packed.length);
  both.set(skippable);
  both.set(packed, skippable.length);
  assertEquals(detectCompression(both.subarray(0, 6)), "zstd");
  const out = await new Response(decompressStream(new Blob([both]).stream(), "zstd"))
    .arrayBuffer();
  assertEquals(await sha256(new Uint8Array(out)), await sha256(await sharedTar()));
});
