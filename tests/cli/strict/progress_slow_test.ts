/**
 * Progress on a terminal (a pseudo-terminal through `script`): `build`, `cp`, `verify --deep`
 * and `blob sign` draw a row per blob in flight with its bytes, percent and rate, redrawn in
 * place and cut to the terminal's width; finished blobs stay as one line each. The compiled
 * binary (Bun, which learns the width from `process.stderr.columns`) draws the same rows.
 */
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { ok, withSigningSandbox } from "../commands/_fixture.ts";
import type { CliSandbox } from "../../_helpers/cli.ts";
import { onTerminal, script, type TerminalOptions } from "../../_helpers/terminal.ts";
import { bunCompileArgs } from "../../_helpers/bun.ts";
import { describeRun } from "../../_helpers/e2e.ts";
import { findPeer, runPeer } from "../../_helpers/peers.ts";

const BUN = findPeer("bun");
const REPO_ROOT = new URL("../../../", import.meta.url).pathname;

/** Random bytes, so the layer does not compress away and is read in many chunks. */
function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += 65536) crypto.getRandomValues(out.subarray(at, at + 65536));
  return out;
}

/** What the terminal shows, line by line: escapes removed, each redrawn row a line of its own. */
function shownLines(output: string): string[] {
  // deno-lint-ignore no-control-regex
  return output.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "\n").split(/\r?\n|\r/).filter((l) => l);
}

/** A sandbox with `big/` (a Dockerfile copying 6 MB of random bytes). */
async function bigContext(sb: CliSandbox): Promise<void> {
  await Deno.mkdir(`${sb.cwd}/big`);
  await Deno.writeTextFile(`${sb.cwd}/big/Dockerfile`, "FROM scratch\nCOPY data.bin /\n");
  await Deno.writeFile(`${sb.cwd}/big/data.bin`, randomBytes(6_000_000));
}

function terminalEnv(sb: CliSandbox): Record<string, string> {
  return {
    HOME: sb.home,
    OCISIGN_CONFIG_DIR: sb.configDir,
    PATH: Deno.env.get("PATH")!,
    NO_COLOR: "1",
  };
}

/**
 * Runs commands on the terminal: each must succeed, dim nothing (NO_COLOR), and keep its rows
 * narrower than the terminal. Returns what was shown.
 */
async function terminalRunner(
  sb: CliSandbox,
  at: TerminalOptions,
): Promise<(...args: string[]) => Promise<string>> {
  await bigContext(sb);
  return async (...args: string[]) => {
    const r = await onTerminal(args, terminalEnv(sb), at);
    assertEquals(r.code, 0, r.output);
    assert.ok(!r.output.includes("\x1b[2m"), "NO_COLOR: no dimmed rows");
    for (const line of shownLines(r.output).filter((l) => l.endsWith("/s"))) {
      assert.ok(line.length < COLUMNS, `wider than the terminal: ${JSON.stringify(line)}`);
    }
    return r.output;
  };
}

const ROW = String.raw`[\d.]+ [kM]?B/[\d.]+ [kM]?B  \d+\.\d\d%  [\d.]+ [kMG]?B/s`;
const COLUMNS = 72;

Deno.test({
  name: "build, cp, verify --deep and blob sign show per-blob rows on a terminal",
  ignore: script === undefined,
  fn: async () => {
    await withSigningSandbox(async (sb) => {
      const run = await terminalRunner(sb, { cwd: sb.cwd, columns: COLUMNS });
      const env = terminalEnv(sb);
      const at = { cwd: sb.cwd, columns: COLUMNS };

      const build = await run("build", "-t", "big:v1", "-o", "./out", "./big");
      assert.match(build, /line 2: COPY data\.bin \//);
      assert.match(build, /layers written: +[\d.]+ MB +[\d.]+ [kMG]?B\/s/);

      const cp = await run("cp", "--from-oci-layout", "./out:v1", "--to-oci-layout", "./c:v1");
      assert.match(cp, new RegExp(`Copying [0-9a-f]{12} \\S+  ${ROW}`));
      // deno-lint-ignore no-control-regex
      assert.match(cp, /\x1b\[\d+A\r\x1b\[J/, "rows are redrawn in place");
      const copied = shownLines(cp).filter((l) => l.startsWith("Copied  "));
      assertEquals(new Set(copied).size, 3, cp); // layer, config, manifest: once each

      ok(await sb.run("sign", "--oci-layout", "./c:v1"));
      const verify = await run("verify", "--oci-layout", "./c:v1", "--scope", "local/hello-world");
      assert.match(verify, new RegExp(`Verifying [0-9a-f]{12} \\S+  ${ROW}`));
      assert.match(verify, /Verified {2}[0-9a-f]{12} application\/vnd\.oci\.image\.layer/);
      assert.match(verify, /Successfully verified/);

      const blob = await run("blob", "sign", "big/data.bin");
      assert.match(blob, new RegExp(`Hashing big/data\\.bin  ${ROW}`));
      assert.match(blob, /Successfully signed big\/data\.bin/);

      // With colour allowed, the rows are dimmed.
      const { NO_COLOR: _, ...coloured } = env;
      const again = await onTerminal(["blob", "sign", "--force", "big/data.bin"], coloured, at);
      assertEquals(again.code, 0, again.output);
      assert.ok(again.output.includes("\x1b[2mHashing"), again.output);
    });
  },
});

Deno.test({
  name: "the compiled binary shows the same rows, cut to the terminal's width",
  ignore: script === undefined || BUN === undefined,
  fn: async () => {
    await withSigningSandbox(async (sb) => {
      const binary = `${sb.home}/ocisign-bin`;
      const built = await runPeer(BUN!, bunCompileArgs(binary), { cwd: REPO_ROOT });
      assertEquals(built.code, 0, describeRun(built));
      const run = await terminalRunner(sb, { cwd: sb.cwd, columns: COLUMNS, binary });

      const build = await run("build", "-t", "big:v1", "-o", "./out", "./big");
      assert.match(build, /layers written: +[\d.]+ MB +[\d.]+ [kMG]?B\/s/);
      const cp = await run("cp", "--from-oci-layout", "./out:v1", "--to-oci-layout", "./c:v1");
      assert.match(cp, new RegExp(`Copying [0-9a-f]{12} \\S+  ${ROW}`));
      // deno-lint-ignore no-control-regex
      assert.match(cp, /\x1b\[\d+A\r\x1b\[J/, "rows are redrawn in place");
      const blob = await run("blob", "sign", "big/data.bin");
      assert.match(blob, new RegExp(`Hashing big/data\\.bin  ${ROW}`));
    });
  },
});
