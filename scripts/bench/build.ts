/**
 * Benchmark `build`: `ocisign build` (deno and binary) of a 1 GiB context of 20,000 random files
 * spread over 200 directories (`FROM scratch` + `COPY . /data`, Dockerfile outside the context),
 * against `tar -c | gzip -6` over the same files (the practical floor; the named peer). 2 runs
 * each (3 take about 6.5 minutes on 2 cores; set OCISIGN_BENCH_RUNS=3 for more); goals: within
 * 1.3x of the peer, peak RSS under 200 MiB.
 *
 * Run: `deno task bench build`
 *
 * @module
 */
import { type ContenderResult, runContender } from "./_lib/contender.ts";
import { makeContext } from "./_lib/random_data.ts";
import { type Goal, type Row, toRows } from "./_lib/report.ts";
import { GIB, MIB } from "./_lib/stats.ts";
import { ocisignRunners, requireTool, runsFor } from "./_lib/tools.ts";

const RUNS = 2;
const FILES = 20_000;
const PEER = "tar -c | gzip -6";

/**
 * Runs the `build` benchmark and returns its rows.
 *
 * @example
 * ```ts
 * const rows = await benchBuild(await Deno.makeTempDir());
 * ```
 */
export async function benchBuild(work: string): Promise<Row[]> {
  await requireTool("tar");
  await requireTool("gzip");
  const runners = await ocisignRunners(work);
  const context = `${work}/context`;
  console.error(`build: writing a 1 GiB context of ${FILES} random files`);
  const info = await makeContext(context, FILES, GIB);
  console.error(`build: ${info.files} files, ${(info.bytes / MIB).toFixed(0)} MiB`);
  const dockerfile = `${work}/Dockerfile`;
  await Deno.writeTextFile(dockerfile, "FROM scratch\nCOPY . /data\n");
  const out = `${work}/out`;
  const clean = async (): Promise<void> => {
    await Deno.remove(out, { recursive: true }).catch(() => {});
  };
  const results: ContenderResult[] = [];
  results.push(
    await runContender({
      name: PEER,
      cmd: "sh",
      teardown: clean,
      args: () => ["-c", `tar -c -C '${context}' . | gzip -6 > '${out}'`],
    }, runsFor(RUNS)),
  );
  for (const o of runners) {
    results.push(
      await runContender({
        name: `${o.name} build`,
        cmd: o.cmd,
        teardown: clean,
        args: () => [...o.prefix, "build", context, "-f", dockerfile, "-t", "bench:v1", "-o", out],
      }, runsFor(RUNS)),
    );
  }
  const goal: Goal[] = [
    { text: "time <= 1.3x tar|gzip", met: (r, p) => r.medianMs / p.medianMs <= 1.3 },
    { text: "RSS < 200 MiB", met: (r) => r.peakRssKiB * 1024 < 200 * MIB },
  ];
  const goals = Object.fromEntries(
    results.filter((r) => r.name !== PEER).map((r) => [r.name, goal]),
  );
  return toRows("build 1 GiB/20k files", results, PEER, goals);
}
