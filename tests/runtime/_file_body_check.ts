/**
 * Child process of `file_body_test.ts`, run under Deno and Bun: asks the runtime's
 * `Fs.fileBody` for each path the parent prepared in the directory given as argument, and prints
 * one line per case: `same` (a `Blob` whose slices hold exactly the file's bytes), `other` (a
 * `Blob` with other bytes) or `none`.
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

for (const [name, path, size] of cases) {
  const blob = await fs.fileBody!(path, size);
  if (blob === undefined) {
    console.log(`${name}: none`);
    continue;
  }
  // The whole file twice (a request can be sent again), and a slice (as the upload sends).
  let ok = true;
  for (const [start, end] of [[0, size], [0, size], [10, 70_000]] as const) {
    const got = new Uint8Array(await blob.slice(start, end).arrayBuffer());
    const want = bytes.subarray(start, end);
    ok &&= got.length === want.length && got.every((b, i) => b === want[i]);
  }
  console.log(`${name}: ${ok ? "same" : "other"}`);
}
