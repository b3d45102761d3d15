import { spawnSync } from "node:child_process";
import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { buildImage } from "../../lib/image_builder/mod.ts";
import type { TarReadEntry } from "../../lib/tar/mod.ts";
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
import { BUN_PRELOAD } from "../_helpers/bun.ts";

/** Builds into a layout tagged `t:v1`; returns the entries of every layer the build added. */
async function build(
  tmp: string,
  dockerfile: string,
): Promise<{ layout: string; entries: Map<string, TarReadEntry> }> {
  const layout = `${tmp}/layout`;
  const output = await openOutput(layout);
  const result = await buildImage({
    context: `${tmp}/ctx`,
    dockerfile,
    fs: nodeFs,
    output,
    hasher: nodeHasherFactory,
    tags: ["t:v1"],
    buildArgs: { WHO: "world" },
    timestamp: 1700000000,
  });
  const { manifest } = await readImage(output, result.descriptor);
  const entries = new Map<string, TarReadEntry>();
  for (const layer of manifest.layers) {
    for (const entry of await readLayer(output, layer)) {
      entries.set(entry.header.path.replace(/\/$/, ""), entry);
    }
  }
  return { layout, entries };
}

function text(entry: TarReadEntry | undefined): string {
  return new TextDecoder().decode(entry?.content);
}

/** Unpacks the layout with umoci; returns the rootfs path. */
function unpack(tmp: string, layout: string): string {
  const r = run("umoci", ["unpack", "--rootless", "--image", `${layout}:v1`, `${tmp}/bundle`]);
  assertEquals(r.code, 0, r.out);
  return `${tmp}/bundle/rootfs`;
}

async function mode(path: string): Promise<number> {
  return (await Deno.lstat(path)).mode! & 0o7777;
}

Deno.test("buildImage() writes COPY heredocs as BuildKit does", async (t) => {
  await withTempDir(async (tmp) => {
    await writeFiles(`${tmp}/ctx`, { "a.txt": "A" });
    const { layout, entries } = await build(
      tmp,
      [
        "# syntax=docker/dockerfile:1",
        "FROM scratch",
        "ARG WHO",
        "COPY <<EOF /greeting",
        "hello $WHO",
        "EOF",
        'COPY <<one <<-"two" a.txt /dir/',
        "first ${WHO}",
        "one",
        "\t\tsecond ${WHO} \\$x",
        "\ttwo",
        "COPY --chmod=755 --chown=10:20 <<'run.sh' /usr/local/bin/run",
        "#!/bin/sh",
        'echo "$@"',
        "run.sh",
        "WORKDIR /srv",
        "COPY <<EOF rel.txt",
        "relative",
        "EOF",
      ].join("\n"),
    );
    assertEquals(text(entries.get("greeting")), "hello world\n");
    assertEquals(entries.get("greeting")?.header.mode, 0o644);
    assertEquals(text(entries.get("dir/one")), "first world\n");
    assertEquals(text(entries.get("dir/two")), "second ${WHO} \\$x\n");
    assertEquals(text(entries.get("dir/a.txt")), "A");
    const run = entries.get("usr/local/bin/run")!;
    assertEquals([text(run), run.header.mode, run.header.uid, run.header.gid], [
      '#!/bin/sh\necho "$@"\n',
      0o755,
      10,
      20,
    ]);
    assertEquals(text(entries.get("srv/rel.txt")), "relative\n");
    await t.step({
      name: "umoci unpacks the heredocs with their contents and modes",
      ignore: !havePeer("umoci"),
      fn: async () => {
        const root = unpack(tmp, layout);
        assertEquals(await Deno.readTextFile(`${root}/greeting`), "hello world\n");
        assertEquals(await mode(`${root}/usr/local/bin/run`), 0o755);
        assertEquals(await Deno.readTextFile(`${root}/dir/two`), "second ${WHO} \\$x\n");
      },
    });
  });
});

