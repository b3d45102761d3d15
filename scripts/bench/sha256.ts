/**
 * Benchmark `sha256`: streaming SHA-256 of a 1 GiB random file, read with
 * `nodeFs.open(...).stream()`, through `nodeHasherFactory` (lib/runtime) and through the pure-TS
 * hasher (lib/digest), each as a whole `deno run` process, against `sha256sum` on the same file
 * (the named peer). Reports MB/s; 5 runs each (the file is in the page cache after the first).
 *
 * Run: `deno task bench sha256`
 *
 * @module
 */
import type { ContenderResult } from "./_lib/contender.ts";
import { runContender } from "./_lib/contender.ts";
import { run } from "./_lib/measure.ts";
import { writeRandomFile } from "./_lib/random_data.ts";
import { type Row, toRows } from "./_lib/report.ts";
import { GIB, mbPerSecond } from "./_lib/stats.ts";
import { requireTool, ROOT, runsFor } from "./_lib/tools.ts";

const RUNS = 5;
const SIZE = GIB;

/**
 * Runs the `sha256` benchmark and returns its rows.
 *
 * @example
 * ```ts
 * const rows = await benchSha256(await Deno.makeTempDir());
 * ```
 */
export async function benchSha256(work: string): Promise<Row[]> {
  const sha256sum = await requireTool("sha256sum");
  const file = `${work}/random-1g.bin`;
  console.error("sha256: writing 1 GiB of random data");
  const expected = (await writeRandomFile(file, SIZE)).sha256;
  await run(sha256sum, [file]); // warm the page cache
  const worker = `${ROOT}/scripts/bench/_sha256_worker.ts`;
  const results: ContenderResult[] = [];
  results.push(
    await runContender({ name: "sha256sum", cmd: sha256sum, args: () => [file] }, runsFor(RUNS)),
  );
  for (const mode of ["node", "pure"]) {
    results.push(
      await runContender({
        name: `${mode === "node" ? "nodeHasherFactory" : "pureHasherFactory"} (deno)`,
        cmd: Deno.execPath(),
        args: () => ["run", "-A", worker, mode, file],
      }, runsFor(RUNS)),
    );
  }
  for (const r of results) {
    for (const s of r.samples) {
      if (!s.stdout.startsWith(expected)) {
        throw new Error(`${r.name} printed a wrong digest: ${s.stdout.trim()} != ${expected}`);
      }
    }
  }
  const notes = Object.fromEntries(
    results.map((r) => [r.name, `${mbPerSecond(SIZE, r.medianMs).toFixed(0)} MB/s`]),
  );
  await Deno.remove(file);
  return toRows("sha256", results, "sha256sum", {}, notes);
}
