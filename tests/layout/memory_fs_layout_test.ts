import { fetchAll } from "../../lib/content/fetch_all.ts";
import { MemoryFs } from "../../lib/content/memory_fs.ts";
import { LayoutTar, openLayout } from "../../lib/layout/mod.ts";
import { assertEquals } from "../_helpers/assert.ts";
import { pushImage, pushSignature } from "./_image.ts";

Deno.test("openLayout() works over MemoryFs for directories and tars", async () => {
  const fs = new MemoryFs();
  const dir = await openLayout("/layouts/img", fs, { create: true });
  const img = await pushImage(dir, "v1");
  const sig = await pushSignature(dir, img.manifest);
  assertEquals((await Array.fromAsync(dir.referrers(img.manifest))).map((d) => d.digest), [
    sig.digest,
  ]);

  const tar = await openLayout("/layouts/img.tar", fs, { create: true });
  assertEquals(tar instanceof LayoutTar, true);
  const timg = await pushImage(tar, "v1");
  await pushSignature(tar, timg.manifest);
  await tar.commit();
  await tar.close();
  assertEquals((await fs.readDir("/layouts")).map((e) => e.name), ["img", "img.tar"]);
  const again = await openLayout("/layouts/img.tar", fs);
  const desc = await again.resolve("v1");
  assertEquals((await Array.fromAsync(again.referrers(desc))).length, 1);
  assertEquals((await fetchAll(again, timg.config)).length, timg.config.size);
  await again.close();
});