Deno.test("buildImage() applies COPY --exclude, --parents and a symbolic --chmod", async (t) => {
  await withTempDir(async (tmp) => {
    const ctx = `${tmp}/ctx`;
    await writeFiles(ctx, {
      "README.md": "r",
      "main.go": "m",
      "cache/x.tmp": "t",
      "pkg/util.go": "u",
      "pkg/deep/z.tmp": "t",
      "x/a.txt": "xa",
      "y/a.txt": "ya",
      "src/a.txt": "1",
      "src/x/b.txt": "2",
      "src/x/y/c.txt": "3",
      "src/x/y/d.bin": "4",
      "bin/tool": "#!/bin/sh\n",
      "bin/data": "d",
    });
    await Deno.chmod(`${ctx}/bin/tool`, 0o700);
    await Deno.chmod(`${ctx}/bin/data`, 0o600);
    await Deno.chmod(`${ctx}/bin`, 0o700);
    await Deno.chmod(`${ctx}/x`, 0o750);
    const { layout, entries } = await build(
      tmp,
      [
        "# syntax=docker/dockerfile:1.20",
        "FROM scratch",
        "COPY --exclude=*.md --exclude=**/*.tmp --exclude=bin --exclude=src --exclude=x --exclude=y . /app/",
        "COPY --parents x/a.txt y/a.txt /parents/",
        "COPY --parents ./src/./x/**/*.txt /pivot/",
        "COPY --parents=false x/a.txt /flat/",
        "COPY --chmod=u=rwX,go=rX bin /opt/bin",
        "ARG MODE=a-w",
        "COPY --chmod=$MODE main.go /ro/",
      ].join("\n"),
    );
    const under = (prefix: string): string[] =>
      [...entries.keys()].filter((p) =>
        p.startsWith(prefix) && entries.get(p)!.header.type !== "directory"
      ).sort();
    assertEquals(under("app/"), ["app/main.go", "app/pkg/util.go"]);
    assertEquals(under("parents/"), ["parents/x/a.txt", "parents/y/a.txt"]);
    assertEquals(entries.get("parents/x")?.header.mode, 0o750);
    assertEquals(under("pivot/"), ["pivot/x/b.txt", "pivot/x/y/c.txt"]);
    assertEquals(under("flat/"), ["flat/a.txt"]);
    assertEquals(entries.get("opt/bin")?.header.mode, 0o755);
    assertEquals(entries.get("opt/bin/tool")?.header.mode, 0o755);
    assertEquals(entries.get("opt/bin/data")?.header.mode, 0o644);
    assertEquals(entries.get("ro/main.go")?.header.mode, 0o444);
    await t.step({
      name: "umoci unpacks the --parents tree and the --chmod modes",
      ignore: !havePeer("umoci"),
      fn: async () => {
        const root = unpack(tmp, layout);
        assertEquals(await Deno.readTextFile(`${root}/pivot/x/y/c.txt`), "3");
        assertEquals(await mode(`${root}/opt/bin/data`), 0o644);
        assertEquals(await mode(`${root}/opt/bin/tool`), 0o755);
      },
    });
  });
});

Deno.test("buildImage() refuses bad COPY flags with the line", async () => {
  await withTempDir(async (tmp) => {
    await writeFiles(`${tmp}/ctx`, { "a.txt": "a" });
    const cases: Array<[string, string]> = [
      ["COPY --chmod=u+q a.txt /", "line 2: invalid --chmod=u+q"],
      ["COPY --chmod=8755 a.txt /", "line 2: invalid --chmod=8755"],
      [
        "COPY --parents=maybe a.txt /",
        "line 2: expecting boolean value for flag parents, not: maybe",
      ],
      ["ADD --parents a.txt /", "line 2: ADD --parents is not supported"],
      ["COPY --exclude a.txt /", "line 2: --exclude needs a pattern"],
      ["COPY --parents nope/a.txt /d/", "line 2: nope/a.txt not found"],
      ["COPY a.txt <<EOF\nx\nEOF", "line 2: COPY cannot accept a heredoc as a destination"],
      ["COPY ${A:#x} /", "line 2: COPY: Cannot expand"],
    ];
    for (const [line, message] of cases) {
      await assertRejectsCode(() => build(tmp, `FROM scratch\n${line}\n`), "ERR_BUILD", message);
    }
  });
});

const COMPRESSORS: Array<[string, string, string[]]> = [
  ["bz2", "bzip2", ["-c"]],
  ["xz", "xz", ["-c", "-T1"]],
  ["zst", "zstd", ["-q", "-c"]],
];

Deno.test({
  name: "buildImage() extracts bzip2, xz and zstd tar archives with ADD as Docker does",
  ignore: !havePeer("tar") || !COMPRESSORS.every(([, tool]) => havePeer(tool)),
}, async (t) => {
  await withTempDir(async (tmp) => {
    const ctx = `${tmp}/ctx`;
    await writeFiles(`${tmp}/tree`, { "etc/app.conf": "conf\n", "bin/app": "#!/bin/sh\n" });
    await Deno.chmod(`${tmp}/tree/bin/app`, 0o751);
    await Deno.symlink("app.conf", `${tmp}/tree/etc/link`);
    await Deno.mkdir(ctx);
    const tar = run("tar", [
      "-C",
      `${tmp}/tree`,
      "--owner=7",
      "--group=8",
      "-cf",
      `${tmp}/a.tar`,
      ".",
    ]);
    assertEquals(tar.code, 0, tar.out);
    for (const [ext, tool, args] of COMPRESSORS) {
      const r = spawnSync("sh", [
        "-c",
        `"$0" "$@" < "${tmp}/a.tar" > "${ctx}/a.tar.${ext}"`,
        tool,
        ...args,
      ]);
      assertEquals(r.status, 0, String(r.stderr));
    }
    // A compressed file that is not a tar is copied as it is, as Docker does.
    const plain = spawnSync("sh", ["-c", `printf 'not a tar' | xz -c > "${ctx}/notes.xz"`]);
    assertEquals(plain.status, 0, String(plain.stderr));
    const { layout, entries } = await build(
      tmp,
      "FROM scratch\nADD a.tar.bz2 /b/\nADD a.tar.xz /x/\nADD a.tar.zst /z/\nADD notes.xz /n/\n",
    );
    for (const dir of ["b", "x", "z"]) {
      assertEquals(text(entries.get(`${dir}/etc/app.conf`)), "conf\n");
      const app = entries.get(`${dir}/bin/app`)!;
      assertEquals([app.header.mode, app.header.uid, app.header.gid], [0o751, 7, 8]);
      assertEquals(entries.get(`${dir}/etc/link`)?.header.linkname, "app.conf");
    }
    assert(entries.get("n/notes.xz")?.header.type === "file");
    await t.step({
      name: "umoci unpacks the extracted archives",
      ignore: !havePeer("umoci"),
      fn: async () => {
        const root = unpack(tmp, layout);
        assertEquals(await Deno.readTextFile(`${root}/z/etc/app.conf`), "conf\n");
        assertEquals(await mode(`${root}/x/bin/app`), 0o751);
      },
    });
  });
});

