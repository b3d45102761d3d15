import { assert, assertEquals } from "../_helpers/assert.ts";
import { buildImage } from "../../lib/image_builder/mod.ts";
import type { Fs } from "../../lib/content/fs.ts";
import { defaultLayerSlots, LayerWrites } from "../../lib/image_builder/_layer_writes.ts";
import {
  nodeFs,
  nodeHasherFactory,
  openOutput,
  readImage,
  readLayer,
  withTempDir,
  writeFiles,
} from "./_helpers.ts";

const DOCKERFILE = "FROM scratch\nCOPY a.bin /a/\nENV X=1\nCOPY b.bin /b/\nCOPY c.txt /c/\n";

/**
 * The context's file system, where reading a.bin waits until b.bin has been opened: a build that
 * wrote its layers one after another would wait for ever, so after 20 s the wait gives up and the
 * test fails instead of hanging.
 */
function gatedFs(opts: { failB?: boolean } = {}): { fs: Fs; waitedInVain: () => boolean } {
  let openB!: () => void;
  const bOpened = new Promise<void>((resolve) => openB = resolve);
  let inVain = false;
  const fs: Fs = Object.create(nodeFs);
  fs.open = async (path) => {
    const handle = await nodeFs.open(path);
    if (path.endsWith("/b.bin")) {
      openB();
      if (opts.failB) {
        return {
          size: handle.size,
          read: (offset, length) => handle.read(offset, length),
          close: () => handle.close(),
          stream: () =>
            new ReadableStream({
              pull: (c) => c.error(new Error("the disk under b.bin failed")),
            }),
        };
      }
    }
    if (!path.endsWith("/a.bin")) return handle;
    return {
      size: handle.size,
      read: (offset, length) => handle.read(offset, length),
      close: () => handle.close(),
      stream: (offset, length) => {
        const inner = handle.stream(offset, length).getReader();
        let gate: Promise<void> | undefined;
        return new ReadableStream({
          async pull(c): Promise<void> {
            gate ??= new Promise<void>((resolve) => {
              const timer = setTimeout(() => {
                inVain = true;
                resolve();
              }, 20_000);
              void bOpened.then(() => {
                clearTimeout(timer);
                resolve();
              });
            });
            await gate;
            const { done, value } = await inner.read();
            if (done) c.close();
            else c.enqueue(value);
          },
          cancel: (reason) => inner.cancel(reason),
        });
      },
    };
  };
  return { fs, waitedInVain: () => inVain };
}

async function writeContext(dir: string): Promise<void> {
  await writeFiles(dir, { "c.txt": "small\n" });
  await Deno.writeFile(`${dir}/a.bin`, new Uint8Array(6 * 1024 * 1024).fill(97));
  await Deno.writeFile(`${dir}/b.bin`, new Uint8Array(5 * 1024 * 1024).fill(98));
}

Deno.test({
  name: "build writes the layers of several COPY instructions at once, in instruction order",
  ignore: defaultLayerSlots() < 2, // one core: one layer at a time
}, async () => {
  await withTempDir(async (tmp) => {
    await writeContext(`${tmp}/ctx`);
    await Deno.mkdir(`${tmp}/spool`);
    const { fs, waitedInVain } = gatedFs();
    const output = await openOutput(`${tmp}/out`);
    const seen: number[] = [];
    const result = await buildImage({
      context: `${tmp}/ctx`,
      dockerfile: DOCKERFILE,
      fs,
      output,
      hasher: nodeHasherFactory,
      spoolDir: `${tmp}/spool`,
      onProgress: (bytes) => seen.push(bytes),
    });
    assert(!waitedInVain(), "b.bin was not read while a.bin's layer was being written");
    const { manifest, config } = await readImage(output, result.descriptor);
    const paths = [];
    for (const layer of manifest.layers) {
      paths.push((await readLayer(output, layer)).map((e) => e.header.path));
    }
    assertEquals(paths, [["a", "a/a.bin"], ["b", "b/b.bin"], ["c", "c/c.txt"]]);
    assertEquals(config.history!.map((h) => h.empty_layer ?? false), [false, true, false, false]);
    // The build's total grows to the sum of the layers.
    const total = manifest.layers.reduce((n, l) => n + l.size, 0);
    assertEquals(seen.at(-1), total);
    assert(seen.every((b, i) => i === 0 || b >= seen[i - 1]!), "the total never goes back");

    // The same bytes as a build through the plain file system.
    const plain = await openOutput(`${tmp}/plain`);
    const again = await buildImage({
      context: `${tmp}/ctx`,
      dockerfile: DOCKERFILE,
      fs: nodeFs,
      output: plain,
      hasher: nodeHasherFactory,
    });
    assertEquals(again.descriptor.digest, result.descriptor.digest);
  });
});

