import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { buildImage } from "../../lib/image_builder/mod.ts";
import type { BuildImageOptions } from "../../lib/image_builder/mod.ts";
import { MemoryStore } from "../../lib/content/memory_store.ts";
import {
  nodeFs,
  nodeHasherFactory,
  readImage,
  readLayer,
  withTempDir,
  writeFiles,
} from "./_helpers.ts";

async function build(
  ctx: string,
  dockerfile: string,
  extra: Partial<BuildImageOptions> = {},
): Promise<{ store: MemoryStore; result: Awaited<ReturnType<typeof buildImage>> }> {
  const store = new MemoryStore();
  const result = await buildImage({
    context: ctx,
    dockerfile,
    fs: nodeFs,
    output: store,
    hasher: nodeHasherFactory,
    ...extra,
  });
  return { store, result };
}

Deno.test("buildImage() records config-only instructions as Docker does", async () => {
  await withTempDir(async (ctx) => {
    const { store, result } = await build(
      ctx,
      [
        "# escape=`",
        "ARG TAG=scratch",
        "FROM $TAG",
        "MAINTAINER someone@example.com",
        "ENV LEGACY some value with spaces",
        "ENV A=1 `",
        '    B="two words"',
        'SHELL ["/bin/bash", "-eu", "-c"]',
        "CMD echo $A",
        "EXPOSE 8000-8002/tcp",
        "HEALTHCHECK NONE",
        "ONBUILD COPY . /src",
        "WORKDIR work",
        "WORKDIR ../other/./dir",
        "",
      ].join("\n"),
      { labels: { "org.opencontainers.image.source": "test" }, platforms: ["linux/arm/v7"] },
    );
    assertEquals(result.manifests.length, 1);
    const { manifest, config } = await readImage(store, result.manifests[0]!.descriptor);
    assertEquals([config.architecture, config.variant], ["arm", "v7"]);
    assertEquals(config.author, "someone@example.com");
    const c = config.config!;
    assert(c.Env!.includes("LEGACY=some value with spaces"));
    assert(c.Env!.includes("B=two words"));
    assertEquals(c.Shell, ["/bin/bash", "-eu", "-c"]);
    assertEquals(c.Cmd, ["/bin/bash", "-eu", "-c", "echo $A"]);
    assertEquals(Object.keys(c.ExposedPorts!), ["8000/tcp", "8001/tcp", "8002/tcp"]);
    assertEquals(c.Healthcheck, { Test: ["NONE"] });
    assertEquals(c.OnBuild, ["COPY . /src"]);
    assertEquals(c.WorkingDir, "/other/dir");
    assertEquals(c.Labels, { "org.opencontainers.image.source": "test" });
    const dirs = [
      ...(await readLayer(store, manifest.layers[0]!)),
      ...(await readLayer(store, manifest.layers[1]!)),
    ];
    assertEquals(dirs.map((e) => [e.header.path, e.header.type]), [
      ["work", "directory"],
      ["other", "directory"],
      ["other/dir", "directory"],
    ]);
  });
});

Deno.test("buildImage() uses build args for ARG before FROM and in stages", async () => {
  await withTempDir(async (ctx) => {
    await writeFiles(ctx, { "x.txt": "x" });
    const { store, result } = await build(
      ctx,
      "ARG DEST=/default\nFROM scratch\nARG DEST\nARG MODE=0644\nCOPY --chmod=$MODE x.txt ${DEST}/\nLABEL dest=$DEST\n",
      { buildArgs: { DEST: "/override", MODE: "0600" } },
    );
    const { manifest, config } = await readImage(store, result.descriptor);
    assertEquals(config.config!.Labels, { dest: "/override" });
    const entries = await readLayer(store, manifest.layers[0]!);
    assertEquals(entries.map((e) => [e.header.path, e.header.mode]), [
      ["override", 0o755],
      ["override/x.txt", 0o600],
    ]);
  });
});