Deno.test({
  name: "buildImage() fails clearly on a corrupt or truncated bzip2, xz or zstd archive",
  ignore: !havePeer("tar") || !COMPRESSORS.every(([, tool]) => havePeer(tool)),
}, async () => {
  await withTempDir(async (tmp) => {
    const ctx = `${tmp}/ctx`;
    await writeFiles(`${tmp}/tree`, {
      "big.txt": "y".repeat(300_000) + crypto.randomUUID().repeat(5000),
    });
    await Deno.mkdir(ctx);
    assertEquals(run("tar", ["-C", `${tmp}/tree`, "-cf", `${tmp}/a.tar`, "."]).code, 0);
    for (const [ext, tool, args] of COMPRESSORS) {
      const r = spawnSync("sh", [
        "-c",
        `"$0" "$@" < "${tmp}/a.tar" > "${tmp}/full.${ext}"`,
        tool,
        ...args,
      ]);
      assertEquals(r.status, 0, String(r.stderr));
      const full = await Deno.readFile(`${tmp}/full.${ext}`);
      await Deno.writeFile(
        `${ctx}/cut.tar.${ext}`,
        full.subarray(0, Math.floor(full.length * 0.6)),
      );
      await assertRejectsCode(
        () => build(tmp, `FROM scratch\nADD cut.tar.${ext} /d/\n`),
        "ERR_BUILD",
        `line 2: ADD cut.tar.${ext}: the archive is corrupt or truncated`,
      );
    }
  });
});

Deno.test({
  name:
    "buildImage() gives the same digest under Deno and Bun with heredocs, --exclude, --parents, symbolic --chmod and xz/zstd/bzip2 ADD",
  ignore: !havePeer("bun") || !havePeer("tar") || !COMPRESSORS.every(([, tool]) => havePeer(tool)),
}, async () => {
  await withTempDir(async (tmp) => {
    const ctx = `${tmp}/ctx`;
    await writeFiles(`${tmp}/tree`, { "t/one.txt": "one\n".repeat(1000), "t/two.txt": "two" });
    await writeFiles(ctx, {
      "src/a.txt": "a",
      "src/x/b.txt": "b",
      "src/x/c.md": "c",
      Dockerfile: [
        "FROM scratch",
        "ARG V=v1.2.3",
        "COPY <<EOF /version",
        "${V#v} ${V//./-}",
        "EOF",
        "COPY --parents --exclude=**/*.md ./src/./x /p/",
        "COPY --chmod=go-w,u+x src/a.txt /a",
        "ADD t.tar.bz2 /b/",
        "ADD t.tar.xz /x/",
        "ADD t.tar.zst /z/",
      ].join("\n"),
    });
    assertEquals(run("tar", ["-C", `${tmp}/tree`, "-cf", `${tmp}/t.tar`, "."]).code, 0);
    for (const [ext, tool, args] of COMPRESSORS) {
      const r = spawnSync("sh", [
        "-c",
        `"$0" "$@" < "${tmp}/t.tar" > "${ctx}/t.tar.${ext}"`,
        tool,
        ...args,
      ]);
      assertEquals(r.status, 0, String(r.stderr));
    }
    const script = new URL("./_cross_runtime_build.ts", import.meta.url).pathname;
    const deno = run(Deno.execPath(), ["run", "-A", script, ctx, `${tmp}/deno`]);
    assertEquals(deno.code, 0, deno.out);
    const bun = run("bun", ["run", ...BUN_PRELOAD, script, ctx, `${tmp}/bun`]);
    assertEquals(bun.code, 0, bun.out);
    assertEquals(bun.out.trim(), deno.out.trim());
  });
});
