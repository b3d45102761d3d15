import { assertEquals } from "../_helpers/assert.ts";
import { compareUtf8, writeLayer } from "../../lib/image_builder/layer_writer.ts";
import type { TreeNode } from "../../lib/image_builder/file_tree.ts";
import type { Bytes } from "../../lib/_internal/bytes.ts";
import type { Op, Target } from "../../lib/content/storage.ts";
import type { FileIngester } from "../../lib/content/blob_abilities.ts";
import type { Descriptor } from "../../lib/oci/descriptor.ts";
import type { LayoutStore } from "../../lib/layout/layout_store.ts";
import { nodeFs, nodeHasherFactory, openOutput, readLayer, withTempDir } from "./_helpers.ts";

function nodes(): TreeNode[] {
  const big = new Uint8Array(2_000_000).map((_, i) => (i * 31) % 256);
  return [
    {
      path: "z-file",
      type: "file",
      mode: 0o644,
      uid: 0,
      gid: 0,
      size: big.length,
      content: { kind: "stream", open: () => Promise.resolve(new Blob([big]).stream()) },
    },
    { path: "a-link", type: "hardlink", mode: 0o644, uid: 0, gid: 0, size: 0, linkname: "z-file" },
    { path: "b", type: "directory", mode: 0o711, uid: 5, gid: 6, size: 0 },
  ];
}

Deno.test("writeLayer() streams large layers (spooled, or in two passes) with the same digest as in memory", async () => {
  await withTempDir(async (tmp) => {
    const small = await openOutput(`${tmp}/mem`);
    const large = await openOutput(`${tmp}/stream`);
    const a = await writeLayer(nodes(), { output: small, hasher: nodeHasherFactory, timestamp: 5 });
    const b = await writeLayer(nodes(), {
      output: large,
      hasher: nodeHasherFactory,
      timestamp: 5,
      memoryLimit: 1024,
    });
    assertEquals(a, b);
    assertEquals(await large.exists(b.descriptor), true);
    const entries = await readLayer(large, b.descriptor);
    assertEquals(entries.map((e) => [e.header.path, e.header.type, e.header.linkname]), [
      ["a-link", "file", ""],
      ["b", "directory", ""],
      ["z-file", "hardlink", "a-link"],
    ]);
    assertEquals(entries[0]!.content!.length, 2_000_000);
    assertEquals([entries[1]!.header.mode, entries[1]!.header.uid, entries[1]!.header.gid], [
      0o711,
      5,
      6,
    ]);

    // Spooled: compressed once into a temp file, moved into the layout, and the spool left empty.
    await Deno.mkdir(`${tmp}/spool`);
    const spooledOut = await openOutput(`${tmp}/spooled`);
    const c = await writeLayer(nodes(), {
      output: spooledOut,
      hasher: nodeHasherFactory,
      timestamp: 5,
      memoryLimit: 1024,
      spool: { fs: nodeFs, dir: `${tmp}/spool` },
    });
    assertEquals(c, a);
    assertEquals(await spooledOut.exists(c.descriptor), true);
    assertEquals([...Deno.readDirSync(`${tmp}/spool`)], []);
  });
});

/** A layout seen through the Target contract and its file ingester, counting how layers arrive. */
class CountingLayout implements Target, FileIngester {
  pushed = 0;
  ingested = 0;
  constructor(readonly store: LayoutStore, readonly ingestError?: Error) {}
  fetch(desc: Descriptor, opts?: Op): Promise<ReadableStream<Bytes>> {
    return this.store.fetch(desc, opts);
  }
  exists(desc: Descriptor, opts?: Op): Promise<boolean> {
    return this.store.exists(desc, opts);
  }
  resolve(reference: string, opts?: Op): Promise<Descriptor> {
    return this.store.resolve(reference, opts);
  }
  tag(desc: Descriptor, reference: string, opts?: Op): Promise<void> {
    return this.store.tag(desc, reference, opts);
  }
  push(desc: Descriptor, body: ReadableStream<Uint8Array> | Uint8Array, opts?: Op): Promise<void> {
    this.pushed++;
    return this.store.push(desc, body, opts);
  }
  ingestVerifiedFile(desc: Descriptor, path: string, opts?: Op): Promise<void> {
    this.ingested++;
    if (this.ingestError !== undefined) return Promise.reject(this.ingestError);
    return this.store.ingestVerifiedFile(desc, path, opts);
  }
}

Deno.test("writeLayer() moves a spooled layer into a store that takes files, else copies it", async () => {
  await withTempDir(async (tmp) => {
    await Deno.mkdir(`${tmp}/spool`);
    const opts = {
      hasher: nodeHasherFactory,
      timestamp: 5,
      memoryLimit: 1024,
      spool: { fs: nodeFs, dir: `${tmp}/spool` },
    };
    const expected = await writeLayer(nodes(), { ...opts, output: await openOutput(`${tmp}/ref`) });

    const moving = new CountingLayout(await openOutput(`${tmp}/moved`));
    assertEquals(await writeLayer(nodes(), { ...opts, output: moving }), expected);
    assertEquals([moving.ingested, moving.pushed], [1, 0]);
    const blob = `${tmp}/moved/blobs/sha256/${expected.descriptor.digest.slice(7)}`;
    assertEquals((await Deno.stat(blob)).size, expected.descriptor.size);
    assertEquals((await readLayer(moving.store, expected.descriptor)).length, 3);

    // A store that cannot take the file (a spool on another file system) gets a verified copy.
    const failing = new CountingLayout(
      await openOutput(`${tmp}/copied`),
      new Error("EXDEV: cross-device link not permitted"),
    );
    assertEquals(await writeLayer(nodes(), { ...opts, output: failing }), expected);
    assertEquals([failing.ingested, failing.pushed], [1, 1]);
    assertEquals(await failing.store.exists(expected.descriptor), true);
    assertEquals([...Deno.readDirSync(`${tmp}/spool`)], []);
  });
});

Deno.test("compareUtf8() orders by UTF-8 bytes", () => {
  assertEquals(["b", "a/b", "a-b", "a", "\u{1F600}", "\uFF21"].sort(compareUtf8), [
    "a",
    "a-b",
    "a/b",
    "b",
    "\uFF21",
    "\u{1F600}",
  ]);
});

Deno.test("compareUtf8() agrees with byte order on random strings", () => {
  const alphabet = ["a", "/", "-", "é", "\uE000", "\uFF21", "\u{1F600}", "\u{10000}", "z"];
  const enc = new TextEncoder();
  for (let n = 0; n < 2000; n++) {
    const pick = () =>
      Array.from(
        { length: 1 + (n % 4) },
        () => alphabet[Math.floor(Math.random() * alphabet.length)],
      )
        .join("");
    const a = pick();
    const b = pick();
    const x = enc.encode(a);
    const y = enc.encode(b);
    let byBytes = 0;
    for (let i = 0; i < Math.min(x.length, y.length) && byBytes === 0; i++) byBytes = x[i]! - y[i]!;
    if (byBytes === 0) byBytes = x.length - y.length;
    assertEquals(Math.sign(compareUtf8(a, b)), Math.sign(byBytes), `${a} vs ${b}`);
  }
});