Deno.test("buildImage() gives clear errors for unsupported or invalid input", async () => {
  await withTempDir(async (ctx) => {
    await writeFiles(ctx, { "x.txt": "x" });
    await assertRejectsCode(
      () => build(ctx, "FROM scratch\nCOPY missing.txt /\n"),
      "ERR_BUILD",
      "line 2: missing.txt not found",
    );
    await assertRejectsCode(
      () => build(ctx, "FROM scratch\nADD --keep-git-dir=true . /\n"),
      "ERR_BUILD",
      "ADD --keep-git-dir is not supported",
    );
    await assertRejectsCode(
      () => build(ctx, "FROM alpine:3\n"),
      "ERR_BUILD",
      "no base-image resolver",
    );
    await assertRejectsCode(
      () => build(ctx, "ENV A=1\nFROM scratch\n"),
      "ERR_BUILD",
      "before the first FROM",
    );
    await assertRejectsCode(
      () => build(ctx, "FROM scratch\nCOPY --chmod=u+q x.txt /\n"),
      "ERR_BUILD",
      "invalid --chmod=u+q",
    );
    await assertRejectsCode(
      () => build(ctx, "FROM scratch\nSHELL /bin/sh\n"),
      "ERR_BUILD",
      "JSON form",
    );
    await assertRejectsCode(
      () => build(ctx, "FROM scratch\nEXPOSE http\n"),
      "ERR_BUILD",
      "invalid port",
    );
    await assertRejectsCode(
      () => build(ctx, "FROM scratch\nONBUILD FROM x\n"),
      "ERR_BUILD",
      "line 2",
    );
    await assertRejectsCode(
      () => build(ctx, "FROM scratch\nCOPY x.txt /\n", { target: "nope" }),
      "ERR_BUILD",
      "no stage named nope",
    );
    await assertRejectsCode(
      () => build(ctx, "FROM scratch\nCOPY x.txt /\n", { signal: AbortSignal.abort() }),
      "ERR_ABORTED",
    );
  });
});

Deno.test("buildImage() runs an inherited ONBUILD trigger and fails on an inherited RUN", async () => {
  await withTempDir(async (ctx) => {
    await writeFiles(ctx, { "x.txt": "x" });
    const base = await build(ctx, "FROM scratch\nONBUILD RUN make\n", { tags: ["img:base"] });
    const err = await assertRejectsCode(
      () =>
        build(ctx, "FROM base-image\n", {
          resolveBase: () => Promise.resolve({ target: base.store, reference: "base" }),
        }),
      "ERR_BUILD",
      "RUN needs a container runtime",
    );
    assert(err.message.includes("line 1"), err.message);
  });
});

Deno.test("buildImage() copies files out of another image with COPY --from=<image>", async () => {
  await withTempDir(async (ctx) => {
    await writeFiles(ctx, { "conf/app.conf": "setting=1\n", "conf/other": "o\n" });
    const base = await build(ctx, "FROM scratch\nCOPY conf /etc/conf/\n", { tags: ["img:tools"] });
    const { store, result } = await build(
      ctx,
      "FROM scratch\nCOPY --from=example.com/tools:1 /etc/conf/app.conf /app.conf\n",
      {
        resolveBase: (ref) => {
          assertEquals(ref, "example.com/tools:1");
          return Promise.resolve({ target: base.store, reference: "tools" });
        },
      },
    );
    const { manifest } = await readImage(store, result.descriptor);
    const entries = await readLayer(store, manifest.layers[0]!);
    assertEquals(entries.map((e) => e.header.path), ["app.conf"]);
    assertEquals(new TextDecoder().decode(entries[0]!.content), "setting=1\n");
  });
});

Deno.test("buildImage() prefers <Dockerfile>.dockerignore over .dockerignore", async () => {
  await withTempDir(async (ctx) => {
    await writeFiles(ctx, {
      "a.txt": "a",
      "b.txt": "b",
      ".dockerignore": "a.txt\n",
      "app.Dockerfile": "FROM scratch\nCOPY *.txt /\n",
      "app.Dockerfile.dockerignore": "b.txt\n",
    });
    const { store, result } = await build(ctx, `${ctx}/app.Dockerfile`);
    const { manifest } = await readImage(store, result.descriptor);
    const entries = await readLayer(store, manifest.layers[0]!);
    assertEquals(entries.map((e) => e.header.path), ["a.txt"]);
  });
});
