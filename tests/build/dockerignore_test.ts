import { assert, assertEquals } from "../_helpers/assert.ts";
import { cleanPath, DockerIgnore } from "../../lib/build/dockerignore.ts";
import { globToRegExp, hasGlob } from "../../lib/build/glob.ts";

Deno.test("DockerIgnore excludes matches and what is below matched directories", () => {
  const ig = new DockerIgnore("# comment\n*.log\nbuild/\n/secret\n\n  tmp  \n");
  assert(ig.excludes("a.log"));
  assert(!ig.excludes("d/a.log"), "* does not cross directories");
  assert(ig.excludes("build/x/y"));
  assert(ig.excludes("secret/key"));
  assert(ig.excludes("tmp"));
  assert(!ig.excludes("src/main.ts"));
});

Deno.test("DockerIgnore applies ! exceptions, last match wins", () => {
  const ig = new DockerIgnore("*.md\n!README.md\nREADME-secret.md\ndocs\n!docs/keep.txt\n");
  assert(ig.excludes("a.md"));
  assert(!ig.excludes("README.md"));
  assert(ig.excludes("README-secret.md"));
  assert(ig.excludes("docs/other"));
  assert(!ig.excludes("docs/keep.txt"));
  assert(ig.hasExceptions);
});

Deno.test("DockerIgnore matches ** across any number of directories", () => {
  const ig = new DockerIgnore("**/*.tmp\nnode_modules/**\n");
  assert(ig.excludes("x.tmp"));
  assert(ig.excludes("a/b/c/x.tmp"));
  assert(ig.excludes("node_modules/p/index.js"));
  assert(!ig.excludes("src/x.ts"));
});

Deno.test("globToRegExp() follows filepath.Match for COPY sources", () => {
  assert(globToRegExp("src/*.ts").test("src/a.ts"));
  assert(!globToRegExp("src/*.ts").test("src/x/a.ts"));
  assert(globToRegExp("file?.[a-c]").test("file1.b"));
  assert(!globToRegExp("file?.[!a-c]").test("file1.b"));
  assert(globToRegExp("a\\*b").test("a*b"));
  assert(hasGlob("a/*") && !hasGlob("a/b"));
});

Deno.test("cleanPath() resolves dots and reports paths that leave the root", () => {
  assertEquals(cleanPath("./a//b/../c/"), "a/c");
  assertEquals(cleanPath("../x"), "../x");
  assertEquals(cleanPath("/../x"), "x");
  assertEquals(cleanPath("."), ".");
});
