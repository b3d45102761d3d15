/**
 * `denoFs` (the file system of `deno run cli.ts`) behaves as `nodeFs` does: the same results on
 * the same files, the same typed errors, modes and locks that exclude each other across both.
 * (The CLI tests run over `denoFs` too: tests/_helpers/cli.ts.)
 */
import { denoFs, nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { withTempDir } from "../_helpers/e2e.ts";
import { readAllByob } from "../_helpers/byob.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  return withTempDir("ocisign-denofs-", fn);
}

Deno.test("denoFs has every member nodeFs has (a member added to nodeFs is passed on)", () => {
  const missing = Object.keys(nodeFs).filter((k) => typeof (denoFs as never)[k] !== "function");
  assertEquals(missing, []);
});

Deno.test("denoFs writes atomically with the modes nodeFs gives, and reads back", async () => {
  await withTemp(async (dir) => {
    await denoFs.writeFileAtomic(`${dir}/key.pem`, enc.encode("secret"), { mode: 0o600 });
    assertEquals(dec.decode(await denoFs.readFile(`${dir}/key.pem`)), "secret");
    assertEquals((await denoFs.stat(`${dir}/key.pem`))?.mode, 0o600);
    // No mode asked for: a plain new file's (0o644 less the umask), as nodeFs writes it.
    await denoFs.writeFileAtomic(`${dir}/a`, enc.encode("a"));
    await denoFs.writeFileAtomic(`${dir}/a2`, enc.encode("a2"));
    await nodeFs.writeFileAtomic(`${dir}/b`, enc.encode("b"));
    const [a, a2, b] = await Promise.all(["a", "a2", "b"].map((f) => denoFs.stat(`${dir}/${f}`)));
    assertEquals(a?.mode, b?.mode);
    assertEquals(a2?.mode, b?.mode);
    // Rewrite in place, from a stream.
    await denoFs.writeFileAtomic(`${dir}/a`, new Blob(["x", "y"]).stream());
    assertEquals(dec.decode(await denoFs.readFile(`${dir}/a`)), "xy");
    assertEquals((await denoFs.readDir(dir)).map((e) => e.name).sort(), [
      "a",
      "a2",
      "b",
      "key.pem",
    ]);
    // The same description of a file as nodeFs gives.
    const [viaDeno, viaNode] = await Promise.all([
      denoFs.stat(`${dir}/b`),
      nodeFs.stat(`${dir}/b`),
    ]);
    assertEquals(viaDeno, viaNode);
  });
});

Deno.test("denoFs.writeFileAtomic() leaves the target as it was when aborted or the stream fails", async () => {
  await withTemp(async (dir) => {
    await denoFs.writeFileAtomic(`${dir}/f`, enc.encode("old"));
    const ac = new AbortController();
    ac.abort();
    await assertRejectsCode(
      () => denoFs.writeFileAtomic(`${dir}/f`, enc.encode("new"), { signal: ac.signal }),
      "ERR_ABORTED",
    );
    assertEquals(dec.decode(await denoFs.readFile(`${dir}/f`)), "old");
    assertEquals((await denoFs.readDir(dir)).map((e) => e.name), ["f"]);
    const failing = new ReadableStream<Uint8Array>({
      pull(c): void {
        c.enqueue(enc.encode("partial"));
        c.error(new Error("boom"));
      },
    });
    await assert.rejects(() => denoFs.writeFileAtomic(`${dir}/f`, failing), /boom/);
    assertEquals(dec.decode(await denoFs.readFile(`${dir}/f`)), "old");
    assertEquals((await denoFs.readDir(dir)).map((e) => e.name), ["f"]);
    await assertRejectsCode(
      () => denoFs.writeFileAtomic(`${dir}/no/such/dir/f`, enc.encode("x")),
      "ERR_NOT_FOUND",
    );
  });
});

Deno.test("denoFs maps missing files to NotFoundError and enforces maxBytes", async () => {
  await withTemp(async (dir) => {
    await assertRejectsCode(() => denoFs.readFile(`${dir}/nope`), "ERR_NOT_FOUND");
    await assertRejectsCode(() => denoFs.open(`${dir}/nope`), "ERR_NOT_FOUND");
    await assertRejectsCode(() => denoFs.readDir(`${dir}/nope`), "ERR_NOT_FOUND");
    await assertRejectsCode(() => denoFs.realPath(`${dir}/nope`), "ERR_NOT_FOUND");
    await assertRejectsCode(() => denoFs.readFile(`${dir}/nope/x`), "ERR_NOT_FOUND");
    assertEquals(await denoFs.stat(`${dir}/nope`), undefined);
    await denoFs.remove(`${dir}/nope`);
    await denoFs.writeFileAtomic(`${dir}/big`, new Uint8Array(100));
    await assertRejectsCode(
      () => denoFs.readFile(`${dir}/big`, { maxBytes: 99 }),
      "ERR_SIZE_EXCEEDED",
    );
    assertEquals((await denoFs.readFile(`${dir}/big`, { maxBytes: 100 })).length, 100);
    await assertRejectsCode(() => denoFs.readFile(dir), "ERR_INVALID_INPUT", "directory");
    await assertRejectsCode(() => denoFs.open("/dev/null"), "ERR_INVALID_INPUT");
  });
});

Deno.test("denoFs.readFile() and open() refuse a FIFO without opening it", async () => {
  await withTemp(async (dir) => {
    const r = new Deno.Command("mkfifo", { args: [`${dir}/f`] }).outputSync();
    assert.ok(r.success, "mkfifo");
    // Opening a FIFO for reading waits for a writer: a refusal proves it was never opened.
    await assertRejectsCode(() => denoFs.readFile(`${dir}/f`), "ERR_INVALID_INPUT", "FIFO");
    await assertRejectsCode(() => denoFs.open(`${dir}/f`), "ERR_INVALID_INPUT", "FIFO");
  });
});

