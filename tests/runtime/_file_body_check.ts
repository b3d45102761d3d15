/**
 * Child process of `file_body_test.ts`, run under Deno and Bun: asks `nodeFs.fileBody` for each
 * path the parent prepared in the directory given as argument, and prints one line per case:
 * `same` (a `Blob` with exactly the file's bytes), `other` (a `Blob` with other bytes) or `none`.
 */
import { readFile } from "node:fs/promises";
import process from "node:process";
import { nodeFs } from "../../lib/runtime/mod.ts";

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
  const blob = await nodeFs.fileBody!(path, size);
  if (blob === undefined) {
    console.log(`${name}: none`);
    continue;
  }
  const got = new Uint8Array(await blob.arrayBuffer());
  const same = got.length === bytes.length && got.every((b, i) => b === bytes[i]);
  console.log(`${name}: ${same ? "same" : "other"}`);
}
