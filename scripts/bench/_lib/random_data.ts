/**
 * Random test data (so compression cannot cheat): single large files and a build context of
 * many files spread over directories.
 *
 * @module
 */
import { createHash, randomFillSync } from "node:crypto";

const CHUNK = 4 * 1024 * 1024;

/**
 * Writes `size` random bytes to `path` and returns their SHA-256 in hex.
 *
 * @example
 * ```ts
 * const hex = await writeRandomFile("/tmp/x.bin", 1024);
 * ```
 */
export async function writeRandomFile(path: string, size: number): Promise<string> {
  const hash = createHash("sha256");
  const buf = new Uint8Array(CHUNK);
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    let left = size;
    while (left > 0) {
      const chunk = buf.subarray(0, Math.min(CHUNK, left));
      randomFillSync(chunk);
      hash.update(chunk);
      let off = 0;
      while (off < chunk.length) off += await file.write(chunk.subarray(off));
      left -= chunk.length;
    }
  } finally {
    file.close();
  }
  return hash.digest("hex");
}

/** What {@linkcode makeContext} made. */
export interface ContextInfo {
  files: number;
  bytes: number;
}

/**
 * Fills `dir` with `files` random files totalling about `totalBytes`, in 20 top directories of
 * 10 subdirectories each, with sizes spread between half and one and a half times the mean.
 *
 * @example
 * ```ts
 * const info = await makeContext("/tmp/ctx", 200, 10 * 1024 * 1024);
 * ```
 */
export async function makeContext(
  dir: string,
  files: number,
  totalBytes: number,
): Promise<ContextInfo> {
  const mean = totalBytes / files;
  let bytes = 0;
  for (let i = 0; i < files; i++) {
    const sub = `${dir}/d${String(i % 20).padStart(2, "0")}/s${(Math.floor(i / 20) % 10)}`;
    if (i < 200) await Deno.mkdir(sub, { recursive: true });
    const size = Math.floor(mean * (0.5 + ((i * 7919) % 1000) / 1000));
    const data = new Uint8Array(size);
    for (let off = 0; off < size; off += 65536) {
      randomFillSync(data.subarray(off, Math.min(size, off + 65536)));
    }
    await Deno.writeFile(`${sub}/f${String(i).padStart(5, "0")}.bin`, data);
    bytes += size;
  }
  return { files, bytes };
}
