import { assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { ContentSpool } from "../../lib/image_builder/content_spool.ts";
import type { ContentSource } from "../../lib/image_builder/file_tree.ts";
import { captureTar, openTarEntry } from "../../lib/image_builder/tar_contents.ts";
import { readTar } from "../../lib/tar/mod.ts";
import { writeTar } from "../../lib/tar/mod.ts";
import type { TarWriterEntry } from "../../lib/tar/mod.ts";
import { nodeFs, withTempDir } from "./_helpers.ts";

function bytes(size: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed * 7 + (i >> 9)) & 0xff;
  return out;
}

const FILES: Array<[string, Uint8Array<ArrayBuffer>]> = [
  ["a.bin", bytes(100 * 1024 + 1, 1)],
  ["b.txt", bytes(10, 2)],
  ["empty", new Uint8Array(0)],
  ["a.bin", bytes(70 * 1024, 3)],
];

async function tarBytes(): Promise<Uint8Array<ArrayBuffer>> {
  const entries: TarWriterEntry[] = [
    { path: "dir", type: "directory", mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0 },
    {
      path: "link",
      type: "symlink",
      mode: 0o777,
      uid: 0,
      gid: 0,
      size: 0,
      mtime: 0,
      linkname: "b",
    },
    ...FILES.map(([path, data]): TarWriterEntry => ({
      path,
      type: "file",
      mode: 0o644,
      uid: 0,
      gid: 0,
      size: data.length,
      mtime: 0,
      open: () => Promise.resolve(new Blob([data]).stream()),
    })),
  ];
  const parts: Uint8Array<ArrayBuffer>[] = [];
  for await (const chunk of writeTar(entries)) parts.push(chunk);
  return new Uint8Array(await new Blob(parts).arrayBuffer());
}

async function read(source: ContentSource): Promise<Uint8Array> {
  if (source.kind === "bytes") return source.bytes;
  if (source.kind !== "stream") throw new Error("unexpected layer content");
  return new Uint8Array(await new Response(await source.open()).arrayBuffer());
}

Deno.test("readTar() hands contents over as streams and skips what is not read", async () => {
  const tar = await tarBytes();
  const seen: Array<[string, number]> = [];
  const stream = new Blob([tar]).stream();
  for await (const { header, body } of readTar(stream, { stream: () => true })) {
    if (body === undefined) continue;
    if (header.path === "b.txt") {
      seen.push([header.path, (await new Response(body).arrayBuffer()).byteLength]);
    } else {
      const reader = body.getReader();
      seen.push([
        header.path,
        ((await reader.read()).value ?? new Uint8Array(0)).length > 0 ? 1 : 0,
      ]);
      reader.releaseLock();
    }
  }
  assertEquals(seen, [["a.bin", 1], ["b.txt", 10], ["a.bin", 1]]);
  const truncated = new Blob([tar.subarray(0, 3 * 512 + 4096)]).stream();
  await assertRejectsCode(
    async () => {
      for await (const { body } of readTar(truncated, { stream: () => true })) {
        if (body !== undefined) await new Response(body).arrayBuffer();
      }
    },
    "ERR_INVALID_INPUT",
    "truncated",
  );
});

Deno.test("captureTar() keeps contents in memory, in a spool file or to be read again, alike", async () => {
  const tar = await tarBytes();
  await withTempDir(async (dir) => {
    const spools = {
      memory: new ContentSpool(),
      disk: new ContentSpool({ spool: { fs: nodeFs, dir } }),
      reread: new ContentSpool({ memoryBytes: 0 }),
    };
    for (const [name, spool] of Object.entries(spools)) {
      const open = (): Promise<ReadableStream<Uint8Array>> =>
        Promise.resolve(new Blob([tar]).stream());
      const contents = await captureTar(await open(), spool, {
        visit: (header) => header.type === "file",
        reopen: open,
      });
      assertEquals([...contents.keys()], [2, 3, 4, 5], name);
      for (const [ordinal, source] of contents) {
        assertEquals(await read(source), FILES[ordinal - 2]![1], `${name} entry ${ordinal}`);
      }
      if (name === "disk") assertEquals([...Deno.readDirSync(dir)].length, 1, "one spool file");
      await spool.dispose();
    }
    assertEquals([...Deno.readDirSync(dir)], [], "dispose() removes the spool file");
  });
});

Deno.test("captureTar() fails on a truncated tar and leaves no spool file", async () => {
  const tar = await tarBytes();
  await withTempDir(async (dir) => {
    const spool = new ContentSpool({ spool: { fs: nodeFs, dir } });
    const open = (): Promise<ReadableStream<Uint8Array>> =>
      Promise.resolve(new Blob([tar.subarray(0, 3 * 512 + 50 * 1024)]).stream());
    await assertRejectsCode(
      async () => captureTar(await open(), spool, { visit: () => true, reopen: open }),
      "ERR_INVALID_INPUT",
      "truncated",
    );
    await spool.dispose();
    assertEquals([...Deno.readDirSync(dir)], []);
    await assertRejectsCode(
      () => openTarEntry(new Blob([tar]).stream(), 0),
      "ERR_BUILD",
      "changed",
    );
  });
});
