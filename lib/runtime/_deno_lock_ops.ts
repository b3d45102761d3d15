/**
 * The lock file operations (see _lock_protocol.ts) over Deno's own API, so that a lock taken
 * under `deno run` loads no `node:` module.
 *
 * @module
 */
import type { LockOps } from "./_lock_protocol.ts";

/** {@linkcode LockOps} over `Deno`. */
export const denoLockOps: LockOps = {
  get pid(): number {
    return Deno.pid;
  },
  hostname: () => Deno.hostname(),
  async createNew(path, text) {
    using file = await Deno.open(path, { write: true, createNew: true, mode: 0o644 });
    const bytes = new TextEncoder().encode(text);
    for (let done = 0; done < bytes.length;) done += await file.write(bytes.subarray(done));
  },
  link: (existing, path) => Deno.link(existing, path),
  async remove(path) {
    await Deno.remove(path).catch((err) => {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    });
  },
  async read(path) {
    const [text, st] = await Promise.all([Deno.readTextFile(path), Deno.stat(path)]);
    return { text, mtimeMs: st.mtime?.getTime() ?? 0 };
  },
  touch(path) {
    const now = new Date();
    return Deno.utime(path, now, now);
  },
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    Deno.unrefTimer(timer);
    return () => clearInterval(timer);
  },
};
