import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { buildImage } from "../../lib/image_builder/mod.ts";
import { createLayoutBaseResolver } from "../../lib/image_builder/mod.ts";
import type { BaseResolver } from "../../lib/image_builder/mod.ts";
import { LayoutTar } from "../../lib/layout/mod.ts";
import {
  havePeer,
  nodeFs,
  nodeHasherFactory,
  openOutput,
  readImage,
  readLayer,
  run,
  withTempDir,
  writeFiles,
} from "./_helpers.ts";

const ODD = "odd name ☃ $x 'q' [1].txt";
const LONG_DIR = `${"long-directory-name-".repeat(4)}/${"nested-".repeat(6)}`;
const LONG = `${LONG_DIR}/file.txt`;

async function makeContext(dir: string): Promise<void> {
  await writeFiles(dir, {
    "a.txt": "alpha\n",
    "bin/run": "#!/bin/sh\necho run\n",
    "dir/sub/deep.txt": "deep\n",
    [ODD]: "odd\n",
    [LONG]: "long\n",
    "debug.log": "ignored\n",
    "keep.log": "kept\n",
    "secret/key": "nope\n",
    ".dockerignore": "*.log\n!keep.log\nsecret\n",
    Dockerfile: [
      "# syntax=docker/dockerfile:1",
      "ARG BASE=scratch",
      "FROM ${BASE}",
      "ARG APPDIR=/srv/app VERSION",
      "ENV HOME=/home/app \\",
      '    GREETING="hello world"',
      "LABEL org.example.name=demo version=${VERSION:-0.0.0}",
      "COPY . ${APPDIR}/",
      "COPY --chown=1000:100 --chmod=0700 bin/run /usr/local/bin/",
      "WORKDIR $APPDIR",
      "USER 1000:100",
      "EXPOSE 8080 53/udp",
      "VOLUME /data",
      "STOPSIGNAL SIGTERM",
      'HEALTHCHECK --interval=30s --retries=3 CMD ["/usr/local/bin/run"]',
      'ENTRYPOINT ["/usr/local/bin/run"]',
      "CMD serve --port 8080",
      "",
    ].join("\n"),
  });
  await Deno.chmod(`${dir}/a.txt`, 0o640);
  await Deno.chmod(`${dir}/bin/run`, 0o755);
  await Deno.chmod(`${dir}/dir/sub`, 0o700);
  await Deno.symlink("../a.txt", `${dir}/dir/link`);
  await Deno.symlink("/etc/passwd", `${dir}/outside`);
  await Deno.link(`${dir}/a.txt`, `${dir}/hard.txt`);
}

