/**
 * ADD of an archive whose entries go through a symlink the archive itself made (`l -> /abs`, then
 * `l/file`): as BuildKit unpacks the archive in a chroot at the destination, the entry lands where
 * the link leads, inside the destination, and never as a file below a symlink in the layer.
 */
import fc from "fast-check";
import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { buildImage } from "../../lib/image_builder/mod.ts";
import { writeTar } from "../../lib/tar/mod.ts";
import type { TarWriterEntry } from "../../lib/tar/mod.ts";
import { MemoryStore } from "../../lib/content/memory_store.ts";
import { nodeFs, nodeHasherFactory, readImage, readLayer, withTempDir } from "./_helpers.ts";

type Entry = Pick<TarWriterEntry, "path" | "type" | "linkname"> & { text?: string };

async function tarOf(entries: Entry[]): Promise<Uint8Array> {
  const full: TarWriterEntry[] = entries.map((e) => {
    const bytes = new TextEncoder().encode(e.text ?? "");
    return {
      path: e.path,
      type: e.type,
      mode: e.type === "directory" ? 0o755 : 0o644,
      uid: 0,
      gid: 0,
      size: e.type === "file" ? bytes.length : 0,
      mtime: 0,
      ...(e.linkname === undefined ? {} : { linkname: e.linkname }),
      open: () => Promise.resolve(new Blob([bytes]).stream()),
    };
  });
  return new Uint8Array(await new Response(ReadableStream.from(writeTar(full))).arrayBuffer());
}

async function addArchive(tmp: string, entries: Entry[]): Promise<Map<string, string>> {
  await Deno.mkdir(`${tmp}/ctx`, { recursive: true });
  await Deno.writeFile(`${tmp}/ctx/a.tar`, await tarOf(entries));
  const output = new MemoryStore();
  const built = await buildImage({
    context: `${tmp}/ctx`,
    dockerfile: "FROM scratch\nADD a.tar /opt/\n",
    fs: nodeFs,
    output,
    hasher: nodeHasherFactory,
  });
  const { manifest } = await readImage(output, built.descriptor);
  const layer = await readLayer(output, manifest.layers[0]!);
  const out = new Map<string, string>();
  for (const { header, content } of layer) {
    const path = header.path.replace(/\/$/, "");
    out.set(
      path,
      header.type === "symlink"
        ? `-> ${header.linkname}`
        : header.type === "file"
        ? new TextDecoder().decode(content)
        : header.type,
    );
  }
  return out;
}

Deno.test("buildImage() ADD places an archive entry below one of its symlinks where the link leads, inside the destination", async () => {
  await withTempDir(async (tmp) => {
    const layer = await addArchive(tmp, [
      { path: "l", type: "symlink", linkname: "/abs" },
      { path: "l/file", type: "file", text: "through an absolute link" },
      { path: "up", type: "symlink", linkname: "../../../.." },
      { path: "up/escape.txt", type: "file", text: "clamped at the destination" },
      { path: "rel", type: "symlink", linkname: "sub/dir" },
      { path: "rel/x", type: "file", text: "relative" },
    ]);
    assertEquals(layer.get("opt/l"), "-> /abs");
    assertEquals(layer.get("opt/abs/file"), "through an absolute link");
    assertEquals(layer.get("opt/escape.txt"), "clamped at the destination");
    assertEquals(layer.get("opt/sub/dir/x"), "relative");
    for (const path of layer.keys()) {
      assert(path.startsWith("opt"), `${path} is outside the destination`);
      for (const link of ["opt/l/", "opt/up/", "opt/rel/"]) {
        assert(!path.startsWith(link), `${path} is below a symlink`);
      }
    }
  });
});

Deno.test("buildImage() ADD refuses an archive entry below a file the archive made", async () => {
  await withTempDir(async (tmp) => {
    await assertRejectsCode(
      () =>
        addArchive(tmp, [
          { path: "f", type: "file", text: "x" },
          { path: "f/x", type: "file", text: "y" },
        ]),
      "ERR_BUILD",
      "line 2: ADD a.tar: entry f/x of the archive is below /f, which the archive made a file",
    );
  });
});

Deno.test("buildImage() ADD never writes a layer entry below a symlink or outside the destination, for any archive of links", async () => {
  const name = fc.constantFrom("a", "b", "c");
  const path = fc.array(name, { minLength: 1, maxLength: 3 }).map((p) => p.join("/"));
  const target = fc.oneof(
    path,
    path.map((p) => `/${p}`),
    path.map((p) => `../${p}`),
    fc.constant("/"),
  );
  const entry = fc.oneof(
    fc.record({ path, type: fc.constant("symlink" as const), linkname: target }),
    fc.record({ path, type: fc.constant("file" as const), text: fc.constant("t") }),
    fc.record({ path, type: fc.constant("directory" as const) }),
  );
  await withTempDir(async (tmp) => {
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 8 }), async (entries) => {
        let layer: Map<string, string>;
        try {
          layer = await addArchive(tmp, entries);
        } catch (err) {
          if ((err as { code?: string }).code === "ERR_BUILD") return;
          throw err;
        }
        const links = [...layer].filter(([, v]) => v.startsWith("->")).map(([k]) => `${k}/`);
        for (const p of layer.keys()) {
          assert(p === "opt" || p.startsWith("opt/"), `${p} is outside the destination`);
          for (const link of links) assert(!p.startsWith(link), `${p} is below symlink ${link}`);
        }
      }),
      { numRuns: 150 },
    );
  });
});
