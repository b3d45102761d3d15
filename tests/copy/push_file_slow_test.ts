/**
 * Pushing a layout blob from its file (sent by the runtime, checked by a second read on the
 * hashing thread) to a registry: Distribution 2.8 and the in-process embedded registry. Under
 * `deno test` with `denoFs` (the file's tail sent as its own `readable`) and with an `Fs` whose
 * bodies are any range of the file (as Bun's `Bun.file` slices), then the compiled binary (Bun)
 * with and without the hashing thread. The runtimes' own `fileBody` checks are in
 * tests/runtime/file_body_test.ts.
 */
import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { distributionAvailable, startDistribution } from "../_helpers/distribution.ts";
import { denoFs, nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import type { Fs } from "../../lib/content/fs.ts";
import { LayoutStore } from "../../lib/layout/layout_store.ts";
import { blobPath } from "../../lib/layout/oci_layout.ts";
import { copy } from "../../lib/copy/copy.ts";
import { fetchAll } from "../../lib/content/fetch_all.ts";
import type { Descriptor } from "../../lib/oci/descriptor.ts";
import { Registry, type RegistryOptions } from "../../lib/registry/registry.ts";
import { createLayoutRepositoryProvider, createRegistryHandler } from "../../lib/server/mod.ts";
import { smallImage } from "../registry/_fixtures.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";
import { bunCompileArgs } from "../_helpers/bun.ts";
import { EXIT } from "../../lib/cli/exit_codes.ts";
import { within } from "../_helpers/deadline.ts";
import { startLyingProxy } from "../registry/_lying_proxy.ts";

const bun = findPeer("bun");
const REPO = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/** Above the size from which a blob is pushed from its file. */
const LAYER_BYTES = 9 * 1024 * 1024;

/** `denoFs` with bodies of any range of the file (its bytes as they are at each send). */
const rangesFs: Fs = {
  ...denoFs,
  async fileBody(path: string, size: number) {
    const st = await Deno.stat(path).catch(() => undefined);
    if (st === undefined || !st.isFile || st.size !== size) return undefined;
    return {
      ranges: true,
      open: async (start: number, end: number) =>
        new Blob([(await Deno.readFile(path)).subarray(start, end)]),
    };
  },
};

/** The file systems the tests run over: Deno's own (tails), and one with ranges (as Bun's). */
const FILE_SYSTEMS: Array<[string, Fs]> = [["denoFs", denoFs], ["ranges", rangesFs]];

interface Fixture {
  dir: string;
  layer: Descriptor;
  layerBytes: Uint8Array;
  manifest: Descriptor;
}

/** A layout with one image: a config, a 9 MiB layer, the manifest tagged v1. */
async function layoutWithImage(): Promise<Fixture> {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-push-file-" });
  const image = await smallImage("push-file", LAYER_BYTES);
  const layout = await LayoutStore.open(dir, nodeFs, { create: true, hasher: nodeHasherFactory });
  for (const c of image) await layout.push(c.desc, c.bytes);
  await layout.tag(image[2]!.desc, "v1");
  return { dir, layer: image[1]!.desc, layerBytes: image[1]!.bytes, manifest: image[2]!.desc };
}

/** A registry client that records the method of every request. */
function recording(
  host: string,
  methods: string[],
  opts: RegistryOptions = {},
): Registry {
  const inner = opts.fetch ?? ((input, init) => fetch(input, init));
  return new Registry(host, {
    plainHttp: true,
    hasher: nodeHasherFactory,
    ...opts,
    fetch: (input, init) => {
      methods.push(init?.method ?? "GET");
      return inner(input, init);
    },
  });
}

/** Changes one byte in the middle of the layer's file, keeping its size. */
async function alterLayer(f: Fixture): Promise<void> {
  const path = `${f.dir}/${blobPath(f.layer.digest)}`;
  const bytes = await Deno.readFile(path);
  const mid = bytes.length >> 1;
  bytes[mid] = bytes[mid]! ^ 0xff;
  await Deno.writeFile(path, bytes);
}

/** Whether the registry has the layer, and whether the tag resolves. */
async function stored(registry: Registry, f: Fixture): Promise<[boolean, boolean]> {
  const repo = registry.repository("app");
  const tagged = await repo.resolve("v1").then(() => true, () => false);
  return [await repo.exists(f.layer), tagged];
}

async function withDistribution(
  fn: (host: string) => Promise<void>,
): Promise<void> {
  const reg = await startDistribution();
  try {
    await fn(reg.host);
  } finally {
    await reg.stop();
  }
}

async function withEmbedded(fn: (fetchFn: RegistryOptions["fetch"]) => Promise<void>) {
  const root = await Deno.makeTempDir({ prefix: "ocisign-push-file-serve-" });
  try {
    const handler = createRegistryHandler({
      repositories: createLayoutRepositoryProvider({ root, fs: nodeFs, hasher: nodeHasherFactory }),
      hasher: nodeHasherFactory,
    });
    await fn((input, init) => handler(new Request(input, init)));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/** Both destinations: Distribution (when installed) and the embedded registry. */
const destinations: Array<{
  name: string;
  ignore: boolean;
  run: (fn: (open: (methods: string[]) => Registry) => Promise<void>) => Promise<void>;
}> = [
  {
    name: "Distribution",
    ignore: !distributionAvailable(),
    run: (fn) => withDistribution((host) => fn((methods) => recording(host, methods))),
  },
  {
    name: "the embedded registry",
    ignore: false,
    run: (fn) =>
      withEmbedded((fetchFn) =>
        fn((methods) => recording("registry.test", methods, { fetch: fetchFn }))
      ),
  },
];

for (const d of destinations) {
  for (const [fsName, fs] of FILE_SYSTEMS) {
    Deno.test({
      name:
        `cp to ${d.name} (${fsName}): a layout blob sent from its file keeps its digests and reports progress`,
      ignore: d.ignore,
    }, async () => {
      const f = await layoutWithImage();
      try {
        await d.run(async (open) => {
          const methods: string[] = [];
          const registry = open(methods);
          const src = await LayoutStore.open(f.dir, fs, { hasher: nodeHasherFactory });
          const progress: number[] = [];
          await copy(src, "v1", registry.repository("app"), "v1", {
            onBytes: (desc, bytes) => {
              if (desc.digest === f.layer.digest) progress.push(bytes);
            },
          });
          const repo = registry.repository("app");
          assertEquals((await repo.resolve("v1")).digest, f.manifest.digest);
          // Fetched back and verified against its digest.
          const back = await fetchAll(repo, f.layer, { maxBytes: LAYER_BYTES });
          assert(back.every((b, i) => b === f.layerBytes[i]), "the registry has the layer's bytes");
          assert(methods.includes("PATCH"), `the layer went in PATCH slices: ${methods}`);
          assertEquals(progress[0], 0);
          assertEquals(progress.at(-1), LAYER_BYTES);
        });
      } finally {
        await Deno.remove(f.dir, { recursive: true });
      }
    });

    Deno.test({
      name:
        `cp to ${d.name} (${fsName}): a layout blob altered on disk fails, nothing committed, no manifest`,
      ignore: d.ignore,
    }, async () => {
      const f = await layoutWithImage();
      try {
        await alterLayer(f);
        await d.run(async (open) => {
          const methods: string[] = [];
          const registry = open(methods);
          const src = await LayoutStore.open(f.dir, fs, { hasher: nodeHasherFactory });
          const err = await assertRejectsCode(
            () => copy(src, "v1", registry.repository("app"), "v1"),
            "ERR_DIGEST_MISMATCH",
          );
          assertEquals(err.details?.origin, "source");
          assert(methods.includes("PATCH"), `the layer went in PATCH slices: ${methods}`);
          // The session is cancelled, never committed: no PUT of the layer at all.
          assert(methods.includes("DELETE"), `the upload session is cancelled: ${methods}`);
          assertEquals(await stored(open([]), f), [false, false]);
        });
      } finally {
        await Deno.remove(f.dir, { recursive: true });
      }
    });

    Deno.test({
      name:
        `pushChecked to ${d.name} (${fsName}): the check gates the commit (file changed after its body was taken)`,
      ignore: d.ignore,
    }, async () => {
      const f = await layoutWithImage();
      try {
        const src = await LayoutStore.open(f.dir, fs, { hasher: nodeHasherFactory });
        // The Blob holds the right bytes; the file is then cut short, and altered: the upload alone
        // would be accepted, the check must refuse it.
        for (
          const [change, code] of [
            [
              () => Deno.truncate(`${f.dir}/${blobPath(f.layer.digest)}`, LAYER_BYTES - 1),
              "ERR_SIZE_MISMATCH",
            ],
            [() => alterLayer(f), "ERR_DIGEST_MISMATCH"],
          ] as const
        ) {
          await d.run(async (open) => {
            const file = await src.blobFile(f.layer);
            assert(file !== undefined, "the layout gives the layer's file");
            await change();
            const repo = open([]).repository("app");
            await assertRejectsCode(
              () => repo.pushChecked(f.layer, file.body, (signal) => file.check({ signal })),
              code,
            );
            assertEquals(await repo.exists(f.layer), false);
          });
          await Deno.writeFile(`${f.dir}/${blobPath(f.layer.digest)}`, f.layerBytes);
        }
      } finally {
        await Deno.remove(f.dir, { recursive: true });
      }
    });
  }
}

Deno.test("cp: a layout blob shorter than its descriptor fails with ERR_SIZE_MISMATCH", {
  ignore: !distributionAvailable(),
}, async () => {
  const f = await layoutWithImage();
  try {
    await Deno.truncate(`${f.dir}/${blobPath(f.layer.digest)}`, LAYER_BYTES - 1);
    await withDistribution(async (host) => {
      const registry = recording(host, []);
      const src = await LayoutStore.open(f.dir, denoFs, { hasher: nodeHasherFactory });
      const err = await assertRejectsCode(
        () => copy(src, "v1", registry.repository("app"), "v1"),
        "ERR_SIZE_MISMATCH",
      );
      assertEquals(err.details?.origin, "source");
      assertEquals(await stored(registry, f), [false, false]);
    });
  } finally {
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test({
  name:
    "the compiled binary (Bun) pushes a layout blob from its file, and refuses an altered one (hashing thread, and OCISIGN_HASH_THREADS=0)",
  ignore: bun === undefined || !distributionAvailable(),
}, async () => {
  const f = await layoutWithImage();
  const work = await Deno.makeTempDir({ prefix: "ocisign-push-file-bin-" });
  try {
    const binary = `${work}/ocisign`;
    const build = await runPeer(bun!, bunCompileArgs(binary), { cwd: REPO });
    assertEquals(build.code, 0, build.stderr);
    const layerPath = `${f.dir}/${blobPath(f.layer.digest)}`;
    await withDistribution(async (host) => {
      for (const threads of ["default", "0"]) {
        const env: Record<string, string> = threads === "0" ? { OCISIGN_HASH_THREADS: "0" } : {};
        const push = (repo: string) =>
          runPeer(binary, [
            "cp",
            "--debug",
            "--from-oci-layout",
            `${f.dir}:v1`,
            `${host}/${repo}:v1`,
            "--to-plain-http",
          ], { env });
        const good = `app-${threads}`;
        const done = await push(good);
        assertEquals(done.code, 0, done.stderr);
        // `--debug` lists the requests: the layer went in PATCH slices, not one streamed PUT.
        assert.match(done.stderr, new RegExp(`PATCH http://[^ ]+/v2/${good}/blobs/uploads/`));
        const registry = recording(host, []);
        const repo = registry.repository(good);
        assertEquals((await repo.resolve("v1")).digest, f.manifest.digest);
        const back = await fetchAll(repo, f.layer, { maxBytes: LAYER_BYTES });
        assert(back.every((b, i) => b === f.layerBytes[i]), "the registry has the layer's bytes");

        await alterLayer(f);
        const bad = `other-${threads}`;
        const refused = await push(bad);
        assertEquals(refused.code, EXIT.INVALID_INPUT, refused.stderr);
        assert.match(refused.stderr, /digest mismatch/i);
        assert.match(refused.stderr, new RegExp(`PATCH http://[^ ]+/v2/${bad}/blobs/uploads/`));
        assert.match(refused.stderr, new RegExp(`DELETE http://[^ ]+/v2/${bad}/blobs/uploads/`));
        const other = registry.repository(bad);
        assertEquals(await other.exists(f.layer), false);
        assertEquals(await other.resolve("v1").then(() => true, () => false), false);
        await Deno.writeFile(layerPath, f.layerBytes);
      }
    });
  } finally {
    await Deno.remove(work, { recursive: true });
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test({
  name:
    "cp from a layout file: a registry that stops taking a slice times out, a lost commit is retried",
  ignore: !distributionAvailable(),
}, async () => {
  const f = await layoutWithImage();
  const reg = await startDistribution();
  const proxy = startLyingProxy(reg.url);
  try {
    const methods: string[] = [];
    const registry = recording(proxy.host, methods, {
      timeoutMs: 400,
      retry: { maxRetries: 1, baseDelayMs: 5, maxDelayMs: 20 },
    });
    const src = await LayoutStore.open(f.dir, denoFs, { hasher: nodeHasherFactory });
    // The registry stops reading a PATCH slice: one slice is one wait of the idle timeout.
    proxy.lie = { kind: "stall-upload" };
    await within(
      assertRejectsCode(() => copy(src, "v1", registry.repository("app"), "v1"), "ERR_TIMEOUT"),
      30_000,
      "the timeout",
    );
    assert(methods.includes("PATCH"), `the layer went in PATCH slices: ${methods}`);
    assertEquals(await stored(recording(reg.host, []), f), [false, false]);
    // The commit (`PUT ?digest=`) answered 502 once: the copy starts the upload again.
    proxy.lie = { kind: "fail-upload", digest: f.layer.digest, times: 1 };
    methods.length = 0;
    await copy(src, "v1", registry.repository("app"), "v1");
    assertEquals(proxy.lie.times, 0);
    assertEquals(methods.filter((m) => m === "POST").length >= 2, true, `${methods}`);
    assertEquals(await stored(recording(reg.host, []), f), [true, true]);
  } finally {
    await proxy.stop();
    await reg.stop();
    await Deno.remove(f.dir, { recursive: true });
  }
});

for (const [fsName, fs] of FILE_SYSTEMS) {
  Deno.test({
    name:
      `cp from a layout file (${fsName}): a registry that refuses a PATCH slice fails clearly, nothing committed`,
    ignore: !distributionAvailable(),
  }, async () => {
    const f = await layoutWithImage();
    const reg = await startDistribution();
    const proxy = startLyingProxy(reg.url);
    try {
      const methods: string[] = [];
      const registry = recording(proxy.host, methods);
      const src = await LayoutStore.open(f.dir, fs, { hasher: nodeHasherFactory });
      proxy.lie = { kind: "refuse-patch" };
      const err = await within(
        assertRejectsCode(
          () => copy(src, "v1", registry.repository("app"), "v1"),
          "ERR_REGISTRY",
        ),
        30_000,
        "the refusal",
      );
      assertEquals(err.details?.origin, "destination");
      assert.match(err.message, /Cannot upload a chunk of .*answered 400: BLOB_UPLOAD_INVALID/);
      assert(methods.includes("DELETE"), `the upload session is cancelled: ${methods}`);
      assertEquals(await stored(recording(reg.host, []), f), [false, false]);
    } finally {
      await proxy.stop();
      await reg.stop();
      await Deno.remove(f.dir, { recursive: true });
    }
  });
}
