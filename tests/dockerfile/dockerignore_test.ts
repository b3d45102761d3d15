import fc from "fast-check";
import { assert, assertEquals, assertThrowsCode } from "../_helpers/assert.ts";
import { EXIT, exitCodeFor } from "../../lib/cli/exit_codes.ts";
import { cliSandbox } from "../_helpers/cli.ts";
import { BuildError } from "../../lib/errors.ts";
import { cleanPath, DockerIgnore } from "../../lib/dockerfile/dockerignore.ts";
import { compileGlob, hasGlob } from "../../lib/dockerfile/glob.ts";

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

Deno.test("compileGlob() follows filepath.Match for COPY sources", () => {
  assert(compileGlob("src/*.ts").test("src/a.ts"));
  assert(!compileGlob("src/*.ts").test("src/x/a.ts"));
  assert(compileGlob("file?.[a-c]").test("file1.b"));
  assert(!compileGlob("file?.[!a-c]").test("file1.b"));
  assert(compileGlob("a\\*b").test("a*b"));
  assert(hasGlob("a/*") && !hasGlob("a/b"));
});

Deno.test("cleanPath() resolves dots and reports paths that leave the root", () => {
  assertEquals(cleanPath("./a//b/../c/"), "a/c");
  assertEquals(cleanPath("../x"), "../x");
  assertEquals(cleanPath("/../x"), "x");
  assertEquals(cleanPath("."), ".");
});

/** The regular expression the matcher replaced, kept as the reference the automaton must agree with. */
function referenceRegExp(pattern: string, doubleStar: boolean): RegExp | undefined {
  let re = "^";
  const esc = (c: string) => (/[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c);
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === "*") {
      if (doubleStar && chars[i + 1] === "*") {
        i++;
        if (chars[i + 1] === "/") {
          i++;
          re += "(?:.*/)?";
        } else re += ".*";
      } else re += "[^/]*";
    } else if (ch === "?") re += "[^/]";
    else if (ch === "\\") {
      i++;
      if (i >= chars.length) return undefined;
      re += esc(chars[i]!);
    } else if (ch === "[") {
      let j = i + 1;
      let cls = "[";
      if (chars[j] === "^" || chars[j] === "!") {
        cls += "^";
        j++;
      }
      let closed = false;
      let first = true;
      for (; j < chars.length; j++) {
        const c = chars[j]!;
        if (c === "]" && !first) {
          closed = true;
          break;
        }
        first = false;
        if (c === "\\") {
          j++;
          if (j >= chars.length) break;
          cls += esc(chars[j]!);
        } else if (c === "-") cls += "-";
        else cls += esc(c);
      }
      if (!closed) return undefined;
      // A negated class never matches `/`; said with a lookahead, since `/` appended inside the
      // class would turn a trailing `-` into a range.
      re += cls.startsWith("[^") ? `(?!/)${cls}]` : `${cls}]`;
      i = j;
    } else re += esc(ch);
  }
  try {
    return new RegExp(`${re}$`, "u");
  } catch {
    return undefined;
  }
}

Deno.test("compileGlob() agrees with the regular expression it replaced, on random patterns and paths", () => {
  const alphabet = fc.constantFrom("a", "b", "/", "*", "?", "[", "]", "!", "-", "\\", ".", "é");
  const text = (max: number) => fc.array(alphabet, { maxLength: max }).map((a) => a.join(""));
  const pathChars = fc.constantFrom("a", "b", "/", ".", "-", "]", "é");
  const path = fc.array(pathChars, { maxLength: 12 }).map((a) => a.join(""));
  fc.assert(
    fc.property(text(10), fc.array(path, { maxLength: 8 }), fc.boolean(), (pattern, paths, ds) => {
      // The regular expression read an escaped `-` in a class as a range; Go (and now ocisign)
      // reads it as the character itself.
      fc.pre(!pattern.includes("\\-"));
      const reference = referenceRegExp(pattern, ds);
      let glob;
      try {
        glob = compileGlob(pattern, { doubleStar: ds });
      } catch (err) {
        if (!(err instanceof BuildError)) throw err;
        assertEquals(reference, undefined, `${pattern} was refused: ${err.message}`);
        return;
      }
      assert(reference !== undefined, `${JSON.stringify(pattern)} compiled but is malformed`);
      for (const p of paths) assertEquals(glob.test(p), reference.test(p), `${pattern} ~ ${p}`);
    }),
    { numRuns: 3000 },
  );
});

Deno.test("compileGlob() matches patterns that make a backtracking regex explode, in linear time", () => {
  // With a regular expression this takes longer than the age of the universe.
  const glob = compileGlob(`${"a*".repeat(40)}b`);
  assert(!glob.test("a".repeat(4000)));
  const deep = compileGlob(`${"**/a/".repeat(30)}b`, { doubleStar: true });
  assert(!deep.test("a/".repeat(2000)));
  assert(deep.test(`${"a/".repeat(40)}b`));
});

Deno.test("DockerIgnore refuses a huge or malformed pattern with a short message (exit 8)", () => {
  const huge = `src/${"x".repeat(100_000)}`;
  const err = assertThrowsCode(
    () => new DockerIgnore(`*.log\n${huge}\n`),
    "ERR_INVALID_INPUT",
    ".dockerignore line 2: the pattern",
  );
  assert(err.message.length < 300, `${err.message.length} characters`);
  assert(err.message.includes("longer than 4096 characters"), err.message);
  assertEquals(exitCodeFor(err.code), EXIT.INVALID_INPUT);
  const bad = assertThrowsCode(
    () => new DockerIgnore(`[z-a]${"y".repeat(5000 - 5)}`.slice(0, 4000)),
    "ERR_INVALID_INPUT",
    "character range out of order",
  );
  assert(bad.message.length < 300, bad.message);
});

Deno.test("compileGlob() reads an escaped - in a class as itself, as Go's filepath.Match does", () => {
  assert(compileGlob("[a\\-z]").test("-"));
  assert(!compileGlob("[a\\-z]").test("m"));
  assert(compileGlob("[--a]").test("0"), "an unescaped - between two characters is a range");
});

Deno.test("ocisign build exits 8 on a 100,000-character .dockerignore pattern and does not echo it", async () => {
  const sb = await cliSandbox();
  try {
    await Deno.mkdir(`${sb.cwd}/ctx`);
    await Deno.writeTextFile(`${sb.cwd}/ctx/Dockerfile`, "FROM scratch\nCOPY . /\n");
    await Deno.writeTextFile(`${sb.cwd}/ctx/.dockerignore`, `${"*x".repeat(50_000)}\n`);
    const r = await sb.run("build", "-t", "app:v1", "-o", "./out", "./ctx");
    assertEquals(r.code, EXIT.INVALID_INPUT, r.stderr);
    assert(r.stderr.includes(".dockerignore line 1"), r.stderr);
    assert(r.stderr.length < 1000, `${r.stderr.length} characters on stderr`);
  } finally {
    await sb.close();
  }
});
