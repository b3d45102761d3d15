import { assert, assertEquals } from "../_helpers/assert.ts";
import { distributionAvailable, startDistribution } from "../_helpers/distribution.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { openLayout } from "../../lib/layout/open_layout.ts";
import { MemoryStore } from "../../lib/content/memory_store.ts";
import { copy } from "../../lib/copy/copy.ts";
import { DigestMismatchError } from "../../lib/errors.ts";
import { Registry } from "../../lib/registry/registry.ts";
import { signature, smallImage } from "../registry/_fixtures.ts";

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

Deno.test({
  name: "copy() registry -> layout directory -> registry keeps referrers (the cp -r workflow)",
  ignore: !distributionAvailable(),
}, async (t) => {
  const reg = await startDistribution();
  const dir = await Deno.makeTempDir({ prefix: "ocisign-cp-layout-" });
  try {
    const registry = new Registry(reg.host, { plainHttp: true, hasher: nodeHasherFactory });
    const image = await smallImage("layout", 100_000);
    const sig = await signature(image[2]!.desc, "layout-sig");
    const mem = new MemoryStore();
    for (const c of [...image, ...sig]) await mem.push(c.desc, c.bytes);
    await mem.tag(image[2]!.desc, "v1");
    await copy(mem, "v1", registry.repository("hello-world"), "v1", { referrers: true });

    const layout = await openLayout(`${dir}/hello-world`, nodeFs, {
      create: true,
      hasher: nodeHasherFactory,
    });
    try {
      await copy(registry.repository("hello-world"), "v1", layout, "v1", { referrers: true });
      await layout.commit();
      assertEquals((await layout.resolve("v1")).digest, image[2]!.desc.digest);
      assertEquals((await collect(layout.referrers(image[2]!.desc))).length, 1);
    } finally {
      await layout.close();
    }

    const oras = findPeer("oras");
    await t.step({
      name: "oras discover lists the referrer in the layout",
      ignore: oras === undefined,
      fn: async () => {
        const seen = await runPeer(oras!, [
          "discover",
          "--oci-layout",
          "--format",
          "json",
          `${dir}/hello-world:v1`,
        ]);
        assertEquals(seen.code, 0, seen.stderr);
        assert(seen.stdout.includes(sig[2]!.desc.digest), seen.stdout);
      },
    });

    const again = await openLayout(`${dir}/hello-world`, nodeFs, { hasher: nodeHasherFactory });
    try {
      const back = registry.repository("copied-back");
      await copy(again, "v1", back, "v1", { referrers: true });
      assertEquals((await back.resolve("v1")).digest, image[2]!.desc.digest);
      assertEquals(
        (await collect(back.referrers(image[2]!.desc))).map((d) => d.digest),
        [sig[2]!.desc.digest],
      );
    } finally {
      await again.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
    await reg.stop();
  }
});

Deno.test("copy() from a layout serving a corrupted blob keeps DigestMismatchError", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-cp-corrupt-" });
  try {
    const image = await smallImage("corrupt", 4096);
    const layer = image[1]!.desc;
    const src = await openLayout(dir, nodeFs, { create: true, hasher: nodeHasherFactory });
    try {
      for (const c of image) await src.push(c.desc, c.bytes);
      await src.tag(image[2]!.desc, "v1");
      await src.commit();
    } finally {
      await src.close();
    }
    const path = `${dir}/blobs/sha256/${layer.digest.slice("sha256:".length)}`;
    const bytes = await Deno.readFile(path);
    bytes[0] = bytes[0]! ^ 0xff;
    await Deno.writeFile(path, bytes);

    const layout = await openLayout(dir, nodeFs, { hasher: nodeHasherFactory });
    try {
      const err = await copy(layout, "v1", new MemoryStore(), "v1").then(
        () => undefined,
        (e: unknown) => e,
      );
      assert(err instanceof DigestMismatchError, `expected DigestMismatchError, got ${err}`);
      assertEquals(err.code, "ERR_DIGEST_MISMATCH");
      assertEquals(err.expected, layer.digest);
      assertEquals(err.details?.origin, "source");
      assert(err.message.includes(`while copying ${layer.digest}`), err.message);
    } finally {
      await layout.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
