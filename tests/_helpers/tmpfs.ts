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

/** Unmounts `dir`. */
export function umount(dir: string): void {
  new Deno.Command("umount", { args: [dir] }).outputSync();
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
