/**
 * A FIFO (or other special file) where a regular file is expected is refused at once, never
 * waited on: `index.json`, `oci-layout`, a layout tar, a policy, a key or certificate file.
 */
import { constants } from "node:fs";
import * as fsp from "node:fs/promises";
import { nodeFs } from "../../lib/runtime/mod.ts";
import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { cliSandbox } from "../_helpers/cli.ts";
import { ok } from "../cli/commands/_fixture.ts";

function mkfifo(path: string): void {
  const r = new Deno.Command("mkfifo", { args: [path] }).outputSync();
  if (!r.success) throw new Error(`mkfifo ${path} failed`);
}

/**
 * Runs `fn`; should it still wait on the FIFO after 10 s (the bug), a writer is opened to
 * release the blocked reader and the test fails instead of hanging.
 */
async function bounded<T>(fifo: string, fn: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const released = new Promise<never>((_, reject) => {
    timer = setTimeout(async () => {
      const w = await fsp.open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).catch(() => null);
      await w?.close();
      reject(new Error(`still blocked on the FIFO ${fifo} after 10 s`));
    }, 10_000);
  });
  try {
    return await Promise.race([fn(), released]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("nodeFs.readFile() and open() refuse a FIFO without waiting for a writer", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-fifo-" });
  try {
    mkfifo(`${dir}/f`);
    await bounded(
      `${dir}/f`,
      () => assertRejectsCode(() => nodeFs.readFile(`${dir}/f`), "ERR_INVALID_INPUT", "FIFO"),
    );
    await bounded(
      `${dir}/f`,
      () =>
        assertRejectsCode(() => nodeFs.open(`${dir}/f`), "ERR_INVALID_INPUT", "not a regular file"),
    );
    await assertRejectsCode(() => nodeFs.readFile("/dev/null"), "ERR_INVALID_INPUT");
    await assertRejectsCode(() => nodeFs.readFile(dir), "ERR_INVALID_INPUT", "directory");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ocisign refuses a FIFO as index.json, oci-layout, layout tar or policy (exit 8)", async () => {
  const sb = await cliSandbox();
  try {
    await Deno.mkdir(`${sb.cwd}/ctx`);
    await Deno.writeTextFile(`${sb.cwd}/ctx/Dockerfile`, "FROM scratch\nCOPY a /\n");
    await Deno.writeTextFile(`${sb.cwd}/ctx/a`, "a\n");
    ok(await sb.run("build", "-t", "app:v1", "-o", "./idx", "./ctx"));
    ok(await sb.run("build", "-t", "app:v1", "-o", "./hdr", "./ctx"));
    await Deno.remove(`${sb.cwd}/idx/index.json`);
    mkfifo(`${sb.cwd}/idx/index.json`);
    await Deno.remove(`${sb.cwd}/hdr/oci-layout`);
    mkfifo(`${sb.cwd}/hdr/oci-layout`);
    mkfifo(`${sb.cwd}/app.tar`);
    mkfifo(`${sb.cwd}/policy.json`);
    const cases: [string, string[]][] = [
      ["idx/index.json", ["list", "--oci-layout", "./idx:v1"]],
      ["hdr/oci-layout", ["list", "--oci-layout", "./hdr:v1"]],
      ["app.tar", ["list", "--oci-layout", "./app.tar:v1"]],
      ["policy.json", ["policy", "import", "./policy.json"]],
    ];
    for (const [fifo, argv] of cases) {
      const r = await bounded(`${sb.cwd}/${fifo}`, () => sb.run(...argv));
      assertEquals(r.code, 8, `${argv.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /not a regular file/);
    }
  } finally {
    await sb.close();
  }
});

Deno.test("nodeFs.serverStream() passes over a FIFO without waiting for a writer", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-fifo-" });
  try {
    mkfifo(`${dir}/f`);
    assertEquals(await bounded(`${dir}/f`, () => nodeFs.serverStream!(`${dir}/f`, 0)), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
