import { assertEquals } from "../_helpers/assert.ts";
import { compareUtf8, writeLayer } from "../../lib/image_builder/layer_writer.ts";
import type { TreeNode } from "../../lib/image_builder/file_tree.ts";
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

    // Spooled: compressed once into a temp file, pushed from it, and the file removed.
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
