import { assertEquals, assertThrowsCode } from "../_helpers/assert.ts";
import { parseDockerfile } from "../../lib/dockerfile/dockerfile_parser.ts";
import { copyArguments } from "../../lib/image_builder/copy_arguments.ts";

const env = new Map([["WHO", "world"]]);
const lookup = (name: string): string | undefined => env.get(name);

Deno.test("copyArguments() turns heredoc sources into 0644 files named after the delimiter", () => {
  const df = parseDockerfile(
    "FROM scratch\nCOPY --chmod=755 <<run.sh a.txt ${WHO}/\n#!/bin/sh\necho $WHO\nrun.sh\n",
  );
  const args = copyArguments(df.instructions[1]!, lookup);
  assertEquals(args.sources, ["a.txt"]);
  assertEquals(args.dest, "world/");
  assertEquals(args.inline.map((n) => [n.path, n.type, n.mode, n.uid, n.size]), [
    ["run.sh", "file", 0o644, 0, 21],
  ]);
  const content = args.inline[0]!.content;
  assertEquals(
    content?.kind === "bytes" ? new TextDecoder().decode(content.bytes) : "",
    "#!/bin/sh\necho world\n",
  );
});

Deno.test("copyArguments() refuses a heredoc destination and too few arguments", () => {
  const dest = parseDockerfile("FROM scratch\nCOPY a <<EOF\nx\nEOF\n").instructions[1]!;
  assertThrowsCode(
    () => copyArguments(dest, lookup),
    "ERR_BUILD",
    "cannot accept a heredoc as a destination",
  );
  const one = parseDockerfile("FROM scratch\nCOPY <<EOF\nx\nEOF\n").instructions[1]!;
  assertThrowsCode(
    () => copyArguments(one, lookup),
    "ERR_BUILD",
    "line 2: COPY needs at least one source",
  );
  const json = parseDockerfile('FROM scratch\nCOPY ["$WHO", "/d/"]\n').instructions[1]!;
  assertEquals(copyArguments(json, lookup), { sources: ["world"], dest: "/d/", inline: [] });
});
