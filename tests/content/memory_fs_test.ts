import { MemoryFs } from "../../lib/content/mod.ts";
import { assertEquals, assertRejectsCode } from "../_helpers/assert.ts";

const enc = new TextEncoder();

Deno.test("MemoryFs writes, reads, lists, renames and removes like a real file system", async () => {
  const fs = new MemoryFs();
  await assertRejectsCode(() => fs.writeFileAtomic("/a/f", enc.encode("x")), "ERR_NOT_FOUND");
  await assertRejectsCode(() => fs.mkdir("/a/b"), "ERR_NOT_FOUND");
  await fs.mkdir("/a/b", { recursive: true });
  await fs.writeFileAtomic("/a/b/f", new Blob(["hello"]).stream(), { mode: 0o600 });
  assertEquals(new TextDecoder().decode(await fs.readFile("/a/b/f")), "hello");
  assertEquals((await fs.stat("/a/b/f"))?.mode, 0o600);
  assertEquals((await fs.readDir("/a")).map((e) => [e.name, e.isDirectory]), [["b", true]]);
  await assertRejectsCode(() => fs.readFile("/a/b/f", { maxBytes: 4 }), "ERR_SIZE_EXCEEDED");
  const h = await fs.open("/a/b/f");
  assertEquals(new TextDecoder().decode(await h.read(1, 3)), "ell");
  assertEquals(await new Response(h.stream(2, 2)).text(), "ll");
  await h.close();
  const tmp = await fs.makeTempDir("/a", "t-");
  await fs.rename("/a/b", `${tmp}/b`);
  assertEquals(await fs.stat("/a/b/f"), undefined);
  assertEquals((await fs.stat(`${tmp}/b/f`))?.size, 5);
  await assertRejectsCode(() => fs.remove("/a"), "ERR_INVALID_INPUT");
  await fs.remove("/a", { recursive: true });
  assertEquals(await fs.readDir("/"), []);
  await assertRejectsCode(() => fs.readDir("/a"), "ERR_NOT_FOUND");
  await assertRejectsCode(() => fs.open("/a/b/f"), "ERR_NOT_FOUND");
});

Deno.test("MemoryFs.writeFileAtomic() leaves the old content when the stream fails", async () => {
  const fs = new MemoryFs();
  await fs.writeFileAtomic("f", enc.encode("old"));
  const failing = new ReadableStream<Uint8Array>({
    start(c): void {
      c.enqueue(enc.encode("new"));
      c.error(new Error("boom"));
    },
  });
  await fs.writeFileAtomic("f", failing).catch(() => {});
  assertEquals(new TextDecoder().decode(await fs.readFile("f")), "old");
  const ac = new AbortController();
  ac.abort();
  await assertRejectsCode(
    () => fs.writeFileAtomic("f", enc.encode("x"), { signal: ac.signal }),
    "ERR_ABORTED",
  );
});
