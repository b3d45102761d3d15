/**
 * Runs the crypto and layout suite (`tests/bun/suite.ts`) under Bun, so the library stays
 * Bun-compatible (the CLI ships as a `bun build --compile` binary).
 */
import { assert } from "./_helpers/assert.ts";
import { findPeer } from "./_helpers/peers.ts";
import { BUN_PRELOAD } from "./_helpers/bun.ts";

const bun = findPeer("bun");
const ROOT = new URL("..", import.meta.url).pathname;

Deno.test({
  name: "the crypto and layout suite passes under Bun",
  ignore: bun === undefined,
  async fn() {
    // Bun resolves npm packages from node_modules/, which `deno install` populates.
    const install = await new Deno.Command(Deno.execPath(), {
      args: ["install", "--quiet"],
      cwd: ROOT,
    }).output();
    assert.equal(install.code, 0, "deno install failed");
    const out = await new Deno.Command(bun!, {
      args: ["run", ...BUN_PRELOAD, "tests/bun/suite.ts"],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, `bun run tests/bun/suite.ts failed:\n${stdout}\n${stderr}`);
    assert.match(stdout, /^\d+ passed, 0 failed$/m);
  },
});