Deno.test("buildImage() builds a context into a reproducible image that umoci and skopeo read", async (t) => {
  await withTempDir(async (tmp) => {
    const ctx = `${tmp}/ctx`;
    await makeContext(ctx);
    const digests: string[] = [];
    for (const name of ["one", "two"]) {
      const output = await openOutput(`${tmp}/${name}`);
      const result = await buildImage({
        context: ctx,
        fs: nodeFs,
        output,
        tags: ["demo:v1"],
        buildArgs: { VERSION: "1.2.3" },
        timestamp: 1700000000,
        hasher: nodeHasherFactory,
      });
      assertEquals(result.tags, ["v1"]);
      assertEquals((await output.resolve("v1")).digest, result.descriptor.digest);
      digests.push(result.descriptor.digest);
    }
    assertEquals(digests[0], digests[1], "the same inputs give the same digest");

    const output = await openOutput(`${tmp}/one`);
    const { manifest, config } = await readImage(output, await output.resolve("v1"));
    assertEquals(config.created, "2023-11-14T22:13:20Z");
    assertEquals(config.architecture, "amd64");
    assertEquals(config.os, "linux");
    const c = config.config!;
    assertEquals(c.Env, [
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "HOME=/home/app",
      "GREETING=hello world",
    ]);
    assertEquals(c.Labels, { "org.example.name": "demo", version: "1.2.3" });
    assertEquals(c.WorkingDir, "/srv/app");
    assertEquals(c.User, "1000:100");
    assertEquals(c.ExposedPorts, { "53/udp": {}, "8080/tcp": {} });
    assertEquals(c.Volumes, { "/data": {} });
    assertEquals(c.StopSignal, "SIGTERM");
    assertEquals(c.Healthcheck, {
      Test: ["CMD", "/usr/local/bin/run"],
      Interval: 30e9,
      Retries: 3,
    });
    assertEquals(c.Entrypoint, ["/usr/local/bin/run"]);
    assertEquals(c.Cmd, ["/bin/sh", "-c", "serve --port 8080"]);
    assertEquals(manifest.layers.length, 2);
    assertEquals(config.rootfs.diff_ids.length, 2);
    assertEquals(config.history!.filter((h) => !h.empty_layer).length, 2);

    const layer = await readLayer(output, manifest.layers[0]!);
    const byPath = new Map(layer.map((e) => [e.header.path, e]));
    const paths = layer.map((e) => e.header.path);
    assertEquals(paths, [...paths].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    assert(!byPath.has("srv/app/debug.log") && !byPath.has("srv/app/secret/key"), ".dockerignore");
    assert(byPath.has("srv/app/keep.log"), "! exception");
    assertEquals(byPath.get("srv/app/a.txt")!.header.mode, 0o640);
    assertEquals(byPath.get("srv/app/dir/sub")!.header.mode, 0o700);
    assertEquals(byPath.get("srv/app/dir/link")!.header.type, "symlink");
    assertEquals(byPath.get("srv/app/dir/link")!.header.linkname, "../a.txt");
    assertEquals(byPath.get("srv/app/outside")!.header.linkname, "/etc/passwd");
    const hard = [byPath.get("srv/app/a.txt")!, byPath.get("srv/app/hard.txt")!];
    assertEquals(hard.map((e) => e.header.type), ["file", "hardlink"]);
    assertEquals(hard[1]!.header.linkname, "srv/app/a.txt");
    assertEquals(new TextDecoder().decode(byPath.get(`srv/app/${ODD}`)!.content), "odd\n");
    assertEquals(new TextDecoder().decode(byPath.get(`srv/app/${LONG}`)!.content), "long\n");
    assert(layer.every((e) => e.header.uid === 0 && e.header.gid === 0));
    const second = await readLayer(output, manifest.layers[1]!);
    const runEntry = second.find((e) => e.header.path === "usr/local/bin/run")!;
    assertEquals([runEntry.header.uid, runEntry.header.gid, runEntry.header.mode], [
      1000,
      100,
      0o700,
    ]);
    assertEquals(second.map((e) => e.header.path), [
      "usr",
      "usr/local",
      "usr/local/bin",
      "usr/local/bin/run",
    ]);

    await t.step({
      name: "skopeo inspects the image at the same digest",
      ignore: !havePeer("skopeo"),
      fn: () => {
        const inspect = run("skopeo", ["inspect", `oci:${tmp}/one:v1`]);
        assertEquals(inspect.code, 0, inspect.out);
        assertEquals(JSON.parse(inspect.out).Digest, digests[0]);
      },
    });
    await t.step({
      name: "umoci unpacks the image: long names, symlinks and modes kept",
      ignore: !havePeer("umoci"),
      fn: async () => {
        const unpack = run("umoci", [
          "unpack",
          "--rootless",
          "--image",
          `${tmp}/one:v1`,
          `${tmp}/bundle`,
        ]);
        assertEquals(unpack.code, 0, unpack.out);
        const root = `${tmp}/bundle/rootfs`;
        assertEquals(await Deno.readTextFile(`${root}/srv/app/${LONG}`), "long\n");
        assertEquals(await Deno.readLink(`${root}/srv/app/outside`), "/etc/passwd");
        assertEquals((await Deno.stat(`${root}/srv/app/a.txt`)).mode! & 0o777, 0o640);
        assertEquals((await Deno.stat(`${root}/usr/local/bin/run`)).mode! & 0o777, 0o700);
        const runtimeConfig = JSON.parse(await Deno.readTextFile(`${tmp}/bundle/config.json`));
        assertEquals(runtimeConfig.process.cwd, "/srv/app");
        assert(runtimeConfig.process.env.includes("GREETING=hello world"));
      },
    });
  });
});

Deno.test("buildImage() fails on RUN with the line number and says there is no runtime", async () => {
  await withTempDir(async (tmp) => {
    const err = await assertRejectsCode(
      () =>
        buildImage({
          context: tmp,
          dockerfile: "FROM scratch\nENV A=1\nRUN echo hi\n",
          fs: nodeFs,
          output: { exists: () => Promise.resolve(false) } as never,
        }),
      "ERR_BUILD",
      "line 3",
    );
    assert(err.message.includes("runtime"), err.message);
  });
});

Deno.test("buildImage() rejects sources outside the context and never follows symlinks out of it", async () => {
  await withTempDir(async (tmp) => {
    await writeFiles(`${tmp}/ctx`, { "a.txt": "a" });
    await writeFiles(tmp, { "secret.txt": "s" });
    await Deno.symlink("/etc", `${tmp}/ctx/etc-link`);
    await Deno.symlink("../secret.txt", `${tmp}/ctx/up-link`);
    await Deno.symlink("a.txt", `${tmp}/ctx/in-link`);
    await Deno.mkdir(`${tmp}/ctx/real-dir`);
    await Deno.writeTextFile(`${tmp}/ctx/real-dir/b.txt`, "b");
    await Deno.symlink("./real-dir", `${tmp}/ctx/dir-link`);
    const output = await openOutput(`${tmp}/out`);
    const build = (dockerfile: string) => () =>
      buildImage({
        context: `${tmp}/ctx`,
        dockerfile,
        fs: nodeFs,
        output,
        hasher: nodeHasherFactory,
      });
    await assertRejectsCode(
      build("FROM scratch\nCOPY ../secret.txt /\n"),
      "ERR_BUILD",
      "outside the build context",
    );
    await assertRejectsCode(
      build("FROM scratch\nCOPY etc-link/passwd /x\n"),
      "ERR_BUILD",
      "not found",
    );
    const result = await buildImage({
      context: `${tmp}/ctx`,
      dockerfile: [
        "FROM scratch",
        "COPY up-link /",
        "COPY etc-link /etc-link",
        "COPY in-link dir-link /followed/",
        "",
      ].join("\n"),
      fs: nodeFs,
      output,
      hasher: nodeHasherFactory,
    });
    const { manifest } = await readImage(output, result.descriptor);
    const entries = [];
    for (const layer of manifest.layers) entries.push(...await readLayer(output, layer));
    assertEquals(entries.map((e) => [e.header.path, e.header.type, e.header.linkname]), [
      ["up-link", "symlink", "../secret.txt"],
      ["etc-link", "symlink", "/etc"],
      ["followed", "directory", ""],
      ["followed/b.txt", "file", ""],
      ["followed/in-link", "file", ""],
    ]);
  });
});

Deno.test("buildImage() builds on a base image: names for --chown, base dirs and symlinks kept", async () => {
  await withTempDir(async (tmp) => {
    await writeFiles(`${tmp}/base`, {
      "root/etc/passwd": "root:x:0:0:root:/root:/bin/sh\napp:x:1234:2345::/home/app:/bin/sh\n",
      "root/etc/group": "root:x:0:\nstaff:x:3456:app\n",
      "root/run/.keep": "",
      "srv/readme": "base\n",
    });
    await Deno.symlink("/run", `${tmp}/base/root/var-run`);
    await writeFiles(`${tmp}/app`, { "f.txt": "file\n", "g.txt": "g\n" });
    const baseOut = await LayoutTar.open(`${tmp}/base.tar`, nodeFs, {
      create: true,
      hasher: nodeHasherFactory,
    });
    await buildImage({
      context: `${tmp}/base`,
      dockerfile: [
        "FROM scratch",
        "COPY root/ /",
        "COPY --chown=1234:2345 --chmod=0750 srv /srv",
        "ENV BASE_ENV=1",
        'CMD ["/bin/app"]',
        "ONBUILD LABEL from-onbuild=yes",
        "",
      ].join("\n"),
      fs: nodeFs,
      output: baseOut,
      tags: ["img:base"],
      hasher: nodeHasherFactory,
    });
    await baseOut.commit();
    await baseOut.close();
    const bases = createLayoutBaseResolver(nodeFs, { hasher: nodeHasherFactory });
    try {
      await buildOnBase(tmp, bases.resolve);
    } finally {
      await bases.close();
    }
  });
});

async function buildOnBase(tmp: string, resolveBase: BaseResolver): Promise<void> {
  const output = await openOutput(`${tmp}/out`);
  const result = await buildImage({
    context: `${tmp}/app`,
    dockerfile: [
      `FROM oci-layout://${tmp}/base.tar:base`,
      "COPY --chown=app:staff f.txt /srv/data/f.txt",
      "COPY g.txt /var-run/",
      'ENTRYPOINT ["/bin/sh"]',
      "",
    ].join("\n"),
    fs: nodeFs,
    output,
    tags: ["img:v2"],
    resolveBase,
    hasher: nodeHasherFactory,
  });
  const { manifest, config } = await readImage(output, result.descriptor);
  assertEquals(manifest.layers.length, 4, "two base layers and two new ones");
  for (const layer of manifest.layers) {
    assert(await output.exists(layer), "base layers are copied");
  }
  assert(config.config!.Env!.includes("BASE_ENV=1"));
  assertEquals(config.config!.Labels, { "from-onbuild": "yes" });
  assertEquals(config.config!.OnBuild, undefined);
  assertEquals(config.config!.Cmd, undefined, "ENTRYPOINT clears an inherited CMD");
  const copied = await readLayer(output, manifest.layers[2]!);
  assertEquals(copied.map((e) => [e.header.path, e.header.uid, e.header.gid]), [
    ["srv/data", 1234, 3456],
    ["srv/data/f.txt", 1234, 3456],
  ]);
  const throughLink = await readLayer(output, manifest.layers[3]!);
  assertEquals(throughLink.map((e) => e.header.path), ["run/g.txt"]);
  await assertRejectsCode(
    () =>
      buildImage({
        context: `${tmp}/app`,
        dockerfile: `FROM oci-layout://${tmp}/base.tar:base\nCOPY --chown=nobody f.txt /\n`,
        fs: nodeFs,
        output,
        resolveBase,
        hasher: nodeHasherFactory,
      }),
    "ERR_BUILD",
    "cannot find user nobody",
  );
}

Deno.test("buildImage() runs multi-stage builds and COPY --from a stage", async () => {
  await withTempDir(async (tmp) => {
    await writeFiles(tmp, { "a.txt": "from stage\n" });
    const output = await openOutput(`${tmp}/out`);
    const result = await buildImage({
      context: tmp,
      dockerfile: [
        "FROM scratch AS build",
        "COPY a.txt /out/a.txt",
        "FROM scratch AS unused",
        "COPY missing.txt /",
        "FROM scratch",
        "COPY --from=build /out/ /dist/",
        "",
      ].join("\n"),
      fs: nodeFs,
      output,
      hasher: nodeHasherFactory,
    });
    const { manifest } = await readImage(output, result.descriptor);
    assertEquals(manifest.layers.length, 1);
    const entries = await readLayer(output, manifest.layers[0]!);
    assertEquals(entries.map((e) => e.header.path), ["dist", "dist/a.txt"]);
    assertEquals(new TextDecoder().decode(entries[1]!.content), "from stage\n");
  });
});

Deno.test({
  name: "buildImage() extracts local tars with ADD and fetches URLs with a checksum",
  ignore: !havePeer("tar"),
}, async () => {
  await withTempDir(async (tmp) => {
    await writeFiles(`${tmp}/src`, { "pkg/bin/tool": "tool\n" });
    await Deno.symlink("bin/tool", `${tmp}/src/pkg/tool-link`);
    await Deno.link(`${tmp}/src/pkg/bin/tool`, `${tmp}/src/pkg/tool-hard`);
    await writeFiles(`${tmp}/ctx`, { "odd [1].txt": "odd" });
    assertEquals(run("tar", ["-czf", `${tmp}/ctx/pkg.tar.gz`, "-C", `${tmp}/src`, "pkg"]).code, 0);
    const payload = new TextEncoder().encode("downloaded\n");
    const sum = `sha256:${
      Buffer.from(await crypto.subtle.digest("SHA-256", payload)).toString("hex")
    }`;
    await using server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      () => new Response(payload),
    );
    const url = `http://127.0.0.1:${server.addr.port}/files/data.txt`;
    const output = await openOutput(`${tmp}/out`);
    const result = await buildImage({
      context: `${tmp}/ctx`,
      dockerfile:
        `FROM scratch\nADD pkg.tar.gz /opt/\nADD --checksum=${sum} ${url} /dl/\nADD odd* /plain/\n`,
      fs: nodeFs,
      output,
      fetch,
      hasher: nodeHasherFactory,
    });
    const { manifest } = await readImage(output, result.descriptor);
    const extracted = await readLayer(output, manifest.layers[0]!);
    const types = Object.fromEntries(extracted.map((e) => [e.header.path, e.header.type]));
    assertEquals(types["opt/pkg/bin/tool"], "file");
    assertEquals(types["opt/pkg/tool-link"], "symlink");
    assertEquals(types["opt/pkg/tool-hard"], "hardlink");
    const downloaded = await readLayer(output, manifest.layers[1]!);
    const file = downloaded.find((e) => e.header.path === "dl/data.txt")!;
    assertEquals(file.header.mode, 0o600);
    assertEquals(new TextDecoder().decode(file.content), "downloaded\n");
    const plain = await readLayer(output, manifest.layers[2]!);
    assertEquals(plain.map((e) => e.header.path), ["plain", "plain/odd [1].txt"]);
    await assertRejectsCode(
      () =>
        buildImage({
          context: `${tmp}/ctx`,
          dockerfile: `FROM scratch\nADD --checksum=sha256:${"0".repeat(64)} ${url} /dl/\n`,
          fs: nodeFs,
          output,
          fetch,
          hasher: nodeHasherFactory,
        }),
      "ERR_DIGEST_MISMATCH",
    );
    await assertRejectsCode(
      () =>
        buildImage({
          context: `${tmp}/ctx`,
          dockerfile: `FROM scratch\nADD ${url} /dl/\n`,
          fs: nodeFs,
          output,
          hasher: nodeHasherFactory,
        }),
      "ERR_BUILD",
      "network",
    );
  });
});

