/**
 * lib/tar, by both of its ways in (the file index behind layout tars, and the streaming reader
 * behind layout tars on a pipe, base-image layers and `ADD` archives), accepts a PAX extended
 * header of up to 1 MiB and refuses a larger one before reading it.
 */
import { assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { readTar } from "../../lib/tar/mod.ts";
import { openLayout, ScannedLayoutTar } from "../../lib/layout/mod.ts";
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { withTempDir } from "./_image.ts";

const LIMIT = 1024 * 1024;
const enc = (s: string) => new TextEncoder().encode(s);

/** A ustar header block written by hand (so the test does not trust the code under test). */
function header(name: string, size: number, typeflag: string): Uint8Array {
  const block = new Uint8Array(512);
  const put = (offset: number, text: string) => block.set(enc(text), offset);
  put(0, name);
  put(100, "0000644\0");
  put(108, "0000000\0");
  put(116, "0000000\0");
  put(124, size.toString(8).padStart(11, "0") + "\0");
  put(136, "00000000000\0");
  put(148, "        ");
  put(156, typeflag);
  put(257, "ustar\x0000");
  const sum = block.reduce((a, b) => a + b, 0);
  put(148, sum.toString(8).padStart(6, "0") + "\0 ");
  return block;
}

function entry(name: string, body: Uint8Array, typeflag = "0"): Uint8Array[] {
  return [
    header(name, body.length, typeflag),
    body,
    new Uint8Array((512 - body.length % 512) % 512),
  ];
}

/** A PAX header of exactly `size` bytes: one `comment` record padded to length. */
function paxOfSize(size: number): Uint8Array {
  const fixed = " comment=\n".length;
  const digits = String(size).length;
  return enc(`${size} comment=${"x".repeat(size - digits - fixed)}\n`);
}

/** An OCI layout tar whose `oci-layout` member has a PAX header of `paxSize` bytes. */
function layoutTar(paxSize: number): Uint8Array {
  const parts = [
    ...entry("PaxHeader", paxOfSize(paxSize), "x"),
    ...entry("oci-layout", enc('{"imageLayoutVersion":"1.0.0"}')),
    ...entry("index.json", enc('{"schemaVersion":2,"manifests":[]}')),
    new Uint8Array(1024),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
}

Deno.test("a layout tar's PAX header may be 1 MiB, not more", async () => {
  await withTempDir(async (tmp) => {
    await Deno.writeFile(`${tmp}/ok.tar`, layoutTar(LIMIT));
    const layout = await openLayout(`${tmp}/ok.tar`, nodeFs, { hasher: nodeHasherFactory });
    await layout.close();
    await Deno.writeFile(`${tmp}/big.tar`, layoutTar(LIMIT + 1));
    await assertRejectsCode(
      () => openLayout(`${tmp}/big.tar`, nodeFs, { hasher: nodeHasherFactory }),
      "ERR_INVALID_LAYOUT",
      "too large",
    );
  });
});

Deno.test("readTar() takes a PAX header of 1 MiB, and refuses a larger one", async () => {
  const names = async (bytes: Uint8Array) => {
    const out: string[] = [];
    for await (const e of readTar(new Blob([bytes as BufferSource]).stream())) {
      out.push(e.header.path);
    }
    return out;
  };
  assertEquals(await names(layoutTar(LIMIT)), ["oci-layout", "index.json"]);
  await assertRejectsCode(() => names(layoutTar(LIMIT + 1)), "ERR_INVALID_INPUT", "too large");
});

Deno.test("a layout tar on a pipe may have a PAX header of 1 MiB, not more", async () => {
  const scan = (bytes: Uint8Array) =>
    ScannedLayoutTar.scan(new Blob([bytes as BufferSource]).stream(), {
      hasher: nodeHasherFactory,
    });
  const layout = await scan(layoutTar(LIMIT));
  await layout.close();
  await assertRejectsCode(() => scan(layoutTar(LIMIT + 1)), "ERR_INVALID_LAYOUT", "too large");
});
