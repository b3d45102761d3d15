/**
 * Two writers of one layout that do not share memory (as two processes): each stores what it
 * pushed, whatever the other stored meanwhile.
 */
import { LayoutStore, LayoutTar, openLayout } from "../../lib/layout/mod.ts";
import type { OciLayout } from "../../lib/layout/mod.ts";
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { createLayoutRepositoryProvider } from "../../lib/server/mod.ts";
import type { Descriptor } from "../../lib/oci/descriptor.ts";
import fc from "fast-check";
import { fetchAll } from "../../lib/content/fetch_all.ts";
import { MemoryFs } from "../../lib/content/memory_fs.ts";
import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { ok, withSigningSandbox } from "../cli/commands/_fixture.ts";
import { listTree, MANIFEST, pushImage, pushSignature, withTempDir } from "./_image.ts";
import { jsonBlob } from "../content/_fixtures.ts";

const opts = { hasher: nodeHasherFactory };

async function referrerDigests(layout: OciLayout, subject: Descriptor): Promise<string[]> {
  return (await Array.fromAsync(layout.referrers(subject))).map((d) => d.digest).sort();
}

Deno.test("LayoutStore: two writers committing in turn both keep what they signed", async () => {
  await withTempDir(async (tmp) => {
    const dir = `${tmp}/img`;
    const setup = await LayoutStore.open(dir, nodeFs, { ...opts, create: true });
    const img = await pushImage(setup, "v1");
    // Both open the layout before either writes, as two `ocisign sign` processes do.
    const a = await LayoutStore.open(dir, nodeFs, { ...opts, autoSave: false });
    const b = await LayoutStore.open(dir, nodeFs, { ...opts, autoSave: false });
    const sigA = await pushSignature(a, img.manifest, "a");
    const sigB = await pushSignature(b, img.manifest, "b");
    await a.commit();
    await b.commit();
    const after = await LayoutStore.open(dir, nodeFs, opts);
    assertEquals(await referrerDigests(after, img.manifest), [sigA.digest, sigB.digest].sort());
    assertEquals((await after.resolve("v1")).digest, img.manifest.digest);
    // No lock file is left behind.
    assert.ok(!(await listTree(dir)).includes(".ocisign.lock"));
  });
});

Deno.test("LayoutTar: a blob another writer removed meanwhile is restored by a commit that uses it", async () => {
  await withTempDir(async (tmp) => {
    const path = `${tmp}/img.tar`;
    const setup = await LayoutTar.open(path, nodeFs, { ...opts, create: true });
    const img = await pushImage(setup, "v1");
    await setup.commit();
    const bytes = [
      await fetchAll(setup, img.layer, opts),
      await fetchAll(setup, img.config, opts),
    ];
    await setup.close();
    const a = await LayoutTar.open(path, nodeFs, opts);
    const b = await LayoutTar.open(path, nodeFs, opts);
    // b removes the layer and the config; a then copies in an image that needs both (it finds
    // them in the tar it opened, so it does not store them again).
    await b.delete(img.layer);
    await b.delete(img.config);
    await b.commit();
    await b.close();
    const between = await LayoutTar.open(path, nodeFs, opts);
    assert.ok(!(await between.exists(img.layer)));
    await between.close();
    await a.push(img.layer, bytes[0]!);
    await a.push(img.config, bytes[1]!);
    const again = await jsonBlob(MANIFEST, {
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: img.config,
      layers: [img.layer],
      annotations: { copy: "2" },
    });
    await a.push(again.desc, again.bytes);
    await a.tag(again.desc, "v2");
    await a.commit();
    await a.close();
    const after = await LayoutTar.open(path, nodeFs, opts);
    assertEquals((await after.resolve("v2")).digest, again.desc.digest);
    for (const blob of [img.layer, img.config]) {
      assertEquals((await fetchAll(after, blob, opts)).length, blob.size);
    }
    await after.close();
  });
});

Deno.test("LayoutTar: two writers committing in turn both keep what they signed", async () => {
  await withTempDir(async (tmp) => {
    const path = `${tmp}/img.tar`;
    const setup = await LayoutTar.open(path, nodeFs, { ...opts, create: true });
    const img = await pushImage(setup, "v1");
    await setup.commit();
    await setup.close();
    const a = await LayoutTar.open(path, nodeFs, opts);
    const b = await LayoutTar.open(path, nodeFs, opts);
    const sigA = await pushSignature(a, img.manifest, "a");
    const sigB = await pushSignature(b, img.manifest, "b");
    await a.commit();
    await b.commit();
    await a.close();
    await b.close();
    const after = await LayoutTar.open(path, nodeFs, opts);
    assertEquals(await referrerDigests(after, img.manifest), [sigA.digest, sigB.digest].sort());
    // Every blob of both signatures is in the tar (the second commit kept the first's blobs).
    for (const sig of [sigA, sigB]) assert.ok(await after.exists(sig));
    await after.close();
    assertEquals((await Array.fromAsync(Deno.readDir(tmp))).map((e) => e.name), ["img.tar"]);
  });
});

