/**
 * Child process of `file_body_test.ts`, run under Deno and Bun: asks the runtime's
 * `Fs.fileBody` for each path the parent prepared in the directory given as argument, and prints
 * one line per case: `none`, or what the bodies it opens hold (`same` when exactly the file's
 * bytes from an offset), with whether it sends any range (`ranges`) or tails only (`tail`).
 */
import { readFile } from "node:fs/promises";
import process from "node:process";
import { loadRuntimeFs } from "../../lib/runtime/mod.ts";

const fs = await loadRuntimeFs();
const dir = process.argv[2]!;
const bytes = new Uint8Array(await readFile(`${dir}/file`));
const cases: Array<[string, string, number]> = [
  ["file", `${dir}/file`, bytes.length],
  ["wrong size", `${dir}/file`, bytes.length + 1],
  ["directory", `${dir}/dir`, 0],
  ["fifo", `${dir}/fifo`, 0],
  ["missing", `${dir}/missing`, 0],
];

async function read(body: Blob | ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(body).arrayBuffer());
}

function same(got: Uint8Array, start: number, end: number): boolean {
  const want = bytes.subarray(start, end);
  return got.length === want.length && got.every((b, i) => b === want[i]);
}

for (const [name, path, size] of cases) {
  const body = await fs.fileBody!(path, size);
  if (body === undefined) {
    console.log(`${name}: none`);
    continue;
  }
  // The whole file twice (a body can be sent again), a tail, and a range where there are ranges.
  const parts = [[0, size], [0, size], [1000, size], ...(body.ranges ? [[10, 70_000]] : [])];
  let ok = true;
  for (const [start, end] of parts) {
    ok &&= same(await read(await body.open(start!, end!)), start!, end!);
  }
  console.log(`${name}: ${ok ? "same" : "other"} ${body.ranges ? "ranges" : "tail"}`);
}
