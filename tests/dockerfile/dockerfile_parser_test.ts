import { assert, assertEquals, assertThrowsCode } from "../_helpers/assert.ts";
import { parseDockerfile, parseInstruction } from "../../lib/dockerfile/dockerfile_parser.ts";

Deno.test("parseDockerfile() joins continuations and skips comments inside them", () => {
  const df = parseDockerfile(
    "FROM scratch\n# comment\nENV A=1 \\\n# inner comment\n\n    B=2\nlabel x=y\n",
  );
  assertEquals(df.instructions.map((i) => i.keyword), ["FROM", "ENV", "LABEL"]);
  assertEquals(df.instructions[1]!.args, "A=1     B=2");
  assertEquals(df.instructions[1]!.line, 3);
  assertEquals(df.instructions[2]!.line, 7);
});

Deno.test("parseDockerfile() reads the escape and syntax directives", () => {
  const df = parseDockerfile(
    "# syntax=docker/dockerfile:1\n# escape=`\nFROM scratch\nENV A=x `\n  B=y\n",
  );
  assertEquals(df.escape, "`");
  assertEquals(df.syntax, "docker/dockerfile:1");
  assertEquals(df.instructions[1]!.args, "A=x   B=y");
});

Deno.test("parseDockerfile() stops reading directives at the first other line", () => {
  const df = parseDockerfile("# hello\n# escape=`\nFROM scratch\n");
  assertEquals(df.escape, "\\");
});

Deno.test("parseDockerfile() rejects a repeated directive and a bad escape", () => {
  assertThrowsCode(
    () => parseDockerfile("# escape=`\n# escape=`\nFROM scratch\n"),
    "ERR_BUILD",
    "twice",
  );
  assertThrowsCode(() => parseDockerfile("# escape=x\nFROM scratch\n"), "ERR_BUILD", "escape");
});

Deno.test("parseInstruction() separates flags, exec form and shell form", () => {
  const copy = parseInstruction('COPY --from=build --chown=app:app ["a b", "/x/"]', 4);
  assertEquals(copy.flags, [{ name: "from", value: "build" }, { name: "chown", value: "app:app" }]);
  assertEquals(copy.json, ["a b", "/x/"]);
  const cmd = parseInstruction("CMD echo hi", 5);
  assertEquals(cmd.json, undefined);
  assertEquals(cmd.args, "echo hi");
  const broken = parseInstruction("CMD [not json", 6);
  assertEquals(broken.json, undefined);
  assertEquals(parseInstruction("ENV --x=1", 1).flags, []);
});

Deno.test("parseDockerfile() rejects unterminated heredocs and unknown instructions with the line", () => {
  assertThrowsCode(
    () => parseDockerfile("FROM scratch\nCOPY <<EOF /a\nx\nEOFX\n"),
    "ERR_BUILD",
    "line 2: unterminated heredoc <<EOF",
  );
  const err = assertThrowsCode(
    () => parseDockerfile("FROM scratch\n\nFOO bar\n"),
    "ERR_BUILD",
    "line 3",
  );
  assert(err.message.includes("FOO"));
});
