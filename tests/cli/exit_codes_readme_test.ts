/**
 * The README's exit-code table is the code's: every exit code with its meaning (as `--help`
 * prints it) and the error codes that map to it.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { errorCodesByExit, EXIT, EXIT_CODE_HELP } from "../../lib/cli/exit_codes.ts";

Deno.test("README exit-code table matches lib/cli/exit_codes.ts", async () => {
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const section = readme.split("\n## Exit codes\n")[1]!.split("\n## ")[0]!;
  const rows = section.split("\n").filter((l) => /^\|\s*\d+\s*\|/.test(l)).map((l) =>
    l.split("|").slice(1, -1).map((c) => c.trim())
  );
  const documented = rows.map(([exit, meaning, codes]) => ({
    exit: Number(exit),
    meaning,
    codes: [...codes!.matchAll(/`(ERR_[A-Z_]+)`/g)].map((m) => m[1]).sort(),
  }));
  const help = EXIT_CODE_HELP.split("\n").slice(1).map((l) => /^\s+(\d+)\s+(.*)$/.exec(l)!);
  const byExit = errorCodesByExit();
  assertEquals(
    documented,
    help.map((m) => ({
      exit: Number(m[1]),
      meaning: m[2],
      codes: [...(byExit.get(Number(m[1])) ?? [])].sort(),
    })),
  );
  assertEquals(
    documented.map((d) => d.exit).sort((a, b) => a - b),
    Object.values(EXIT).sort((a, b) => a - b),
  );
});
