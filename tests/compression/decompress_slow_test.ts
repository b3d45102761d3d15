/** decompressStream() under Deno, Bun and a compiled binary (compiles a binary: slow group). */
import { assertEquals } from "../_helpers/assert.ts";
import { BUN_PRELOAD, bunCompileArgs } from "../_helpers/bun.ts";
import { havePeer, run, withTempDir } from "../image_builder/_helpers.ts";
import { compress, makeTar, sha256, TOOLS } from "./_decompress_fixture.ts";

Deno.test({
  name: "decompressStream() gives the same bytes under Deno, Bun and a compiled binary",
  ignore: !havePeer("tar") || !havePeer("bun") || !TOOLS.every(([, tool]) => havePeer(tool)),
}, async () => {
  await withTempDir(async (dir) => {
    const tar = await makeTar(dir);
    const files: string[] = [];
    for (const [format, tool, args] of TOOLS) {
      compress(tool, args, tar, `${dir}/a.${format}`);
      files.push(`${dir}/a.${format}`);
    }
    await Deno.writeFile(`${dir}/cut.xz`, (await Deno.readFile(`${dir}/a.xz`)).subarray(0, 5000));
    files.push(`${dir}/cut.xz`);
    const expected = await sha256(await Deno.readFile(tar));
    const script = new URL("./_decompress_digest.ts", import.meta.url).pathname;
    const deno = run(Deno.execPath(), ["run", "-A", script, ...files]);
    assertEquals(deno.code, 0, deno.out);
    assertEquals(deno.out.trim().split("\n"), [
      `bzip2 ${expected}`,
      `xz ${expected}`,
      `zstd ${expected}`,
      "xz error ERR_INVALID_INPUT",
    ]);
    const bun = run("bun", ["run", ...BUN_PRELOAD, script, ...files]);
    assertEquals(bun.code, 0, bun.out);
    assertEquals(bun.out.trim(), deno.out.trim());
    const compiled = run("bun", bunCompileArgs(`${dir}/decompress-bin`, script));
    assertEquals(compiled.code, 0, compiled.out);
    const binary = run(`${dir}/decompress-bin`, files);
    assertEquals(binary.code, 0, binary.out);
    assertEquals(binary.out.trim(), deno.out.trim());
  });
});
