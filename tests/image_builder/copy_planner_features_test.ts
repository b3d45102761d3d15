import { assert, assertEquals, assertThrowsCode } from "../_helpers/assert.ts";
import { readContext } from "../../lib/image_builder/build_context.ts";
import { parseChmod } from "../../lib/image_builder/chmod.ts";
import { planCopy } from "../../lib/image_builder/copy_planner.ts";
import type { PlanCopyOptions } from "../../lib/image_builder/copy_planner.ts";
import { DockerIgnore } from "../../lib/dockerfile/dockerignore.ts";
import { FileTree } from "../../lib/image_builder/file_tree.ts";
import type { TreeNode } from "../../lib/image_builder/file_tree.ts";
import { nodeFs, withTempDir, writeFiles } from "./_helpers.ts";

/** The build context of BuildKit's `testExcludedFilesOnCopy` integration test. */
async function excludeContext(dir: string): Promise<FileTree> {
  await writeFiles(dir, {
    "dir1/file-101.png": "2",
    "dir1/file-102.txt": "3",
    "dir1/file-103.jpeg": "4",
    "dir2/file-201.pdf": "6",
    "dir2/file-202.jpeg": "7",
    "dir2/file-203.png": "8",
    "dir3/file-301.mp3": "9",
    "dir3/file-302.mpeg": "10",
    "dir4/file-401.txt": "11",
  });
  await Deno.symlink("file-401.txt", `${dir}/dir4/file-402.txt`);
  await Deno.symlink("file-404.txt", `${dir}/dir4/file-403.txt`);
  return await readContext(nodeFs, dir, new DockerIgnore(""));
}

function plan(source: FileTree, opts: Partial<PlanCopyOptions>): Map<string, TreeNode> {
  const nodes = planCopy({
    source,
    sources: [],
    dest: "/",
    destIsDir: true,
    stage: new FileTree(),
    line: 3,
    sourceName: "build context",
    ...opts,
  });
  return new Map(nodes.map((n) => [n.path, n]));
}

function files(out: Map<string, TreeNode>): string[] {
  return [...out.values()].filter((n) => n.type !== "directory").map((n) => n.path).sort();
}

Deno.test("planCopy() --exclude gives the files of BuildKit's exclude integration test", async () => {
  await withTempDir(async (dir) => {
    const ctx = await excludeContext(dir);
    // COPY --exclude=*/*.png --exclude=*/*.jpeg . /1
    assertEquals(
      files(plan(ctx, { sources: ["."], dest: "/1", exclude: ["*/*.png", "*/*.jpeg"] })),
      [
        "1/dir1/file-102.txt",
        "1/dir2/file-201.pdf",
        "1/dir3/file-301.mp3",
        "1/dir3/file-302.mpeg",
        "1/dir4/file-401.txt",
        "1/dir4/file-402.txt",
        "1/dir4/file-403.txt",
      ],
    );
    // COPY --exclude=*/*.pdf --exclude=*/*.txt . /2
    assertEquals(
      files(plan(ctx, { sources: ["."], dest: "/2", exclude: ["*/*.pdf", "*/*.txt"] })),
      [
        "2/dir1/file-101.png",
        "2/dir1/file-103.jpeg",
        "2/dir2/file-202.jpeg",
        "2/dir2/file-203.png",
        "2/dir3/file-301.mp3",
        "2/dir3/file-302.mpeg",
      ],
    );
    // ADD --exclude=*.mp3 dir3/ /3/
    assertEquals(files(plan(ctx, { sources: ["dir3/"], dest: "/3/", exclude: ["*.mp3"] })), [
      "3/file-302.mpeg",
    ]);
    // COPY --exclude=*.mp3 --exclude=*.jpeg --exclude=*.png --exclude=*.pdf --exclude=*.txt dir* /4/
    assertEquals(
      files(plan(ctx, {
        sources: ["dir*"],
        dest: "/4/",
        exclude: ["*.mp3", "*.jpeg", "*.png", "*.pdf", "*.txt"],
      })),
      ["4/file-302.mpeg"],
    );
    // ADD --exclude=*.mp* --exclude=*.jpeg --exclude=*.png --exclude=*.pdf dir* /5
    const five = plan(ctx, {
      sources: ["dir*"],
      dest: "/5",
      exclude: ["*.mp*", "*.jpeg", "*.png", "*.pdf"],
    });
    assertEquals(files(five), [
      "5/file-102.txt",
      "5/file-401.txt",
      "5/file-402.txt",
      "5/file-403.txt",
    ]);
    assertEquals(five.get("5/file-402.txt")?.linkname, "file-401.txt");
    // ADD --exclude=* dir* /6: the destination exists and is empty
    const six = plan(ctx, { sources: ["dir*"], dest: "/6", exclude: ["*"] });
    assertEquals([...six.keys()], ["6"]);
  });
});

