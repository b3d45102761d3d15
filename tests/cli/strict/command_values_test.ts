/**
 * The values a command's `run` gets: checkArgs turns a command line into typed values (defaults,
 * positional arguments in order, every word in `_`, the last of a repeated flag) and runCommand
 * hands them to `run` with the canonical arguments.
 */
import { assertEquals } from "../../_helpers/assert.ts";
import { checkArgs } from "../../../lib/cli/_strict_args.ts";
import { defineCommand, runCommand } from "../../../lib/cli/command.ts";
import type { CommandContext } from "../../../lib/cli/command.ts";

const args = {
  source: { type: "positional", description: "From" },
  target: { type: "positional", required: false, default: "out", description: "To" },
  deep: { type: "boolean", alias: "d", description: "Check everything" },
  output: { type: "enum", options: ["text", "json"], default: "text", alias: "o" },
  "max-signatures": { type: "string", valueHint: "int" },
  "plain-http": { type: "boolean", alias: "insecure-registry" },
} as const;

Deno.test("checkArgs: defaults, positionals in order, undefined for flags not given", () => {
  const { args: values, argv } = checkArgs(args, ["a"], { name: "cp" });
  assertEquals(values, {
    _: ["a"],
    source: "a",
    target: "out",
    output: "text",
    "max-signatures": undefined,
  });
  assertEquals([values.deep, values["plain-http"]], [undefined, undefined]);
  assertEquals(argv, ["--", "a"]);
});

Deno.test("checkArgs: every spelling gives the same values; the last of a repeated flag wins", () => {
  const spellings = [
    ["-d", "-ojson", "--max-signatures", "5", "--insecure-registry", "a", "b"],
    ["--deep=true", "--output=json", "--max-signatures=5", "--plain-http", "a", "--", "b"],
    ["-do", "json", "--max-signatures", "3", "--max-signatures=5", "--plain-http", "a", "b"],
    [
      "--no-deep",
      "--deep",
      "-o",
      "text",
      "-o=json",
      "--max-signatures=5",
      "--plain-http",
      "a",
      "b",
    ],
  ];
  for (const argv of spellings) {
    const checked = checkArgs(args, argv, { name: "cp" });
    assertEquals(checked.args, {
      _: ["a", "b"],
      source: "a",
      target: "b",
      deep: true,
      output: "json",
      "max-signatures": "5",
      "plain-http": true,
    }, argv.join(" "));
  }
  const off = checkArgs(args, ["--deep", "--no-deep", "-d=false", "--plain-http=false", "a"], {
    name: "cp",
  });
  assertEquals([off.args.deep, off.args["plain-http"]], [false, false]);
  assertEquals(off.argv, ["--deep", "--no-deep", "--no-deep", "--no-plain-http", "--", "a"]);
});

Deno.test("checkArgs: words after -- and extra words of a variadic command are in _", () => {
  const checked = checkArgs(args, ["a", "--", "-b", "--deep", "c"], {
    name: "cp",
    variadic: { name: "file", min: 0, description: "More" },
  });
  assertEquals(checked.args._, ["a", "-b", "--deep", "c"]);
  assertEquals([checked.args.source, checked.args.target, checked.args.deep], [
    "a",
    "-b",
    undefined,
  ]);
});

Deno.test("runCommand gives run the checked values and the canonical arguments", async () => {
  const seen: Array<CommandContext<typeof args>> = [];
  const cmd = defineCommand({
    meta: { name: "cp" },
    args,
    run: (context) => void seen.push(context),
  });
  await runCommand(cmd, checkArgs(args, ["-d", "a", "--max-signatures", "9"], cmd.meta));
  assertEquals(seen.length, 1);
  assertEquals(seen[0]!.args.deep, true);
  assertEquals(seen[0]!.args["max-signatures"], "9");
  assertEquals(seen[0]!.rawArgs, ["--deep", "--max-signatures=9", "--", "a"]);
});
