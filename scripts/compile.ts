/**
 * Compiles the CLI into one standalone binary with Bun (`scripts/bun_compile.ts`):
 * `deno task compile [--outfile dist/ocisign]`. Uses `bun` from PATH, else fetches the pinned
 * Bun from npm with `npx`. `node_modules/` (which Bun resolves packages from) is populated by
 * `deno install` first.
 */
import process from "node:process";

const BUN_VERSION = "1.4.5";
const args = process.argv.slice(2);
const outIndex = args.indexOf("--outfile");
const outfile = outIndex >= 0 ? args[outIndex + 1]! : "dist/ocisign";
const root = new URL("..", import.meta.url).pathname;

async function run(cmd: string, cmdArgs: string[]): Promise<number> {
  const child = new Deno.Command(cmd, {
    args: cmdArgs,
    cwd: root,
    stdout: "inherit",
    stderr: "inherit",
  });
  return (await child.output()).code;
}

async function has(cmd: string): Promise<boolean> {
  try {
    const out = await new Deno.Command(cmd, { args: ["--version"], stdout: "null", stderr: "null" })
      .output();
    return out.success;
  } catch {
    return false;
  }
}

if ((await run(Deno.execPath(), ["install", "--quiet"])) !== 0) {
  console.error("Error: deno install failed; cannot populate node_modules for Bun");
  Deno.exit(1);
}
const bunArgs = ["scripts/bun_compile.ts", outfile];
const code = (await has("bun"))
  ? await run("bun", bunArgs)
  : await run("npx", ["-y", `bun@${BUN_VERSION}`, ...bunArgs]);
if (code !== 0) {
  console.error("Error: bun build --compile failed");
  Deno.exit(code);
}
console.log(`wrote ${outfile}`);
