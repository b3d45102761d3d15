/**
 * A full or read-only file system during `sign` gives a clear error with exit code 9, and the
 * layout (directory or tar) is left as it was: same files, same `index.json`, nothing beside it.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { ok, withSigningSandbox } from "../cli/commands/_fixture.ts";
import { listTree } from "./_image.ts";
import { canMountTmpfs, fill, mount, umount } from "../_helpers/tmpfs.ts";

async function snapshot(small: string): Promise<string[]> {
  return [
    ...(await listTree(small)),
    await Deno.readTextFile(`${small}/img/index.json`),
    String(
      await crypto.subtle.digest("SHA-256", await Deno.readFile(`${small}/app.tar`)).then(
        (h) => new Uint8Array(h).join(","),
      ),
    ),
  ];
}

Deno.test({
  name: "sign on a full or read-only file system fails with exit 9 and leaves the layout as it was",
  // Mounting a small tmpfs needs root on Linux; elsewhere this cannot run.
  ignore: !canMountTmpfs(),
  fn: async () => {
    await withSigningSandbox(async (sb) => {
      const small = `${sb.cwd}/small`;
      await Deno.mkdir(small);
      mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", small);
      try {
        ok(
          await sb.run("cp", "--from-oci-layout", "./img:v1", "--to-oci-layout", "./small/img:v1"),
        );
        ok(
          await sb.run(
            "cp",
            "--from-oci-layout",
            "./img:v1",
            "--to-oci-layout",
            "./small/app.tar:v1",
          ),
        );
        await fill(small);
        const before = await snapshot(small);
        for (const ref of ["./small/img:v1", "./small/app.tar:v1"]) {
          const r = await sb.run("sign", "--oci-layout", ref);
          assertEquals(r.code, 9, `${ref}: ${r.stderr}`);
          assert.match(r.stderr, /no space left on the device; free some space/);
          assertEquals(await snapshot(small), before);
        }
        mount("-o", "remount,ro", small);
        const ro = await sb.run("sign", "--oci-layout", "./small/img:v1");
        assertEquals(ro.code, 9, ro.stderr);
        assert.match(ro.stderr, /read-only/);
        mount("-o", "remount,rw", small);
        await Deno.remove(`${small}/filler`);
        ok(await sb.run("sign", "--oci-layout", "./small/img:v1"));
        ok(await sb.run("sign", "--oci-layout", "./small/app.tar:v1"));
      } finally {
        await umount(small);
      }
    });
  },
});

/** `setpriv` drops root's permission override, so root meets file modes as any user does. */
function hasSetpriv(): boolean {
  try {
    return new Deno.Command("setpriv", { args: ["--version"], stdout: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
}

const CLI = new URL("../../cli.ts", import.meta.url).pathname;
/** How to run a command under file modes: as it is, or as root without its override. */
const AS_USER = Deno.uid() === 0
  ? ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
  : [];

Deno.test({
  name: "sign where the user may not write fails with exit 9 and leaves the layout as it was",
  // Root ignores file modes unless it drops that capability, which needs setpriv.
  ignore: Deno.uid() === 0 && !hasSetpriv(),
  fn: async () => {
    await withSigningSandbox(async (sb) => {
      await Deno.mkdir(`${sb.cwd}/locked`);
      ok(await sb.run("cp", "--from-oci-layout", "./img:v1", "--to-oci-layout", "./locked/img:v1"));
      ok(
        await sb.run(
          "cp",
          "--from-oci-layout",
          "./img:v1",
          "--to-oci-layout",
          "./locked/app.tar:v1",
        ),
      );
      await Deno.chmod(`${sb.cwd}/locked/img`, 0o555);
      await Deno.chmod(`${sb.cwd}/locked`, 0o555);
      try {
        const before = await listTree(`${sb.cwd}/locked`);
        const tarBefore = await Deno.readFile(`${sb.cwd}/locked/app.tar`);
        for (const ref of ["./locked/img:v1", "./locked/app.tar:v1"]) {
          const run = [...AS_USER, Deno.execPath(), "run", "-A", CLI, "sign", "--oci-layout", ref];
          const r = await new Deno.Command(run[0]!, {
            args: run.slice(1),
            cwd: sb.cwd,
            env: { OCISIGN_CONFIG_DIR: sb.configDir },
            clearEnv: true,
          }).output();
          const stderr = new TextDecoder().decode(r.stderr);
          assertEquals(r.code, 9, `${ref}: ${stderr}`);
          assert.match(stderr, /permission denied; check the permissions/);
          assertEquals(await listTree(`${sb.cwd}/locked`), before);
          assertEquals(await Deno.readFile(`${sb.cwd}/locked/app.tar`), tarBefore);
        }
      } finally {
        await Deno.chmod(`${sb.cwd}/locked`, 0o755);
        await Deno.chmod(`${sb.cwd}/locked/img`, 0o755);
      }
    });
  },
});