Deno.test("planCopy() --exclude supports ** and ! exceptions, and never drops a named source", async () => {
  await withTempDir(async (dir) => {
    await writeFiles(dir, {
      "src/a.go": "a",
      "src/a_test.go": "t",
      "src/deep/b_test.go": "t",
      "src/deep/keep_test.go": "k",
      "notes.md": "n",
    });
    const ctx = await readContext(nodeFs, dir, new DockerIgnore(""));
    assertEquals(
      files(
        plan(ctx, {
          sources: ["src"],
          dest: "/app/",
          exclude: ["**/*_test.go", "!deep/keep_test.go"],
        }),
      ),
      ["app/a.go", "app/deep/keep_test.go"],
    );
    assertEquals(files(plan(ctx, { sources: ["notes.md"], dest: "/d/", exclude: ["*.md"] })), [
      "d/notes.md",
    ]);
  });
});

Deno.test("planCopy() --parents keeps parent directories, with the /./ pivot and **", async () => {
  await withTempDir(async (dir) => {
    await writeFiles(dir, {
      "x/a.txt": "xa",
      "y/a.txt": "ya",
      "x/y/a.txt": "xya",
      "x/y/b.txt": "xyb",
      "x/y/c.md": "c",
      "src/a.txt": "1",
      "src/x/b.txt": "2",
      "src/x/y/c.txt": "3",
      "src/x/y/d.bin": "4",
    });
    await Deno.chmod(`${dir}/x`, 0o750);
    const ctx = await readContext(nodeFs, dir, new DockerIgnore(""));
    // COPY ./x/a.txt ./y/a.txt /no_parents/ versus COPY --parents ... /parents/
    assertEquals(files(plan(ctx, { sources: ["./x/a.txt", "./y/a.txt"], dest: "/no_parents/" })), [
      "no_parents/a.txt",
    ]);
    const parents = plan(ctx, {
      sources: ["./x/a.txt", "./y/a.txt"],
      dest: "/parents/",
      parents: true,
    });
    assertEquals(files(parents), ["parents/x/a.txt", "parents/y/a.txt"]);
    assertEquals(parents.get("parents/x")?.mode, 0o750);
    // COPY --parents ./x/./y/*.txt /parents/
    assertEquals(
      files(plan(ctx, { sources: ["./x/./y/*.txt"], dest: "/parents/", parents: true })),
      [
        "parents/y/a.txt",
        "parents/y/b.txt",
      ],
    );
    // COPY --parents ./src/**/*.txt /parents/
    assertEquals(
      files(plan(ctx, { sources: ["./src/**/*.txt"], dest: "/parents/", parents: true })),
      [
        "parents/src/a.txt",
        "parents/src/x/b.txt",
        "parents/src/x/y/c.txt",
      ],
    );
    // A directory source keeps its own path and everything below it; --exclude still applies.
    assertEquals(
      files(plan(ctx, { sources: ["x/y"], dest: "/p", parents: true, exclude: ["**/*.md"] })),
      ["p/x/y/a.txt", "p/x/y/b.txt"],
    );
    assertThrowsCode(
      () => plan(ctx, { sources: ["./nope/a.txt"], dest: "/p/", parents: true }),
      "ERR_BUILD",
      "line 3: ./nope/a.txt not found",
    );
    assertEquals(files(plan(ctx, { sources: ["./nope/*.txt"], dest: "/p/", parents: true })), []);
    assertEquals(
      files(plan(ctx, { sources: ["x/a.txt"], dest: "/p/", parents: true, exclude: ["**/*.txt"] })),
      [],
    );
  });
});

Deno.test("planCopy() applies a symbolic --chmod to each file and directory's own mode", async () => {
  await withTempDir(async (dir) => {
    await writeFiles(dir, { "bin/run": "#!/bin/sh\n", "bin/data.txt": "d" });
    await Deno.chmod(`${dir}/bin/run`, 0o700);
    await Deno.chmod(`${dir}/bin/data.txt`, 0o600);
    await Deno.chmod(`${dir}/bin`, 0o700);
    await Deno.symlink("run", `${dir}/bin/link`);
    const ctx = await readContext(nodeFs, dir, new DockerIgnore(""));
    const out = plan(ctx, {
      sources: ["bin"],
      dest: "/opt/bin",
      chmod: parseChmod("u=rwX,go=rX", 3),
    });
    assertEquals(out.get("opt/bin")?.mode, 0o755);
    assertEquals(out.get("opt/bin/run")?.mode, 0o755);
    assertEquals(out.get("opt/bin/data.txt")?.mode, 0o644);
    assert(out.get("opt/bin/link")?.type === "symlink");
    const plusX = plan(ctx, {
      sources: ["bin/data.txt"],
      dest: "/d.txt",
      destIsDir: false,
      chmod: parseChmod("+x", 3),
    });
    assertEquals(plusX.get("d.txt")?.mode, 0o711);
  });
});