Deno.test({
  name: "build: a layer that fails stops the others and leaves no tag and no temporary file",
  ignore: defaultLayerSlots() < 2,
}, async () => {
  await withTempDir(async (tmp) => {
    await writeContext(`${tmp}/ctx`);
    await Deno.mkdir(`${tmp}/spool`);
    const { fs } = gatedFs({ failB: true });
    const output = await openOutput(`${tmp}/out`);
    await assert.rejects(
      () =>
        buildImage({
          context: `${tmp}/ctx`,
          dockerfile: DOCKERFILE,
          fs,
          output,
          tags: ["x:v1"],
          hasher: nodeHasherFactory,
          spoolDir: `${tmp}/spool`,
        }),
      /the disk under b\.bin failed/,
    );
    assertEquals(await Array.fromAsync(output.tags()), []);
    assertEquals([...Deno.readDirSync(`${tmp}/spool`)], []);
  });
});

Deno.test("LayerWrites keeps at most its slots busy and reports the first failure", async () => {
  const writes = new LayerWrites(2);
  let busy = 0;
  let most = 0;
  const releases: (() => void)[] = [];
  const write = (): Promise<void> =>
    new Promise<void>((resolve) => {
      busy++;
      most = Math.max(most, busy);
      releases.push(() => {
        busy--;
        resolve();
      });
    });
  await writes.start(write);
  await writes.start(write);
  let third = false;
  const starting = writes.start(write).then(() => {
    third = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 0));
  assertEquals([busy, third], [2, false]);
  releases.shift()!();
  await starting;
  assertEquals([busy, most, third], [2, 2, true]);
  while (releases.length > 0) releases.shift()!();
  await writes.drain();
  assertEquals(busy, 0);

  const { outcome } = await writes.start(() => Promise.reject(new Error("first")));
  await assert.rejects(outcome, /first/);
  await writes.drain();
  assert(writes.signal.aborted, "a failure stops the other writes");
  writes.fail(new Error("second"));
  assert.throws(() => writes.check(), /first/);
  await assert.rejects(writes.start(write), /first/);
});

Deno.test("build: platforms built side by side give each platform's own build, in order", async () => {
  await withTempDir(async (tmp) => {
    await writeFiles(`${tmp}/ctx`, { "a.bin": "a\n", "b.bin": "b\n", "c.txt": "c\n" });
    const platforms = ["linux/arm64", "linux/amd64", "linux/arm/v7"];
    const output = await openOutput(`${tmp}/out`);
    const common = { context: `${tmp}/ctx`, dockerfile: DOCKERFILE, fs: nodeFs };
    const all = await buildImage({ ...common, output, platforms, hasher: nodeHasherFactory });
    assertEquals(
      all.manifests.map((m) => m.descriptor.platform),
      [
        { os: "linux", architecture: "arm64" },
        { os: "linux", architecture: "amd64" },
        { os: "linux", architecture: "arm", variant: "v7" },
      ],
    );
    for (const [i, platform] of platforms.entries()) {
      const alone = await buildImage({
        ...common,
        output: await openOutput(`${tmp}/alone-${i}`),
        platforms: [platform],
        hasher: nodeHasherFactory,
      });
      assertEquals(all.manifests[i]!.descriptor.digest, alone.descriptor.digest, platform);
      const { manifest } = await readImage(output, all.manifests[i]!.descriptor);
      assertEquals(manifest.layers.length, 3);
    }
  });
});
