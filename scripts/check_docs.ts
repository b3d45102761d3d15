/**
 * The documentation gate of `deno task ok`: `deno task docs` lints the docs of every entry point
 * listed in deno.json's `exports` (`deno doc --lint`: every export documented, no private types in
 * public signatures; the root `mod.ts` also on its own), then type-checks and runs every code block of the library's JSDoc
 * (`deno test --doc`; blocks marked `ignore` need I/O and are skipped). Entry points come from
 * deno.json so a new subpath export is checked without editing this script.
 */
const root = new URL("..", import.meta.url);
const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
const entries = Object.values(config.exports as Record<string, string>);

async function run(args: string[]): Promise<void> {
  const { code } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  })
    .output();
  if (code !== 0) {
    console.error(`docs: \`deno ${args.join(" ")}\` failed (exit ${code}); fix what it printed`);
    Deno.exit(1);
  }
}

await run(["doc", "--lint", ...entries]);
// The root alone too: every type its exports refer to is exported from mod.ts itself.
await run(["doc", "--lint", "mod.ts"]);
// `cli.ts` is a program: `deno test --doc` would run it. Its examples live in lib/cli/.
const outsideLib = entries.filter((e) => !e.startsWith("./lib/") && e !== "./cli.ts");
await run(["test", "--allow-all", "--doc", "lib/", ...outsideLib]);
