/**
 * A layer large enough to be deflated in a worker (over 4 MiB) has the same digest from
 * `deno run cli.ts`, from Bun running the sources (which cannot load the worker's npm import and
 * deflates on its own thread), and from the compiled binary (which carries the worker entry).
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { BUN_PRELOAD, bunCompileArgs } from "../_helpers/bun.ts";
import { havePeer, run, withTempDir } from "./_helpers.ts";

const CLI = new URL("../../cli.ts", import.meta.url).pathname;

function digestOf(out: string): string {
  const m = /Digest: (sha256:[0-9a-f]{64})/.exec(out);
  assert(m !== null, out);
  return m[1]!;
}

Deno.test({
  name: "a worker-deflated layer has one digest under Deno, Bun and the compiled binary",
  ignore: !havePeer("bun"),
}, async () => {
  await withTempDir(async (tmp) => {
    await Deno.mkdir(`${tmp}/ctx/dir`, { recursive: true });
    let seed = 1;
    const big = new Uint8Array(6 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      big[i] = i % 4096 < 2048 ? 97 + (i % 7) : seed >>> 24;
    }
    await Deno.writeFile(`${tmp}/ctx/big.bin`, big);
    for (let i = 0; i < 50; i++) await Deno.writeTextFile(`${tmp}/ctx/dir/f${i}.txt`, `${i}\n`);
    await Deno.writeTextFile(`${tmp}/Dockerfile`, "FROM scratch\nCOPY . /data\n");
    const args = (out: string) => [
      "build",
      `${tmp}/ctx`,
      "-f",
      `${tmp}/Dockerfile`,
      "-t",
      "w:v1",
      "-o",
      `${tmp}/${out}`,
    ];
    const deno = run(Deno.execPath(), ["run", "-A", CLI, ...args("deno")]);
    assertEquals(deno.code, 0, deno.out);
    const bun = run("bun", ["run", ...BUN_PRELOAD, CLI, ...args("bun")]);
    assertEquals(bun.code, 0, bun.out);
    const compile = run("bun", bunCompileArgs(`${tmp}/ocisign`));
    assertEquals(compile.code, 0, compile.out);
    const binary = run(`${tmp}/ocisign`, args("binary"), tmp);
    assertEquals(binary.code, 0, binary.out);
    assertEquals(digestOf(bun.out), digestOf(deno.out));
    assertEquals(digestOf(binary.out), digestOf(deno.out));
  });
});
