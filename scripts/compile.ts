/**
 * Compiles the CLI into one standalone binary with Bun (`scripts/bun_compile.ts`):
 * `deno task compile [--outfile dist/ocisign] [--target bun-linux-arm64]`. Uses `bun` from PATH,
 * else fetches the pinned Bun from npm with `npx`. `node_modules/` (which Bun resolves packages
 * from) is populated by `deno install` first.
 */
import process from "node:process";

const BUN_VERSION = "1.4.5";
const root = new URL("..", import.meta.url).pathname;

/** Bun's compile targets the release builds, by the name its file gets. */
export const RELEASE_TARGETS: Record<string, string> = {
  "linux-x64": "bun-linux-x64",
  "linux-arm64": "bun-linux-arm64",
  "linux-x64-musl": "bun-linux-x64-musl",
  "darwin-x64": "bun-darwin-x64",
  "darwin-arm64": "bun-darwin-arm64",
  "windows-x64": "bun-windows-x64",
};

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

/**
 * Writes the binary for `target` (a Bun target such as `bun-linux-arm64`; the host's when
 * absent) to `outfile`, with the commit it was built from.
 * @throws {Error} when `deno install` or Bun fails, with what to do.
 */
export async function compile(outfile: string, target?: string): Promise<void> {
  if ((await run(Deno.execPath(), ["install", "--quiet"])) !== 0) {
    throw new Error("deno install failed; cannot populate node_modules for Bun");
  }
  const bunArgs = ["scripts/bun_compile.ts", outfile, ...(target ? ["--target", target] : [])];
  const code = (await has("bun"))
    ? await run("bun", bunArgs)
    : (await has("npx"))
    ? await run("npx", ["-y", `bun@${BUN_VERSION}`, ...bunArgs])
    : undefined;
  if (code === undefined) {
    throw new Error(`neither bun nor npx is on PATH: install Bun ${BUN_VERSION} (npm i -g bun)`);
  }
  if (code !== 0) throw new Error(`bun build --compile failed for ${target ?? "this host"}`);
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const outfile = flag("--outfile") ?? "dist/ocisign";
  try {
    await compile(outfile, flag("--target"));
    console.log(`wrote ${outfile}`);
  } catch (err) {
    console.error(`Error: ${(err as Error).message}`);
    Deno.exit(1);
  }
}
