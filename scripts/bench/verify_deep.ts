/**
 * Benchmark `verify-deep`: wall time and peak memory of `ocisign verify --oci-layout --scope` on a
 * signed layout holding one 1 GiB image of 8 random 128 MiB layers; for a layout `verify` is deep
 * by default, so it checks the signature, then reads and hashes the manifest, the config and every
 * layer. The named peer is `sha256sum` over the same blob files (what a careful user would run by
 * hand). Goals for the binary: at most 1.2x sha256sum's wall time, peak RSS under 150 MiB.
 * 3 runs each.
 *
 * Run: `deno task bench verify-deep`
 *
 * @module
 */
import { type ContenderResult, runContender } from "./_lib/contender.ts";
import { run } from "./_lib/measure.ts";
import { writeImageLayout } from "./_lib/layout.ts";
import { type Goal, type Row, toRows } from "./_lib/report.ts";
import { MIB } from "./_lib/stats.ts";
import { BENCH_SCOPE, setUpBenchTrust } from "./_lib/trust_setup.ts";
import { ocisignRunners, requireTool, runsFor } from "./_lib/tools.ts";

const RUNS = 3;
const PEER = "sha256sum";

/**
 * Runs the `verify-deep` benchmark and returns its rows.
 *
 * @example
 * ```ts
 * const rows = await benchVerifyDeep(await Deno.makeTempDir());
 * ```
 */
export async function benchVerifyDeep(work: string): Promise<Row[]> {
  const sha256sum = await requireTool("sha256sum");
  const runners = await ocisignRunners(work);
  const bin = runners[1]!;
  const env = { OCISIGN_CONFIG_DIR: `${work}/cfg` };
  await setUpBenchTrust(bin.cmd, work, env);
  console.error("verify-deep: writing a layout with 8 random layers of 128 MiB");
  const layout = (await writeImageLayout(`${work}/img`, "v1", Array(8).fill(128 * MIB))).dir;
  await run(bin.cmd, ["sign", "--oci-layout", `${layout}:v1`], { env });
  const blobs: string[] = [];
  for await (const e of Deno.readDir(`${layout}/blobs/sha256`)) {
    blobs.push(`${layout}/blobs/sha256/${e.name}`);
  }
  const results: ContenderResult[] = [];
  for (const o of runners) {
    results.push(
      await runContender({
        name: o.name,
        cmd: o.cmd,
        env,
        args: () => [...o.prefix, "verify", "--oci-layout", `${layout}:v1`, "--scope", BENCH_SCOPE],
      }, runsFor(RUNS)),
    );
  }
  results.push(
    await runContender({ name: PEER, cmd: sha256sum, args: () => blobs }, runsFor(RUNS)),
  );
  const goals: Goal[] = [
    { text: "<= 1.2x sha256sum", met: (r, p) => r.medianMs <= 1.2 * p.medianMs },
    { text: "peak RSS < 150 MiB", met: (r) => r.peakRssKiB * 1024 < 150 * MIB },
  ];
  return toRows("verify-deep", results, PEER, { [bin.name]: goals });
}