Deno.test("LayoutStore: a writer waits while another holds the layout's lock", async () => {
  await withTempDir(async (tmp) => {
    const dir = `${tmp}/img`;
    const setup = await LayoutStore.open(dir, nodeFs, { ...opts, create: true });
    const img = await pushImage(setup, "v1");
    const held = await nodeFs.lock(`${dir}/.ocisign.lock`);
    const writer = await LayoutStore.open(dir, nodeFs, { ...opts, autoSave: false });
    const sig = await pushSignature(writer, img.manifest);
    let committed = false;
    const commit = writer.commit().then(() => committed = true);
    await new Promise((r) => setTimeout(r, 100));
    assertEquals(committed, false);
    assertEquals(
      await referrerDigests(await LayoutStore.open(dir, nodeFs, opts), img.manifest),
      [],
    );
    await held.release();
    await commit;
    assertEquals(
      await referrerDigests(await LayoutStore.open(dir, nodeFs, opts), img.manifest),
      [sig.digest],
    );
  });
});

Deno.test("serve's layouts: a push keeps what another process wrote, and reads see it", async () => {
  await withTempDir(async (root) => {
    const provider = createLayoutRepositoryProvider({
      root,
      fs: nodeFs,
      hasher: nodeHasherFactory,
    });
    const served = (await provider.get("app", { create: true }))!;
    const img = await pushImage(served.target, "v1");
    // Another process (`ocisign sign --oci-layout root/app:v1`) signs the same layout.
    const cli = await LayoutStore.open(`${root}/app`, nodeFs, { ...opts, autoSave: false });
    const cliSig = await pushSignature(cli, img.manifest, "cli");
    await cli.commit();
    // The server sees it on the next request...
    const again = (await provider.get("app"))!;
    assertEquals(await referrerDigests(again.target as OciLayout, img.manifest), [cliSig.digest]);
    // ... and a push through the server keeps it.
    const pushed = await pushSignature(again.target, img.manifest, "server");
    const disk = await LayoutStore.open(`${root}/app`, nodeFs, opts);
    assertEquals(
      await referrerDigests(disk, img.manifest),
      [cliSig.digest, pushed.digest].sort(),
    );
  });
});

Deno.test("ocisign cp of two images into one layout dir and one tar at once keeps both tags", async () => {
  await withSigningSandbox(async (sb) => {
    await Deno.writeTextFile(`${sb.cwd}/ctx/hello.txt`, "other\n");
    ok(await sb.run("build", "-t", "hello-world:v2", "-o", "./img2", "./ctx"));
    for (const dest of ["./shared", "./shared.tar"]) {
      const runs = await Promise.all([
        sb.run("cp", "--from-oci-layout", "./img:v1", "--to-oci-layout", `${dest}:v1`),
        sb.run("cp", "--from-oci-layout", "./img2:v2", "--to-oci-layout", `${dest}:v2`),
      ]);
      for (const r of runs) ok(r);
      const layout = await openLayout(`${sb.cwd}/${dest}`, nodeFs, opts);
      assertEquals(await Array.fromAsync(layout.tags()), ["v1", "v2"]);
      await layout.close();
    }
  });
});

Deno.test("MemoryFs layouts: two writers and a held lock behave as on disk", async () => {
  const fs = new MemoryFs();
  const setup = await LayoutStore.open("/img", fs, { create: true });
  const img = await pushImage(setup, "v1");
  const a = await LayoutStore.open("/img", fs, { autoSave: false });
  const b = await LayoutStore.open("/img", fs, { autoSave: false });
  const sigA = await pushSignature(a, img.manifest, "a");
  const sigB = await pushSignature(b, img.manifest, "b");
  await Promise.all([a.commit(), b.commit()]);
  const after = await LayoutStore.open("/img", fs);
  assertEquals(await referrerDigests(after, img.manifest), [sigA.digest, sigB.digest].sort());
  const held = await fs.lock("/img/.ocisign.lock");
  await assertRejectsCode(() => fs.lock("/img/.ocisign.lock", { waitMs: 20 }), "ERR_LOCKED");
  await held.release();
  assertEquals(await fs.stat("/img/.ocisign.lock"), undefined);
});

Deno.test("writers committing in any order keep every manifest pushed (property)", async () => {
  const step = fc.record({
    writer: fc.nat({ max: 2 }),
    kind: fc.constantFrom("push", "commit"),
    payload: fc.constantFrom("a", "b", "c", "d"),
  });
  await fc.assert(
    fc.asyncProperty(fc.array(step, { maxLength: 12 }), async (steps) => {
      const fs = new MemoryFs();
      const setup = await LayoutStore.open("/img", fs, { create: true });
      const img = await pushImage(setup, "v1");
      const writers = await Promise.all(
        [0, 1, 2].map(() => LayoutStore.open("/img", fs, { autoSave: false })),
      );
      const committed = new Set<string>();
      const pushed: Set<string>[] = writers.map(() => new Set());
      for (const s of steps) {
        const w = writers[s.writer]!;
        if (s.kind === "push") {
          pushed[s.writer]!.add((await pushSignature(w, img.manifest, s.payload)).digest);
        } else {
          await w.commit();
          for (const d of pushed[s.writer]!) committed.add(d);
        }
      }
      const after = await LayoutStore.open("/img", fs);
      assertEquals(await referrerDigests(after, img.manifest), [...committed].sort());
      assertEquals((await after.resolve("v1")).digest, img.manifest.digest);
    }),
    { numRuns: 100 },
  );
});
