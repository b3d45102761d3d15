/**
 * Private: {@linkcode Fs.hashGrowingFile} of `nodeFs`, `denoFs` and `bunFs`: a growing file
 * followed and hashed on the hashing thread ({@linkcode scanFileOffThread}), its read errors
 * mapped as the rest of the `Fs`'s. Synchronous in saying whether a thread takes it (undefined
 * when none can start), so the caller knows at once to scan on its own thread instead.
 *
 * @module
 */
import type { Fs } from "../content/fs.ts";
import { mapError } from "./_fs_errors.ts";
import { scanFileOffThread } from "./worker_hasher.ts";

/** Hashes the growing file at `path` on the hashing thread (see {@linkcode Fs.hashGrowingFile}). */
export const hashGrowingFile: NonNullable<Fs["hashGrowingFile"]> = (path, algorithm, opts) =>
  scanFileOffThread(path, algorithm, opts.growing, opts.maxBytes, opts.onRead)?.catch((err) => {
    throw mapError(err, "read", path);
  });
