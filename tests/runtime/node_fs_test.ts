import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { AbortedError } from "../../lib/errors.ts";
import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { withTempDir } from "../_helpers/e2e.ts";
import { readAllByob } from "../_helpers/byob.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  return withTempDir("ocisign-nodefs-", fn);
}

Deno.test("nodeFs.writeFileAtomic() writes bytes and streams with the requested mode", async () => {
  await withTemp(async (dir) => {
    await nodeFs.writeFileAtomic(`${dir}/key.pem`, enc.encode("secret"), { mode: 0o600 });
    assertEquals(dec.decode(await nodeFs.readFile(`${dir}/key.pem`)), "secret");
    assertEquals((await nodeFs.stat(`${dir}/key.pem`))?.mode, 0o600);
    await nodeFs.writeFileAtomic(`${dir}/s.txt`, new Blob(["a", "b", "c"]).stream());
    assertEquals(dec.decode(await nodeFs.readFile(`${dir}/s.txt`)), "abc");
    assertEquals((await nodeFs.readDir(dir)).map((e) => e.name).sort(), ["key.pem", "s.txt"]);
  });
});

Deno.test("nodeFs.writeFileAtomic() leaves the old file and no temp file when the stream fails", async () => {
  await withTemp(async (dir) => {
    await nodeFs.writeFileAtomic(`${dir}/f`, enc.encode("old"));
    const failing = new ReadableStream<Uint8Array>({
      pull(c): void {
        c.enqueue(enc.encode("partial"));
        c.error(new Error("boom"));
      },
    });
    let failed = false;
    await nodeFs.writeFileAtomic(`${dir}/f`, failing).catch(() => (failed = true));
    assert.ok(failed);
    assertEquals(dec.decode(await nodeFs.readFile(`${dir}/f`)), "old");
    assertEquals((await nodeFs.readDir(dir)).map((e) => e.name), ["f"]);
  });
});

Deno.test("nodeFs.writeFileAtomic() honours an aborted signal", async () => {
  await withTemp(async (dir) => {
    const ac = new AbortController();
    ac.abort();
    let caught: unknown;
    await nodeFs.writeFileAtomic(`${dir}/f`, new Blob(["x"]).stream(), { signal: ac.signal })
      .catch((e) => (caught = e));
    assert.ok(caught instanceof AbortedError);
    assertEquals(await nodeFs.stat(`${dir}/f`), undefined);
    assertEquals((await nodeFs.readDir(dir)).length, 0);
  });
});

Deno.test("nodeFs maps missing files to NotFoundError and enforces maxBytes", async () => {
  await withTemp(async (dir) => {
    await assertRejectsCode(() => nodeFs.readFile(`${dir}/nope`), "ERR_NOT_FOUND");
    await assertRejectsCode(() => nodeFs.open(`${dir}/nope`), "ERR_NOT_FOUND");
    await assertRejectsCode(() => nodeFs.readDir(`${dir}/nope`), "ERR_NOT_FOUND");
    assertEquals(await nodeFs.stat(`${dir}/nope`), undefined);
    await nodeFs.remove(`${dir}/nope`);
    await nodeFs.writeFileAtomic(`${dir}/big`, new Uint8Array(100));
    await assertRejectsCode(
      () => nodeFs.readFile(`${dir}/big`, { maxBytes: 99 }),
      "ERR_SIZE_EXCEEDED",
    );
  });
});

Deno.test("nodeFs.open() reads at offsets and streams ranges", async () => {
  await withTemp(async (dir) => {
    const data = new Uint8Array(600_000).map((_, i) => i & 255);
    await nodeFs.writeFileAtomic(`${dir}/d`, data);
    const h = await nodeFs.open(`${dir}/d`);
    try {
      assertEquals(h.size, data.length);
      assertEquals(await h.read(1000, 4), data.slice(1000, 1004));
      assertEquals((await h.read(599_998, 10)).length, 2);
      const ranged = new Uint8Array(await new Response(h.stream(300_000, 290_000)).arrayBuffer());
      assertEquals(ranged, data.slice(300_000, 590_000));
      const rest = new Uint8Array(await new Response(h.stream(599_000)).arrayBuffer());
      assertEquals(rest, data.slice(599_000));
    } finally {
      await h.close();
    }
  });
});

Deno.test("nodeFs.open() streams read into a BYOB reader's own buffer, range by range", async () => {
  await withTemp(async (dir) => {
    const data = new Uint8Array(600_000).map((_, i) => (i * 7) & 255);
    await nodeFs.writeFileAtomic(`${dir}/d`, data);
    const h = await nodeFs.open(`${dir}/d`);
    try {
      const got = await readAllByob(h.stream(1000, 500_000));
      assertEquals(got, data.slice(1000, 501_000));
    } finally {
      await h.close();
    }
  });
});

Deno.test("nodeFs mkdir, rename, makeTempDir, readLink and recursive remove work", async () => {
  await withTemp(async (dir) => {
    await nodeFs.mkdir(`${dir}/a/b`, { recursive: true });
    await nodeFs.mkdir(`${dir}/a/b`, { recursive: true });
    await nodeFs.writeFileAtomic(`${dir}/a/b/f`, enc.encode("1"));
    await nodeFs.rename(`${dir}/a/b/f`, `${dir}/a/g`);
    assertEquals((await nodeFs.stat(`${dir}/a/g`))?.isFile, true);
    const tmp = await nodeFs.makeTempDir(dir, "t-");
    assert.ok(tmp.startsWith(`${dir}/t-`));
    await Deno.symlink("a/g", `${dir}/link`);
    assertEquals(await nodeFs.readLink(`${dir}/link`), "a/g");
    assertEquals((await nodeFs.stat(`${dir}/link`))?.isSymlink, true);
    await nodeFs.remove(`${dir}/a`, { recursive: true });
    assertEquals(await nodeFs.stat(`${dir}/a`), undefined);
  });
});

Deno.test("nodeHasherFactory() matches crypto.subtle for sha256 and sha512", async () => {
  const data = new Uint8Array(70_000).map((_, i) => (i * 7) & 255);
  for (const [alg, name] of [["sha256", "SHA-256"], ["sha512", "SHA-512"]] as const) {
    const h = nodeHasherFactory(alg);
    h.update(data.subarray(0, 1234));
    h.update(data.subarray(1234));
    const ref = Array.from(new Uint8Array(await crypto.subtle.digest(name, data)))
      .map((b) => b.toString(16).padStart(2, "0")).join("");
    assertEquals(h.digestHex(), ref);
  }
});

Deno.test("nodeFs.serverStream() gives a regular file of the stated size whole, and nothing else", async () => {
  await withTemp(async (dir) => {
    const bytes = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251);
    await Deno.writeFile(`${dir}/blob`, bytes);
    const whole = await nodeFs.serverStream!(`${dir}/blob`, bytes.length);
    assert.ok(whole !== undefined, "Deno has a file stream its server sends itself");
    assertEquals(new Uint8Array(await new Response(whole).arrayBuffer()), bytes);
    // Another size, a directory or a missing file: the caller reads the ordinary way.
    assertEquals(await nodeFs.serverStream!(`${dir}/blob`, bytes.length - 1), undefined);
    assertEquals(await nodeFs.serverStream!(dir, 4096), undefined);
    assertEquals(await nodeFs.serverStream!(`${dir}/missing`, 1), undefined);
  });
});
