import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { encodeTarHeader, writeTar } from "../../lib/tar/mod.ts";
import type { TarWriterEntry } from "../../lib/tar/mod.ts";
import { readTar } from "../../lib/tar/mod.ts";
import { gunzipStream, gzipDeterministic } from "../../lib/compression/gzip.ts";
import { concat } from "../../lib/_internal/bytes.ts";
import { havePeer, run, withTempDir } from "../image_builder/_helpers.ts";

const LONG = `${"d".repeat(60)}/${"e".repeat(60)}/file-${"é".repeat(10)}.txt`;

function entries(): TarWriterEntry[] {
  const bytes = new TextEncoder().encode("hello\n");
  const base = { uid: 0, gid: 0, mtime: 1700000000 };
  return [
    { ...base, path: "dir", type: "directory", mode: 0o755, size: 0 },
    {
      ...base,
      path: "dir/a.txt",
      type: "file",
      mode: 0o640,
      size: bytes.length,
      open: () => Promise.resolve(new Blob([bytes]).stream()),
    },
    { ...base, path: "dir/hard", type: "hardlink", mode: 0o640, size: 0, linkname: "dir/a.txt" },
    {
      ...base,
      path: "dir/link",
      type: "symlink",
      mode: 0o777,
      size: 0,
      linkname: "../" + "t".repeat(120),
    },
    { ...base, path: LONG, type: "file", mode: 0o600, size: 0, uid: 3000000, gid: 7 },
  ];
}

async function collect(gen: AsyncIterable<Uint8Array>): Promise<Uint8Array<ArrayBuffer>> {
  return concat(await Array.fromAsync(gen));
}

Deno.test("writeTar() round-trips through readTar() with PAX for long names, links and ids", async () => {
  const tar = await collect(writeTar(entries()));
  assertEquals(tar.length % 512, 0);
  const read = await Array.fromAsync(readTar(new Blob([tar]).stream(), { want: () => true }));
  assertEquals(read.map((e) => [e.header.path, e.header.type]), [
    ["dir", "directory"],
    ["dir/a.txt", "file"],
    ["dir/hard", "hardlink"],
    ["dir/link", "symlink"],
    [LONG, "file"],
  ]);
  assertEquals(new TextDecoder().decode(read[1]!.content), "hello\n");
  assertEquals(read[1]!.header.mode, 0o640);
  assertEquals(read[3]!.header.linkname, "../" + "t".repeat(120));
  assertEquals(read[4]!.header.uid, 3000000);
});

Deno.test({
  name: "writeTar() output is read by GNU tar with names, modes, owners and mtimes",
  ignore: !havePeer("tar"),
}, async () => {
  await withTempDir(async (dir) => {
    await Deno.writeFile(`${dir}/t.tar`, await collect(writeTar(entries())));
    const { code, out } = run("tar", ["--numeric-owner", "--full-time", "-tvf", `${dir}/t.tar`]);
    assertEquals(code, 0, out);
    assert(out.includes("-rw-r----- 0/0"), out);
    assert(out.includes("2023-11-14"), out);
    assert(out.includes("dir/hard link to dir/a.txt"), out);
    assert(out.includes(LONG), out);
    assert(out.includes("3000000/7"), out);
    assert(!/root/.test(out), "no user or group names are written");
  });
});

Deno.test("gzipDeterministic() gives the same bytes whatever the input chunking, and gunzips back", async () => {
  const data = new Uint8Array(300_000).map((_, i) => (i * 7919) % 251);
  async function* whole(): AsyncGenerator<Uint8Array> {
    yield data;
  }
  async function* bits(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < data.length; i += 1000 + (i % 7)) {
      yield data.subarray(i, i + 1000 + (i % 7));
    }
  }
  const a = await collect(gzipDeterministic(whole()));
  const b = await collect(gzipDeterministic(bits()));
  assertEquals(a, b);
  assertEquals(a[4], 0, "gzip mtime is zero");
  const back = new Uint8Array(
    await new Response(gunzipStream(new Blob([a]).stream())).arrayBuffer(),
  );
  assertEquals(back, data);
});

Deno.test("readTar() rejects a corrupt header and a truncated archive", async () => {
  const tar = await collect(writeTar(entries()));
  const bad = tar.slice();
  bad[0] = bad[0]! ^ 1;
  await assertRejectsCode(
    () => Array.fromAsync(readTar(new Blob([bad]).stream())),
    "ERR_INVALID_INPUT",
    "checksum",
  );
  const short = tar.slice(0, 700);
  await assertRejectsCode(
    () => Array.fromAsync(readTar(new Blob([short]).stream())),
    "ERR_INVALID_INPUT",
    "truncated",
  );
});

Deno.test("encodeTarHeader() writes an mtime past ustar's 11 octal digits as a PAX record", () => {
  const mtime = 2 ** 34;
  const bytes = encodeTarHeader({
    path: "t",
    type: "file",
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: 0,
    mtime,
  });
  const text = new TextDecoder().decode(bytes);
  assert(text.includes(` mtime=${mtime}\n`), "PAX mtime record");
  assertEquals(text.slice(1024 + 136, 1024 + 147), "77777777777");
});
