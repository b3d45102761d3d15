/**
 * Random test data (so compression cannot cheat): single large files and a build context of
 * many files spread over directories.
 *
 * @module
 */
import { createHash, randomFillSync } from "node:crypto";
import { gzipSync } from "node:zlib";

const CHUNK = 4 * 1024 * 1024;

/** What {@linkcode writeRandomFile} wrote. */
export interface RandomFile {
  /** SHA-256 of the file, hex. */
  sha256: string;
  /** File size in bytes. */
  bytes: number;
}

/**
 * Writes `size` random bytes to `path`, optionally as a gzip stream of stored (level 0) members
 * so that the file is valid gzip that no tool recompresses, and returns the file's SHA-256.
 *
 * @example
 * ```ts
 * const { sha256 } = await writeRandomFile("/tmp/x.bin", 1024);
 * ```
 */
export async function writeRandomFile(
  path: string,
  size: number,
  opts: { gzip?: boolean } = {},
): Promise<RandomFile> {
  const hash = createHash("sha256");
  const buf = new Uint8Array(CHUNK);
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  let bytes = 0;
  try {
    let left = size;
    while (left > 0) {
      const raw = buf.subarray(0, Math.min(CHUNK, left));
      randomFillSync(raw);
      const chunk = opts.gzip ? new Uint8Array(gzipSync(raw, { level: 0 })) : raw;
      hash.update(chunk);
      let off = 0;
      while (off < chunk.length) off += await file.write(chunk.subarray(off));
      bytes += chunk.length;
      left -= raw.length;
    }
  } finally {
    file.close();
  }
  return { sha256: hash.digest("hex"), bytes };
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
