import { spawnSync } from "node:child_process";
import { assertEquals, assertThrowsCode } from "../_helpers/assert.ts";
import { applyChmod, parseChmod } from "../../lib/image_builder/chmod.ts";
import { withTempDir } from "./_helpers.ts";

Deno.test("applyChmod() gives the modes of the Dockerfile reference examples", () => {
  const rwX = parseChmod("u=rwX,go=rX", 1);
  assertEquals(applyChmod(rwX, 0o700, true), 0o755);
  assertEquals(applyChmod(rwX, 0o600, false), 0o644);
  assertEquals(applyChmod(rwX, 0o744, false), 0o755);
  assertEquals(applyChmod(parseChmod("+x", 1), 0o644, false), 0o755);
  assertEquals(applyChmod(parseChmod("g=u", 1), 0o640, false), 0o660);
  assertEquals(applyChmod(parseChmod("755", 1), 0o600, false), 0o755);
  assertEquals(applyChmod(parseChmod("0440", 1), 0o777, true), 0o440);
  assertEquals(applyChmod(parseChmod("u+s,g+s", 1), 0o755, false), 0o6755);
  assertEquals(applyChmod(parseChmod("+t", 1), 0o777, true), 0o1777);
  assertEquals(applyChmod(parseChmod("o+t", 1), 0o777, true), 0o777);
  assertEquals(applyChmod(parseChmod("=r", 1), 0o1777, true), 0o1444);
});

Deno.test("parseChmod() refuses what BuildKit refuses", () => {
  for (const bad of ["", "999", "17777", "u", "u+q", "x+r", "+x,", "u+x g+r"]) {
    assertThrowsCode(() => parseChmod(bad, 4), "ERR_BUILD", "line 4: invalid --chmod");
  }
});

// BuildKit applies symbolic modes with BSD setmode semantics and no umask; chmod(1) run with
// `umask 0` on a regular file is the same operation.
const SYMBOLIC = [
  "+x",
  "a-w",
  "u=rwX,go=rX",
  "go-rwx",
  "u+rw,g=r,o=",
  "ug+rwx,o-rwx",
  "g=u",
  "o=g",
  "u=rwx,g=rx,o=r",
  "a+X",
  "+X",
  "u-x+w",
  "=rw,+x",
  "a=",
  "u+x,g+x,o+x",
];
const STARTS = [0o600, 0o644, 0o755, 0o700, 0o444, 0o640];

Deno.test("applyChmod() matches chmod(1) with umask 0 on files and directories", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/f`;
    await Deno.writeTextFile(file, "x");
    await Deno.mkdir(`${dir}/d`);
    for (const [path, isDir] of [[file, false], [`${dir}/d`, true]] as const) {
      for (const spec of SYMBOLIC) {
        for (const start of STARTS) {
          await Deno.chmod(path, start);
          const r = spawnSync(
            "sh",
            ["-c", 'umask 0 && chmod "$1" "$2" && stat -c %a "$2"', "sh", spec, path],
            { encoding: "utf8" },
          );
          assertEquals(r.status, 0, r.stderr);
          assertEquals(
            applyChmod(parseChmod(spec, 1), start, isDir).toString(8),
            parseInt(r.stdout.trim(), 8).toString(8),
            `${spec} on ${isDir ? "directory" : "file"} ${start.toString(8)}`,
          );
        }
      }
    }
  });
});
