/**
 * Runs ocisign's benchmarks one after another (never in parallel: the machine has 2 cores) and
 * prints a table; writes the rows as JSON under `$TMPDIR` (default /tmp).
 *
 * Run: `deno task bench` (all) or `deno task bench NAME [NAME...]` with NAME one of
 * sha256, sign-verify, verify-blobs-memory, cp, build, serve, verify-deep, blob. Needs GNU time
 * (`sudo apt-get install time`); each benchmark says which other tools it needs.
 * Generated data lives in a temp dir under /tmp and is deleted at the end (also on Ctrl-C).
 * Env: `OCISIGN_BENCH_RUNS=N` overrides the runs per contender; `OCISIGN_BENCH_BINARY=PATH` uses
 * that binary instead of compiling one from the current tree; `OCISIGN_BENCH_MIB=N` shrinks the
 * images of `cp` and `serve` (default 1024). Results go in the table of `scripts/bench/README.md`.
 *
 * @module
 */
import { requireGnuTime, run } from "./_lib/measure.ts";
import { machine, printMarkdownRows, printTable, type Row, writeResults } from "./_lib/report.ts";
import { stopAllServers } from "./_lib/server.ts";
import { ROOT } from "./_lib/tools.ts";
import { benchSha256 } from "./sha256.ts";
import { benchSignVerify } from "./sign_verify.ts";
import { benchVerifyBlobsMemory } from "./verify_blobs_memory.ts";
import { benchCp } from "./cp.ts";
import { benchBuild } from "./build.ts";
import { benchServe } from "./serve.ts";
import { benchVerifyDeep } from "./verify_deep.ts";
import { benchBlob } from "./blob.ts";

const BENCHMARKS: Record<string, (work: string) => Promise<Row[]>> = {
  "sha256": benchSha256,
  "sign-verify": benchSignVerify,
  "verify-blobs-memory": benchVerifyBlobsMemory,
  "cp": benchCp,
  "build": benchBuild,
  "serve": benchServe,
  "verify-deep": benchVerifyDeep,
  "blob": benchBlob,
};

async function main(names: string[]): Promise<number> {
  const unknown = names.filter((n) => !(n in BENCHMARKS));
  if (unknown.length > 0) {
    console.error(
      `Unknown benchmark ${unknown.join(", ")}: choose from ${Object.keys(BENCHMARKS).join(", ")}`,
    );
    return 2;
  }
  await requireGnuTime();
  const where = await machine();
  console.error(`machine: ${where}`);
  // Warm Deno's module cache so that the first timed `deno run` is not a cold start.
  await run(Deno.execPath(), ["run", "-A", `${ROOT}/cli.ts`, "--help"]);
  const rows: Row[] = [];
  const failed: string[] = [];
  let work = "";
  Deno.addSignalListener("SIGINT", async () => {
    console.error("interrupted: stopping servers and removing generated data");
    await stopAllServers();
    if (work !== "") await Deno.remove(work, { recursive: true }).catch(() => {});
    Deno.exit(130);
  });
  const selected = names.length > 0 ? names : Object.keys(BENCHMARKS);
  for (const name of selected) {
    work = await Deno.makeTempDir({ dir: "/tmp", prefix: `ocisign-bench-${name}-` });
    const started = performance.now();
    console.error(`== ${name}`);
    try {
      rows.push(...await BENCHMARKS[name]!(work));
    } catch (err) {
      failed.push(name);
      console.error(`== ${name} FAILED: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      await stopAllServers();
      await Deno.remove(work, { recursive: true });
      work = "";
    }
    console.error(`== ${name} took ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  if (rows.length > 0) {
    console.log(`machine: ${where}`);
    printTable(rows);
    printMarkdownRows(rows, new Date().toISOString().slice(0, 10));
    console.log(`\nResults written to ${await writeResults(rows)}`);
  }
  if (failed.length > 0) {
    console.error(`Failed benchmarks: ${failed.join(", ")} (see the errors above)`);
    return 1;
  }
  return 0;
}

Deno.exit(await main(Deno.args));
