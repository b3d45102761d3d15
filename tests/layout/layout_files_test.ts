/**
 * What a write does to the files of a layout: a tar keeps its mode and owner, a symlinked tar is
 * signed at its target, a layout whose `blobs/sha256` leads outside it is refused.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { ok, withSigningSandbox } from "../cli/commands/_fixture.ts";
import { nodeFs } from "../../lib/runtime/mod.ts";
import { listTree } from "./_image.ts";

// Giving a file to another owner (to see that it is kept) needs root.
const isRoot = Deno.uid() === 0;

async function signatureCount(
  run: (...argv: string[]) => Promise<{ code: number; stdout: string; stderr: string }>,
  ref: string,
): Promise<number> {
  const r = ok(await run("list", "--oci-layout", ref, "-o", "json"));
  return JSON.stringify(JSON.parse(r.stdout)).match(/"sha256:[0-9a-f]{64}"/g)!.length - 1;
}

Deno.test({
  name: "sign on a layout tar keeps its mode and owner",
  ignore: !isRoot,
  fn: async () => {
    await withSigningSandbox(async (sb) => {
      ok(await sb.run("cp", "--from-oci-layout", "./img:v1", "--to-oci-layout", "./app.tar:v1"));
      const tar = `${sb.cwd}/app.tar`;
      await Deno.chmod(tar, 0o600);
      await Deno.chown(tar, 4321, 4322);
      ok(await sb.run("sign", "--oci-layout", "./app.tar:v1"));
      const st = await Deno.stat(tar);
      assertEquals(st.mode! & 0o7777, 0o600);
      assertEquals([st.uid, st.gid], [4321, 4322]);
      assertEquals(await signatureCount(sb.run, "./app.tar:v1"), 1);
    });
  },
});

Deno.test("sign on a symlinked layout tar signs the target and keeps the link", async () => {
  await withSigningSandbox(async (sb) => {
    await Deno.mkdir(`${sb.cwd}/store`);
    ok(
      await sb.run("cp", "--from-oci-layout", "./img:v1", "--to-oci-layout", "./store/app.tar:v1"),
    );
    await Deno.symlink("store/app.tar", `${sb.cwd}/link.tar`);
    ok(await sb.run("sign", "--oci-layout", "./link.tar:v1"));
    assert.ok((await Deno.lstat(`${sb.cwd}/link.tar`)).isSymlink);
    assertEquals(await Deno.readLink(`${sb.cwd}/link.tar`), "store/app.tar");
    assertEquals(await signatureCount(sb.run, "./store/app.tar:v1"), 1);
    // Nothing is left beside the link or the target.
    assertEquals(await listTree(`${sb.cwd}/store`), ["app.tar"]);
  });
});

Deno.test("a layout whose blobs/sha256 is a symlink to a directory outside is refused (exit 8)", async () => {
  await withSigningSandbox(async (sb) => {
    const outside = `${sb.dir}/outside`;
    await Deno.rename(`${sb.cwd}/img/blobs/sha256`, outside);
    await Deno.symlink(outside, `${sb.cwd}/img/blobs/sha256`);
    const before = await listTree(outside);
    const r = await sb.run("sign", "--oci-layout", "./img:v1");
    assertEquals(r.code, 8, r.stderr);
    assert.match(r.stderr, /blobs\/sha256 is a symbolic link/);
    assertEquals(await listTree(outside), before);
  });
});

Deno.test("nodeFs.writeFileAtomic() keeps its temporary file 0600 while it writes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-tmpmode-" });
  try {
    const seen: number[] = [];
    let step = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller): Promise<void> {
        if (step++ === 0) {
          controller.enqueue(new Uint8Array(2 * 1024 * 1024));
          return;
        }
        for await (const e of Deno.readDir(dir)) {
          if (e.name.startsWith(".tmp-")) seen.push((await Deno.stat(`${dir}/${e.name}`)).mode!);
        }
        controller.close();
      },
    });
    await nodeFs.writeFileAtomic(`${dir}/public`, body, { mode: 0o644 });
    assertEquals(seen.map((m) => m & 0o777), [0o600]);
    assertEquals((await Deno.stat(`${dir}/public`)).mode! & 0o777, 0o644);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sign on a layout directory keeps index.json's mode", async () => {
  await withSigningSandbox(async (sb) => {
    await Deno.chmod(`${sb.cwd}/img/index.json`, 0o640);
    ok(await sb.run("sign", "--oci-layout", "./img:v1"));
    assertEquals((await Deno.stat(`${sb.cwd}/img/index.json`)).mode! & 0o7777, 0o640);
    assertEquals(await signatureCount(sb.run, "./img:v1"), 1);
  });
});
