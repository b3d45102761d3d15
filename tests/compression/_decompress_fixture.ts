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

/** A real tar (made by `tar`) of random and repetitive data, about 3 MB. */
export async function makeTar(dir: string): Promise<string> {
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
