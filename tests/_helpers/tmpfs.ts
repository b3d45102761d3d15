/**
 * A small tmpfs for tests of full and read-only file systems (Linux, as root).
 *
 * @module
 */

/** Whether this process may mount a tmpfs (root on Linux, with the capability). */
export function canMountTmpfs(): boolean {
  if (Deno.build.os !== "linux" || Deno.uid() !== 0) return false;
  const dir = Deno.makeTempDirSync({ prefix: "ocisign-mount-probe-" });
  try {
    const mounted = new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir],
      stdout: "null",
      stderr: "null",
    }).outputSync().success;
    if (mounted) new Deno.Command("umount", { args: [dir] }).outputSync();
    return mounted;
  } catch {
    return false;
  } finally {
    Deno.removeSync(dir);
  }
}

/** Runs `mount` with `args`; throws with its stderr when it fails. */
export function mount(...args: string[]): void {
  const r = new Deno.Command("mount", { args, stderr: "piped" }).outputSync();
  if (!r.success) throw new Error(`mount ${args.join(" ")}: ${new TextDecoder().decode(r.stderr)}`);
}

/**
 * Unmounts `dir`. A file the code under test closes without awaiting it can keep the mount busy
 * for a moment on a loaded machine, so a busy mount is tried again for up to 10 s before the
 * failure is thrown.
 */
export async function umount(dir: string): Promise<void> {
  for (let tries = 0;; tries++) {
    const r = new Deno.Command("umount", { args: [dir], stderr: "piped" }).outputSync();
    if (r.success) return;
    const why = new TextDecoder().decode(r.stderr);
    if (!/busy/i.test(why) || tries >= 100) throw new Error(`umount ${dir}: ${why}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Fills the file system holding `dir` to the last byte (with `dir/filler`). */
export async function fill(dir: string): Promise<void> {
  const f = await Deno.open(`${dir}/filler`, { write: true, create: true });
  try {
    const chunk = new Uint8Array(4096);
    for (;;) await f.write(chunk);
  } catch (err) {
    if (!(err instanceof Error) || !/space/i.test(err.message)) throw err;
  } finally {
    f.close();
  }
}
