/** Real compressed files for the decompression tests: a tar made by `tar`, packed by the tools. */
import { spawnSync } from "node:child_process";
import { assertEquals } from "../_helpers/assert.ts";
import { toHex } from "../../lib/_internal/bytes.ts";
import type { CompressionFormat } from "../../lib/compression/decompress.ts";
import { run } from "../image_builder/_helpers.ts";

/** Each format with the tool and arguments that make it. */
export const TOOLS: Array<[CompressionFormat, string, string[]]> = [
  ["bzip2", "bzip2", ["-c"]],
  ["xz", "xz", ["-c", "-T1"]],
  ["zstd", "zstd", ["-q", "-c"]],
];

/** A real tar (made by `tar`) of random and repetitive data, about 1.5 MB: two bzip2 blocks. */
export async function makeTar(dir: string): Promise<string> {
  const random = new Uint8Array(1_000_000);
  for (let i = 0; i < random.length; i += 65536) {
    crypto.getRandomValues(random.subarray(i, i + 65536));
  }
  await Deno.mkdir(`${dir}/in/sub`, { recursive: true });
  await Deno.writeFile(`${dir}/in/random.bin`, random);
  await Deno.writeTextFile(
    `${dir}/in/sub/text.txt`,
    Array.from({ length: 20000 }, (_, i) => `line ${i} ${"ab".repeat(i % 13)}`).join("\n"),
  );
  const tar = run("tar", ["-C", `${dir}/in`, "-cf", `${dir}/a.tar`, "."]);
  assertEquals(tar.code, 0, tar.out);
  return `${dir}/a.tar`;
}

const tars: { bytes?: Promise<Uint8Array<ArrayBuffer>> } = {};
const packs = new Map<CompressionFormat, Promise<Uint8Array<ArrayBuffer>>>();

/** The bytes of one {@link makeTar} tar, made once per test module and shared by its tests. */
export function sharedTar(): Promise<Uint8Array<ArrayBuffer>> {
  tars.bytes ??= inTempDir(async (dir) => await Deno.readFile(await makeTar(dir)));
  return tars.bytes;
}

/**
 * {@link sharedTar} packed by the tool of `format` (as in {@link TOOLS}), packed once per test
 * module: the tools take seconds on the tar (xz over a second).
 */
export function sharedPacked(format: CompressionFormat): Promise<Uint8Array<ArrayBuffer>> {
  const [, tool, args] = TOOLS.find(([f]) => f === format)!;
  let packed = packs.get(format);
  if (packed === undefined) {
    packed = inTempDir(async (dir) => {
      await Deno.writeFile(`${dir}/a.tar`, await sharedTar());
      compress(tool, args, `${dir}/a.tar`, `${dir}/a.c`);
      return await Deno.readFile(`${dir}/a.c`);
    });
    packs.set(format, packed);
  }
  return packed;
}

async function inTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-decompress-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Packs `input` into `output` with `tool args`. */
export function compress(tool: string, args: string[], input: string, output: string): void {
  const r = spawnSync("sh", ["-c", `"$0" "$@" < "${input}" > "${output}"`, tool, ...args]);
  assertEquals(r.status, 0, String(r.stderr));
}

/** The SHA-256 of `bytes`, in hex. */
export async function sha256(bytes: Uint8Array): Promise<string> {
  return toHex(
    new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)),
  );
}
