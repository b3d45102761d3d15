import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { buildImage } from "../../lib/image_builder/mod.ts";
import { MemoryStore } from "../../lib/content/memory_store.ts";
import {
  nodeFs,
  nodeHasherFactory,
  readImage,
  readLayer,
  withTempDir,
  writeFiles,
} from "./_helpers.ts";

async function build(ctx: string, dockerfile: string, buildArgs: Record<string, string> = {}) {
  const store = new MemoryStore();
  const result = await buildImage({
    context: ctx,
    dockerfile,
    fs: nodeFs,
    output: store,
    hasher: nodeHasherFactory,
    buildArgs,
    timestamp: 1700000000,
  });
  return { store, ...(await readImage(store, result.descriptor)) };
}

Deno.test("buildImage() expands the Dockerfile 1.7 pattern substitutions in instructions", async () => {
  await withTempDir(async (ctx) => {
    await writeFiles(ctx, { "app-1.2.3.tar.txt": "payload" });
    const { store, manifest, config } = await build(
      ctx,
      [
        "# syntax=docker/dockerfile:1.7",
        "FROM scratch",
        "ARG FILE=app-1.2.3.tar.txt",
        "ARG IMAGE=registry.example/team/tool:v2.5",
        "ENV NAME=${FILE%%-*} VERSION=${FILE#*-}",
        "ENV VERSION=${VERSION%.tar.txt}",
        "WORKDIR /opt/${NAME}/${VERSION//./_}",
        "COPY ${FILE} ./${FILE/.tar/}",
        "LABEL repo=${IMAGE%:*} tag=${IMAGE##*:} short=${IMAGE#*/} stem=${IMAGE%%/*}",
        "LABEL keep=${UNSET:-fallback} alt=${NAME:+set}",
      ].join("\n"),
    );
    assert(config.config!.Env!.includes("NAME=app"));
    assert(config.config!.Env!.includes("VERSION=1.2.3"));
    assertEquals(config.config!.WorkingDir, "/opt/app/1_2_3");
    assertEquals(config.config!.Labels, {
      repo: "registry.example/team/tool",
      tag: "v2.5",
      short: "team/tool:v2.5",
      stem: "registry.example",
      keep: "fallback",
      alt: "set",
    });
    const entries = await readLayer(store, manifest.layers[1]!);
    const file = entries.find((e) => e.header.path === "opt/app/1_2_3/app-1.2.3.txt");
    assertEquals(new TextDecoder().decode(file?.content), "payload");
  });
});

Deno.test("buildImage() fails with the line on a bad pattern substitution", async () => {
  await withTempDir(async (ctx) => {
    await assertRejectsCode(
      () => build(ctx, "FROM scratch\nARG A=x\nENV B=${A:#x}\n"),
      "ERR_BUILD",
      'Dockerfile line 3: ENV: Cannot expand "${A:#x}": unsupported modifier (:#)',
    );
  });
});

Deno.test("buildImage() keeps refusing RUN when it has a heredoc", async () => {
  await withTempDir(async (ctx) => {
    const err = await assertRejectsCode(
      () => build(ctx, "FROM scratch\nENV A=1\nRUN <<EOF\nset -e\necho hi > /x\nEOF\nENV B=2\n"),
      "ERR_BUILD",
      "line 3: RUN needs a container runtime",
    );
    assertEquals((err as { details?: unknown }).details, { line: 3, instruction: "RUN" });
  });
});
