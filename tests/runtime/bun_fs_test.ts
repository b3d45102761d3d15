/**
 * `bunFs` (the file system of the compiled binary) answers as `nodeFs` does: the same bytes, the
 * same descriptions of files, the same typed errors, and a FIFO refused without waiting, for
 * files read synchronously (up to 256 KiB) and for larger ones passed on to `nodeFs`. Its
 * `node:fs` calls run under Deno too; tests/cli/cert/compiled_binary_test.ts runs it in Bun.
 */
import { bunFs, nodeFs } from "../../lib/runtime/mod.ts";
import { assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { withTempDir } from "../_helpers/e2e.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  return withTempDir("ocisign-bunfs-", fn);
}

/** `n` bytes that differ from offset to offset. */
function pattern(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + (i >> 8)) & 0xff);
}

Deno.test("bunFs has every member nodeFs has (a member added to nodeFs is passed on)", () => {
  const missing = Object.keys(nodeFs).filter((k) => typeof (bunFs as never)[k] !== "function");
  assertEquals(missing, []);
});

Deno.test("bunFs reads small and large files, whole and by range, as nodeFs does", async () => {
  await withTemp(async (dir) => {
    for (const size of [0, 1, 1000, 256 * 1024, 256 * 1024 + 1, 700_000]) {
      const data = pattern(size);
      const path = `${dir}/f${size}`;
      await bunFs.writeFileAtomic(path, data);
      assertEquals(await bunFs.readFile(path), data);
      const h = await bunFs.open(path);
      assertEquals(h.size, size);
      assertEquals(await h.read(3, 100), data.slice(3, 103));
      assertEquals(await h.read(size - 2, 10), data.slice(Math.max(0, size - 2)));
      assertEquals(
        new Uint8Array(await new Response(h.stream(5, 1000)).arrayBuffer()),
        data.slice(5, 1005),
      );
      assertEquals(new Uint8Array(await new Response(h.stream()).arrayBuffer()), data);
      await h.close();
      assertEquals(await bunFs.readFile(path, { maxBytes: size }), data);
      if (size > 0) {
        await assertRejectsCode(
          () => bunFs.readFile(path, { maxBytes: size - 1 }),
          "ERR_SIZE_EXCEEDED",
        );
      }
    }
  });
});

Deno.test("bunFs describes and lists files as nodeFs does", async () => {
  await withTemp(async (dir) => {
    await bunFs.writeFileAtomic(`${dir}/a`, enc.encode("a"), { mode: 0o600 });
    await bunFs.mkdir(`${dir}/d`);
    await Deno.symlink(`${dir}/a`, `${dir}/link`);
    for (const name of ["a", "d", "link", "missing", "a/below-a-file"]) {
      assertEquals(await bunFs.stat(`${dir}/${name}`), await nodeFs.stat(`${dir}/${name}`));
    }
    assertEquals((await bunFs.stat(`${dir}/link`))?.isSymlink, true);
    assertEquals(await bunFs.stat(`${dir}/missing`), undefined);
    const sorted = (l: { name: string }[]) => l.sort((x, y) => x.name.localeCompare(y.name));
    assertEquals(sorted(await bunFs.readDir(dir)), sorted(await nodeFs.readDir(dir)));
    assertEquals(dec.decode(await bunFs.readFile(`${dir}/link`)), "a");
  });
});

Deno.test("bunFs gives nodeFs's typed errors and refuses a FIFO, a device and a directory", async () => {
  await withTemp(async (dir) => {
    await assertRejectsCode(() => bunFs.readFile(`${dir}/nope`), "ERR_NOT_FOUND");
    await assertRejectsCode(() => bunFs.open(`${dir}/nope`), "ERR_NOT_FOUND");
    await assertRejectsCode(() => bunFs.readDir(`${dir}/nope`), "ERR_NOT_FOUND");
    const fifo = new Deno.Command("mkfifo", { args: [`${dir}/fifo`] }).outputSync();
    assertEquals(fifo.success, true);
    // Opened non-blocking, so the synchronous open cannot wait for a writer.
    await assertRejectsCode(() => bunFs.readFile(`${dir}/fifo`), "ERR_INVALID_INPUT", "FIFO");
    await assertRejectsCode(() => bunFs.open(`${dir}/fifo`), "ERR_INVALID_INPUT", "FIFO");
    await assertRejectsCode(() => bunFs.readFile("/dev/null"), "ERR_INVALID_INPUT", "device");
    await assertRejectsCode(() => bunFs.readFile(dir), "ERR_INVALID_INPUT", "directory");
  });
});