Deno.test("denoFs.open() reads at offsets, streams ranges, and serves interleaved readers", async () => {
  await withTemp(async (dir) => {
    const data = new Uint8Array(600_000).map((_, i) => (i * 7) & 255);
    await denoFs.writeFileAtomic(`${dir}/d`, data);
    const h = await denoFs.open(`${dir}/d`);
    try {
      assertEquals(h.size, data.length);
      // Reads and a stream of one handle at once: each gets its own bytes.
      const [x, y, ranged, z] = await Promise.all([
        h.read(1000, 4),
        h.read(599_998, 10),
        new Response(h.stream(300_000, 290_000)).arrayBuffer(),
        h.read(5, 3),
      ]);
      assertEquals(x, data.slice(1000, 1004));
      assertEquals(y, data.slice(599_998));
      assertEquals(new Uint8Array(ranged), data.slice(300_000, 590_000));
      assertEquals(z, data.slice(5, 8));
      const got = await readAllByob(h.stream(1000, 500_000));
      assertEquals(got, data.slice(1000, 501_000));
    } finally {
      await h.close();
    }
    await assert.rejects(() => h.read(0, 1), /closed/);
  });
});

Deno.test("denoFs mkdir, rename, makeTempDir, readLink, realPath and recursive remove work", async () => {
  await withTemp(async (dir) => {
    await denoFs.mkdir(`${dir}/a/b`, { recursive: true });
    await denoFs.mkdir(`${dir}/a/b`, { recursive: true });
    await denoFs.mkdir(`${dir}/a/b`);
    await denoFs.writeFileAtomic(`${dir}/a/b/f`, enc.encode("1"));
    await assert.rejects(() => denoFs.mkdir(`${dir}/a/b/f`), /exists/);
    await denoFs.rename(`${dir}/a/b/f`, `${dir}/a/g`);
    assertEquals((await denoFs.stat(`${dir}/a/g`))?.isFile, true);
    const tmp = await denoFs.makeTempDir(dir, "t-");
    assert.ok(tmp.startsWith(`${dir}/t-`));
    assertEquals((await denoFs.stat(tmp))?.mode, 0o700);
    await Deno.symlink("a/g", `${dir}/link`);
    assertEquals(await denoFs.readLink(`${dir}/link`), "a/g");
    assertEquals((await denoFs.stat(`${dir}/link`))?.isSymlink, true);
    assertEquals(await denoFs.realPath(`${dir}/link`), await nodeFs.realPath(`${dir}/a/g`));
    const entries = await denoFs.readDir(dir);
    assertEquals(entries.find((e) => e.name === "link")?.isSymlink, true);
    assertEquals(entries.find((e) => e.name === "a")?.isDirectory, true);
    await denoFs.remove(`${dir}/a`, { recursive: true });
    assertEquals(await denoFs.stat(`${dir}/a`), undefined);
  });
});

Deno.test("denoFs.lock() and nodeFs.lock() exclude each other", async () => {
  await withTemp(async (dir) => {
    const lock = await denoFs.lock(`${dir}/.lock`);
    await assertRejectsCode(() => nodeFs.lock(`${dir}/.lock`, { waitMs: 50 }), "ERR_LOCKED");
    await assertRejectsCode(() => denoFs.lock(`${dir}/.lock`, { waitMs: 50 }), "ERR_LOCKED");
    const owner = JSON.parse(await Deno.readTextFile(`${dir}/.lock`));
    assertEquals(owner.pid, Deno.pid);
    assertEquals(owner.hostname, Deno.hostname());
    await lock.release();
    const other = await nodeFs.lock(`${dir}/.lock`);
    await assertRejectsCode(() => denoFs.lock(`${dir}/.lock`, { waitMs: 50 }), "ERR_LOCKED");
    await other.release();
    assertEquals((await denoFs.readDir(dir)).map((e) => e.name), []);
  });
});

Deno.test("denoFs.serverStream() answers what nodeFs answers", async () => {
  await withTemp(async (dir) => {
    const bytes = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251);
    await Deno.writeFile(`${dir}/blob`, bytes);
    const whole = await denoFs.serverStream(`${dir}/blob`, bytes.length);
    assert.ok(whole !== undefined);
    assertEquals(new Uint8Array(await new Response(whole).arrayBuffer()), bytes);
    assertEquals(await denoFs.serverStream(`${dir}/blob`, 1), undefined);
  });
});

Deno.test("nodeHasherFactory() under Deno: right digests either side of the in-TypeScript size", async () => {
  const data = new Uint8Array(200_000).map((_, i) => (i * 13) & 255);
  for (const size of [0, 1, 65_535, 65_536, 65_537, 200_000]) {
    for (const [alg, name] of [["sha256", "SHA-256"], ["sha512", "SHA-512"]] as const) {
      const h = nodeHasherFactory(alg);
      // Fed through one reused buffer, as a reader with its own buffer does: what was fed must
      // not change when the buffer is refilled.
      const buffer = new Uint8Array(4096);
      for (let at = 0; at < size; at += buffer.length) {
        const n = Math.min(buffer.length, size - at);
        buffer.set(data.subarray(at, at + n));
        h.update(buffer.subarray(0, n));
        buffer.fill(0xee);
      }
      const ref = Array.from(new Uint8Array(await crypto.subtle.digest(name, data.slice(0, size))))
        .map((b) => b.toString(16).padStart(2, "0")).join("");
      assertEquals(h.digestHex(), ref, `${alg} of ${size} bytes`);
    }
  }
});