Deno.test("buildImage() builds one image per platform under an index, from a multi-platform base", async (t) => {
  await withTempDir(async (tmp) => {
    await writeFiles(tmp, { "a.txt": "a\n" });
    const output = await openOutput(`${tmp}/out`);
    const platforms = ["linux/amd64", "linux/arm64"];
    const base = await buildImage({
      context: tmp,
      dockerfile: "FROM scratch\nARG TARGETARCH\nLABEL base.arch=$TARGETARCH\n",
      fs: nodeFs,
      output,
      tags: ["img:base"],
      platforms,
      hasher: nodeHasherFactory,
    });
    assertEquals(base.descriptor.mediaType, "application/vnd.oci.image.index.v1+json");
    const bases = createLayoutBaseResolver(nodeFs, { hasher: nodeHasherFactory });
    const result = await buildImage({
      context: tmp,
      dockerfile:
        `FROM oci-layout://${tmp}/out:base\nARG TARGETPLATFORM\nCOPY a.txt /\nLABEL built.for=$TARGETPLATFORM\n`,
      fs: nodeFs,
      output,
      tags: ["img:app"],
      platforms,
      resolveBase: bases.resolve,
      hasher: nodeHasherFactory,
    }).finally(() => bases.close());
    assertEquals(result.manifests.map((m) => m.descriptor.platform!.architecture), [
      "amd64",
      "arm64",
    ]);
    for (const m of result.manifests) {
      const { config } = await readImage(output, m.descriptor);
      assertEquals(config.config!.Labels, {
        "base.arch": config.architecture,
        "built.for": `linux/${config.architecture}`,
      });
    }
    await t.step({
      name: "skopeo inspects the arm64 image in the index",
      ignore: !havePeer("skopeo"),
      fn: () => {
        const inspect = run("skopeo", [
          "inspect",
          "--override-arch",
          "arm64",
          `oci:${tmp}/out:app`,
        ]);
        assertEquals(inspect.code, 0, inspect.out);
        assertEquals(JSON.parse(inspect.out).Architecture, "arm64");
      },
    });
  });
});
