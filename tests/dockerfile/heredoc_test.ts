import { assertEquals, assertThrowsCode } from "../_helpers/assert.ts";
import { parseDockerfile } from "../../lib/dockerfile/dockerfile_parser.ts";
import { heredocMarkers, heredocText, parseHeredocWord } from "../../lib/dockerfile/heredoc.ts";

const env = new Map([["WHO", "world"], ["EMPTY", ""]]);
const lookup = (name: string): string | undefined => env.get(name);

Deno.test("parseHeredocWord() reads markers as BuildKit's parser does", () => {
  assertEquals(parseHeredocWord("<<EOF"), { name: "EOF", expand: true, chomp: false });
  assertEquals(parseHeredocWord("<<-EOF"), { name: "EOF", expand: true, chomp: true });
  assertEquals(parseHeredocWord('<<"EOF"'), { name: "EOF", expand: false, chomp: false });
  assertEquals(parseHeredocWord("<<-'END'"), { name: "END", expand: false, chomp: true });
  assertEquals(parseHeredocWord("<<E'O'F"), { name: "EOF", expand: false, chomp: false });
  assertEquals(parseHeredocWord("3<<EOF"), { name: "EOF", expand: true, chomp: false });
  assertEquals(parseHeredocWord("<<"), undefined);
  assertEquals(parseHeredocWord("a<<EOF"), undefined);
  assertEquals(parseHeredocWord('"<<EOF"'), undefined);
  assertEquals(parseHeredocWord("/dst"), undefined);
  assertEquals(heredocMarkers("<<a << b <<-'c' /dir/").map((h) => h.name), ["a", "b", "c"]);
});

Deno.test("parseDockerfile() attaches heredoc bodies and keeps parsing after them", () => {
  const df = parseDockerfile(
    [
      "FROM scratch",
      "COPY <<EOF /greeting",
      "hello $WHO",
      "# not a comment here",
      "",
      "EOF",
      "COPY <<a <<-'b' /dir/",
      "first",
      "a",
      "\t\tsecond ${WHO}",
      "\tb",
      "RUN <<EOF",
      "echo hi",
      "EOF",
      "ENV X=1",
      "",
    ].join("\n"),
  );
  assertEquals(df.instructions.map((i) => `${i.keyword}@${i.line}`), [
    "FROM@1",
    "COPY@2",
    "COPY@7",
    "RUN@12",
    "ENV@15",
  ]);
  const [, one, two, run] = df.instructions;
  assertEquals(one!.heredocs, [{
    name: "EOF",
    expand: true,
    chomp: false,
    content: "hello $WHO\n# not a comment here\n\n",
  }]);
  assertEquals(two!.heredocs!.map((h) => [h.name, h.content, h.expand, h.chomp]), [
    ["a", "first\n", true, false],
    ["b", "\t\tsecond ${WHO}\n", false, true],
  ]);
  assertEquals(run!.heredocs!.map((h) => h.content), ["echo hi\n"]);
  assertEquals(heredocText(one!.heredocs![0]!, lookup), "hello world\n# not a comment here\n\n");
  assertEquals(heredocText(two!.heredocs![1]!, lookup), "second ${WHO}\n");
});

Deno.test("parseDockerfile() refuses a heredoc in an ONBUILD trigger clearly", () => {
  assertThrowsCode(
    () => parseDockerfile("FROM scratch\nONBUILD COPY <<EOF /x\nhi\nEOF\n"),
    "ERR_BUILD",
    "line 2: ONBUILD with a heredoc is not supported",
  );
});

Deno.test("parseDockerfile() leaves exec-form and quoted << alone", () => {
  const df = parseDockerfile('FROM scratch\nCOPY ["<<EOF", "/x"]\nCOPY "<<EOF" /y\n');
  assertEquals(df.instructions.length, 3);
  assertEquals(df.instructions[1]!.heredocs, undefined);
  assertEquals(df.instructions[2]!.heredocs, undefined);
});

Deno.test("heredocText() expands like BuildKit: escapes removed, quotes kept", () => {
  const doc = {
    name: "EOF",
    expand: true,
    chomp: false,
    content: `'$WHO' "\${WHO}" \\$WHO \\\\ a\\b\n`,
  };
  assertEquals(heredocText(doc, lookup), `'world' "world" $WHO \\ ab\n`);
  assertEquals(heredocText({ ...doc, expand: false }, lookup), doc.content);
  assertEquals(
    heredocText({ ...doc, content: "${EMPTY:-default} ${WHO#w}\n" }, lookup),
    "default orld\n",
  );
  assertThrowsCode(() => heredocText({ ...doc, content: "${WHO\n" }, lookup), "ERR_BUILD");
});
