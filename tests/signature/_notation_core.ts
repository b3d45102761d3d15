/**
 * Builds and runs the notation-core-go checker of `notation_core/` (the envelope library of
 * notation 1.3.2) with the local Go toolchain; without Go, tests that need it skip (or fail under
 * `OCISIGN_REQUIRE_PEERS=1`).
 *
 * @module
 */

const SOURCE = new URL("./notation_core/", import.meta.url).pathname;

/** Whether peers are required (`OCISIGN_REQUIRE_PEERS=1`). */
export const REQUIRE = Deno.env.get("OCISIGN_REQUIRE_PEERS") === "1";

/** Runs a command to completion with module downloads allowed. */
export async function run(cmd: string, args: string[], cwd?: string) {
  const out = await new Deno.Command(cmd, {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { GOFLAGS: "-mod=mod" },
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

async function haveGo(): Promise<boolean> {
  try {
    return (await run("go", ["version"])).code === 0;
  } catch {
    return false;
  }
}

/** Whether the Go toolchain is installed. */
export const HAVE_GO = await haveGo();
if (!HAVE_GO && !REQUIRE) {
  console.warn("skipping notation-core-go interop: the Go toolchain is not installed");
}

/** Builds the checker into `dir`; returns its path, or undefined (with a warning) when it cannot be built. */
export async function buildChecker(dir: string): Promise<string | undefined> {
  const bin = `${dir}/notation-core-check`;
  const out = await run("go", ["build", "-o", bin, "."], SOURCE);
  if (out.code === 0) return bin;
  if (REQUIRE) throw new Error(`cannot build the notation-core-go checker: ${out.stderr}`);
  console.warn(
    `skipping notation-core-go interop: go build failed (offline without a module cache?): ${
      out.stderr.trim().split("\n")[0]
    }`,
  );
  return undefined;
}

/** The checker, built once per test process into a temp dir removed at exit; undefined when it cannot be. */
const CHECKER_DIR = HAVE_GO
  ? await Deno.makeTempDir({ prefix: "ocisign-notation-core-bin-" })
  : undefined;
export const CHECKER: string | undefined = CHECKER_DIR === undefined
  ? undefined
  : await buildChecker(CHECKER_DIR);
if (CHECKER_DIR !== undefined) {
  globalThis.addEventListener("unload", () => Deno.removeSync(CHECKER_DIR, { recursive: true }));
}
if (CHECKER === undefined && REQUIRE) {
  throw new Error("the notation-core-go checker is required (OCISIGN_REQUIRE_PEERS=1): install Go");
}
