import { spawnSync } from "node:child_process";
import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { toHex } from "../../lib/_internal/bytes.ts";
import { decompressStream, detectCompression } from "../../lib/compression/decompress.ts";
import type { CompressionFormat } from "../../lib/compression/decompress.ts";
import { havePeer, run, withTempDir } from "../image_builder/_helpers.ts";
import { BUN_PRELOAD, bunCompileArgs } from "../_helpers/bun.ts";

const TOOLS: Array<[CompressionFormat, string, string[]]> = [
  ["bzip2", "bzip2", ["-c"]],
  ["xz", "xz", ["-c", "-T1"]],
  ["zstd", "zstd", ["-q", "-c"]],
];

/** A real tar (made by `tar`) of random and repetitive data, about 3 MB. */
async function makeTar(dir: string): Promise<string> {
  const random = new Uint8Array(1_500_000);
  for (let i = 0; i < random.length; i += 65536) {
    crypto.getRandomValues(random.subarray(i, i + 65536));
  }
  await Deno.mkdir(`${dir}/in/sub`, { recursive: true });
  await Deno.writeFile(`${dir}/in/random.bin`, random);
  await Deno.writeTextFile(
    `${dir}/in/sub/text.txt`,
    Array.from({ length: 60000 }, (_, i) => `line ${i} ${"ab".repeat(i % 13)}`).join("\n"),
  );
  const tar = run("tar", ["-C", `${dir}/in`, "-cf", `${dir}/a.tar`, "."]);
  assertEquals(tar.code, 0, tar.out);
  return `${dir}/a.tar`;
}

function compress(tool: string, args: string[], input: string, output: string): void {
  const r = spawnSync("sh", ["-c", `"$0" "$@" < "${input}" > "${output}"`, tool, ...args]);
  assertEquals(r.status, 0, String(r.stderr));
}

async function decompressFile(path: string): Promise<Uint8Array> {
  const bytes = await Deno.readFile(path);
  const format = detectCompression(bytes.subarray(0, 6));
  assert(format !== undefined, `${path} not recognised`);
  const file = await Deno.open(path);
  return new Uint8Array(await new Response(decompressStream(file.readable, format)).arrayBuffer());
}

async function sha256(bytes: Uint8Array): Promise<string> {
  return toHex(
    new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)),
  );
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

for (const [format, tool, args] of TOOLS) {
  Deno.test({
    name: `decompressStream() reads ${format} made by the ${tool} tool, single and multi-stream`,
    ignore: !havePeer("tar") || !havePeer(tool),
  }, async () => {
    await withTempDir(async (dir) => {
      const tar = await makeTar(dir);
      const expected = await sha256(await Deno.readFile(tar));
      compress(tool, args, tar, `${dir}/a.c`);
      const out = await decompressFile(`${dir}/a.c`);
      assertEquals(out.length, (await Deno.stat(tar)).size);
      assertEquals(await sha256(out), expected);
      const packed = await Deno.readFile(`${dir}/a.c`);
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
    await withTempDir(async (dir) => {
      const tar = await makeTar(dir);
      compress(tool, args, tar, `${dir}/a.c`);
      const packed = await Deno.readFile(`${dir}/a.c`);
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
  });
}

Deno.test({
  name: "decompressStream() detects corrupt bzip2, xz and zstd data by their checksums",
  ignore: !havePeer("tar") || !TOOLS.every(([, tool]) => havePeer(tool)),
}, async () => {
  await withTempDir(async (dir) => {
    const tar = await makeTar(dir);
    for (const [format, tool, args] of TOOLS) {
      compress(tool, args, tar, `${dir}/a.c`);
      const packed = await Deno.readFile(`${dir}/a.c`);
      // A byte inside the random file's data: only a checksum can tell it changed.
      packed[Math.floor(packed.length / 3)]! ^= 0x55;
      await assertRejectsCode(
        () => new Response(decompressStream(new Blob([packed]).stream(), format)).arrayBuffer(),
        "ERR_INVALID_INPUT",
      );
    }
  });
});

Deno.test({
  name:
    "decompressStream() reads zstd frames without a checksum, with a long window or many threads",
  ignore: !havePeer("tar") || !havePeer("zstd"),
}, async () => {
  await withTempDir(async (dir) => {
    const tar = await makeTar(dir);
    const expected = await sha256(await Deno.readFile(tar));
    for (const args of [["--no-check"], ["--ultra", "-20", "--long=27"], ["-T2", "-1"]]) {
      compress("zstd", ["-q", "-c", ...args], tar, `${dir}/a.zst`);
      assertEquals(await sha256(await decompressFile(`${dir}/a.zst`)), expected, args.join(" "));
    }
  });
});

Deno.test({
  name: "decompressStream() gives the same bytes under Deno, Bun and a compiled binary",
  ignore: !havePeer("tar") || !havePeer("bun") || !TOOLS.every(([, tool]) => havePeer(tool)),
}, async () => {
  await withTempDir(async (dir) => {
    const tar = await makeTar(dir);
    const files: string[] = [];
    for (const [format, tool, args] of TOOLS) {
      compress(tool, args, tar, `${dir}/a.${format}`);
      files.push(`${dir}/a.${format}`);
    }
    await Deno.writeFile(`${dir}/cut.xz`, (await Deno.readFile(`${dir}/a.xz`)).subarray(0, 5000));
    files.push(`${dir}/cut.xz`);
    const expected = await sha256(await Deno.readFile(tar));
    const script = new URL("./_decompress_digest.ts", import.meta.url).pathname;
    const deno = run(Deno.execPath(), ["run", "-A", script, ...files]);
    assertEquals(deno.code, 0, deno.out);
    assertEquals(deno.out.trim().split("\n"), [
      `bzip2 ${expected}`,
      `xz ${expected}`,
      `zstd ${expected}`,
      "xz error ERR_INVALID_INPUT",
    ]);
    const bun = run("bun", ["run", ...BUN_PRELOAD, script, ...files]);
    assertEquals(bun.code, 0, bun.out);
    assertEquals(bun.out.trim(), deno.out.trim());
    const compiled = run("bun", bunCompileArgs(`${dir}/decompress-bin`, script));
    assertEquals(compiled.code, 0, compiled.out);
    const binary = run(`${dir}/decompress-bin`, files);
    assertEquals(binary.code, 0, binary.out);
    assertEquals(binary.out.trim(), deno.out.trim());
  });
});

Deno.test({
  name: "decompressStream() skips a zstd skippable frame before the data",
  ignore: !havePeer("tar") || !havePeer("zstd"),
}, async () => {
  await withTempDir(async (dir) => {
    const tar = await makeTar(dir);
    compress("zstd", ["-q", "-c"], tar, `${dir}/a.zst`);
    const packed = await Deno.readFile(`${dir}/a.zst`);
    const skippable = new Uint8Array([0x5e, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
    const both = new Uint8Array(skippable.length + packed.length);
    both.set(skippable);
    both.set(packed, skippable.length);
    assertEquals(detectCompression(both.subarray(0, 6)), "zstd");
    const out = await new Response(decompressStream(new Blob([both]).stream(), "zstd"))
      .arrayBuffer();
    assertEquals(await sha256(new Uint8Array(out)), await sha256(await Deno.readFile(tar)));
  });
});
