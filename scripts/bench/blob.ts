/**
 * Benchmark `blob`: wall time and peak RSS of `ocisign blob sign` and `ocisign blob verify` on
 * a 1 GiB random file, as whole processes, under `deno run` and the compiled binary, against the
 * real notation 2.0.0-alpha.1 CLI (`notation blob sign|verify`, the named peer) with the same key
 * (a `cert generate-test` RSA-2048 key: sha256), the same configuration directory and the same
 * global blob trust policy. Each sign run overwrites its signature (`--force`); each verify run
 * checks the JWS signature its own tool made. Goals for the binary: time ≤ 1.0× notation's,
 * peak RSS < 100 MiB (flat memory whatever the file size). 3 runs each.
 *
 * Run: `deno task bench blob` (notation-2.0.0-alpha.1 on PATH, or in ../shared/peers/linux-amd64)
 *
 * @module
 */
import { type Contender, type ContenderResult, runContender } from "./_lib/contender.ts";
import { run } from "./_lib/measure.ts";
import { writeRandomFile } from "./_lib/random_data.ts";
import { type Goal, type Row, toRows } from "./_lib/report.ts";
import { GIB } from "./_lib/stats.ts";
import { findTool, ocisignRunners, ROOT, runsFor } from "./_lib/tools.ts";

const RUNS = 3;
const PEER = "notation 2.0.0-alpha.1";
const NOTATION = "notation-2.0.0-alpha.1";

/**
 * Runs the `blob` benchmark and returns its rows.
 *
 * @example
 * ```ts
 * const rows = await benchBlob(await Deno.makeTempDir());
 * ```
 */
export async function benchBlob(work: string): Promise<Row[]> {
  const peer = await findTool(NOTATION, [`${ROOT}/../shared/peers/linux-amd64/${NOTATION}`]);
  if (peer === undefined) {
    throw new Error(`${NOTATION} is not installed: put the notation 2.0.0-alpha.1 CLI on PATH`);
  }
  const runners = await ocisignRunners(work);
  const bin = runners[1]!;
  const xdg = `${work}/xdg`;
  const env = {
    OCISIGN_CONFIG_DIR: `${xdg}/notation`,
    XDG_CONFIG_HOME: xdg,
    XDG_CACHE_HOME: `${work}/cache`,
  };
  await run(bin.cmd, ["cert", "generate-test", "bench", "--default"], { env });
  await run(bin.cmd, [
    "blob",
    "policy",
    "init",
    "--name",
    "bench",
    "--trust-store",
    "ca:bench",
    "--trusted-identity",
    "*",
    "--global",
  ], { env });
  const blob = `${work}/release.bin`;
  console.error("writing 1 GiB of random data");
  await writeRandomFile(blob, GIB);
  const contenders = [
    ...runners.map((o) => ({
      name: o.name,
      cmd: o.cmd,
      prefix: o.prefix,
      dir: `${work}/sig-ocisign`,
    })),
    { name: PEER, cmd: peer, prefix: [] as string[], dir: `${work}/sig-notation` },
  ];
  for (const c of contenders) await Deno.mkdir(c.dir, { recursive: true });
  const signers: Contender[] = contenders.map((c) => ({
    name: c.name,
    cmd: c.cmd,
    env,
    args: () => [...c.prefix, "blob", "sign", "--force", "--signature-directory", c.dir, blob],
  }));
  const verifiers: Contender[] = contenders.map((c) => ({
    name: c.name,
    cmd: c.cmd,
    env,
    args:
      () => [...c.prefix, "blob", "verify", "--signature", `${c.dir}/release.bin.jws.sig`, blob],
  }));
  const signResults: ContenderResult[] = [];
  for (const c of signers) signResults.push(await runContender(c, runsFor(RUNS)));
  const verifyResults: ContenderResult[] = [];
  for (const c of verifiers) verifyResults.push(await runContender(c, runsFor(RUNS)));
  const goals: Goal[] = [
    { text: "time ≤ 1.0× notation", met: (r, p) => r.medianMs <= p.medianMs },
    { text: "peak RSS < 100 MiB", met: (r) => r.peakRssKiB < 100 * 1024 },
  ];
  return [
    ...toRows("blob sign (1 GiB)", signResults, PEER, { [bin.name]: goals }),
    ...toRows("blob verify (1 GiB)", verifyResults, PEER, { [bin.name]: goals }),
  ];
}
