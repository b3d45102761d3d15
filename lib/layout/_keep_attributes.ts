/**
 * Write options that give a rewritten file the mode and owner it had.
 *
 * @module
 */
import type { FileInfo, WriteOptions } from "../content/fs.ts";
import type { Op } from "../content/storage.ts";

/** Options for rewriting the file `st` describes (a new file when `st` is undefined). */
export function keepAttributes(st: FileInfo | undefined, opts: Op): WriteOptions {
  return {
    ...(st ? { mode: st.mode } : {}),
    ...(st?.uid !== undefined && st.gid !== undefined
      ? { owner: { uid: st.uid, gid: st.gid } }
      : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  };
}
