/**
 * Benchmark `verify-blobs-memory`: peak memory (and time) while reading and verifying every blob
 * of a layout holding one 2 GiB random layer: a small `openLayout` + `fetch` drain script, and
 * `ocisign cp --from-oci-layout A:v1 --to-oci-layout B:v1` (deno and binary), which streams and
 * verifies every blob; `oras cp` doing the same layout-to-layout copy is the named peer.
 * Goal: peak RSS under 150 MiB. 3 runs each.
 *
 * Run: `deno task bench verify-blobs-memory`
 *
 * @module
 */
import { type ContenderResult, runContender } from "./_lib/contender.ts";
import { writeImageLayout } from "./_lib/layout.ts";
import { type Goal, type Row, toRows } from "./_lib/report.ts";
import { GIB, MIB } from "./_lib/stats.ts";
import { ocisignRunners, requireTool, ROOT, runsFor } from "./_lib/tools.ts";

const RUNS = 3;
const PEER = "oras cp";

/**
 * Runs the `verify-blobs-memory` benchmark and returns its rows.
 *
 * @example
 * ```ts
 * const rows = await benchVerifyBlobsMemory(await Deno.makeTempDir());
 * ```
 */
export async function benchVerifyBlobsMemory(work: string): Promise<Row[]> {
  const oras = await requireTool("oras");
  const runners = await ocisignRunners(work);
  console.error("verify-blobs-memory: writing a layout with one 2 GiB random layer");
  const src = (await writeImageLayout(`${work}/src`, "v1", [2 * GIB])).dir;
  const dst = `${work}/dst`;
  const clean = async (): Promise<void> => {
    await Deno.remove(dst, { recursive: true }).catch(() => {});
  };
  const results: ContenderResult[] = [];
  results.push(
    await runContender({
      name: "openLayout+fetch drain (deno)",
      cmd: Deno.execPath(),
      args: () => ["run", "-A", `${ROOT}/scripts/bench/_drain_worker.ts`, src, "v1"],
    }, runsFor(RUNS)),
  );
  for (const o of runners) {
    results.push(
      await runContender({
        name: `${o.name} cp`,
        cmd: o.cmd,
        teardown: clean,
        args: () => [
          ...o.prefix,
          "cp",
          "--from-oci-layout",
          `${src}:v1`,
          "--to-oci-layout",
          `${dst}:v1`,
        ],
      }, runsFor(RUNS)),
    );
  }
  results.push(
    await runContender({
      name: PEER,
      cmd: oras,
      teardown: clean,
      args: () => ["cp", "--from-oci-layout", `${src}:v1`, "--to-oci-layout", `${dst}:v1`],
    }, runsFor(RUNS)),
  );
  const goal: Goal = { text: "peak RSS < 150 MiB", met: (r) => r.peakRssKiB * 1024 < 150 * MIB };
  const goals = Object.fromEntries(
    results.filter((r) => r.name !== PEER).map((r) => [r.name, [goal]]),
  );
  return toRows("verify-blobs-memory", results, PEER, goals);
}
