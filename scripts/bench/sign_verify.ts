/**
 * Benchmark `sign-verify`: wall time of `ocisign sign --oci-layout` and
 * `ocisign verify --oci-layout --scope` on a small layout (one 1 KiB layer), as whole processes,
 * under `deno run -A cli.ts` and the compiled binary, against notation-peer (notation-go 1.3.2)
 * doing the same sign and verify with the same key, certificate and trust policy (the named
 * peer). Each sign run signs a fresh copy of the layout; each verify run checks one JWS
 * signature. Goal: verify under 150 ms for the binary. Also times `--version` (`version` for
 * the peer) as the start-up floor, and signing with a SoftHSM key (`sign_hsm.ts`). 10 runs each.
 *
 * Run: `deno task bench sign-verify`
 *
 * @module
 */
import { type Contender, type ContenderResult, runContender } from "./_lib/contender.ts";
import { run } from "./_lib/measure.ts";
import { writeImageLayout } from "./_lib/layout.ts";
import { type Goal, type Row, toRows } from "./_lib/report.ts";
import { BENCH_SCOPE, setUpBenchTrust } from "./_lib/trust_setup.ts";
import { ocisignRunners, requireTool, runsFor } from "./_lib/tools.ts";
import { benchHsmSign } from "./sign_hsm.ts";

const RUNS = 10;
const PEER = "notation-peer";

/**
 * Runs the `sign-verify` benchmark and returns its rows.
 *
 * @example
 * ```ts
 * const rows = await benchSignVerify(await Deno.makeTempDir());
 * ```
 */
export async function benchSignVerify(work: string): Promise<Row[]> {
  const peer = await requireTool("notation-peer");
  const runners = await ocisignRunners(work);
  const bin = runners[1]!;
  const cfg = `${work}/cfg`;
  const env = { OCISIGN_CONFIG_DIR: cfg, NOTATION_CACHE: `${work}/notation-cache` };
  await setUpBenchTrust(bin.cmd, work, env);
  const pristine = (await writeImageLayout(`${work}/pristine`, "v1", [1024])).dir;
  const fresh = (name: string) => async (i: number): Promise<void> => {
    await run("cp", ["-r", pristine, `${work}/${name}-${i}`]);
  };
  const signed = `${work}/signed`;
  await fresh("signed")(0);
  await Deno.rename(`${signed}-0`, signed);
  await run(bin.cmd, ["sign", "--oci-layout", `${signed}:v1`], { env });

  const signers: Contender[] = [
    ...runners.map((o, n) => ({
      name: o.name,
      cmd: o.cmd,
      env,
      setup: fresh(`sign${n}`),
      args: (i: number) => [...o.prefix, "sign", "--oci-layout", `${work}/sign${n}-${i}:v1`],
    })),
    {
      name: PEER,
      cmd: peer,
      env,
      setup: fresh("signpeer"),
      args: (i: number) => [
        "sign",
        "--oci-layout",
        `${work}/signpeer-${i}:v1`,
        "--key",
        `${cfg}/localkeys/bench.key`,
        "--cert",
        `${cfg}/localkeys/bench.crt`,
      ],
    },
  ];
  const verifiers: Contender[] = [
    ...runners.map((o) => ({
      name: o.name,
      cmd: o.cmd,
      env,
      args: () => [...o.prefix, "verify", "--oci-layout", `${signed}:v1`, "--scope", BENCH_SCOPE],
    })),
    {
      name: PEER,
      cmd: peer,
      env,
      args: () => [
        "verify",
        "--oci-layout",
        `${signed}:v1`,
        "--scope",
        BENCH_SCOPE,
        "--config-dir",
        cfg,
      ],
    },
  ];
  const starters: Contender[] = [
    ...runners.map((o) => ({
      name: o.name,
      cmd: o.cmd,
      env,
      args: () => [...o.prefix, "--version"],
    })),
    { name: PEER, cmd: peer, env, args: () => ["version"] },
  ];
  const startResults: ContenderResult[] = [];
  for (const c of starters) startResults.push(await runContender(c, runsFor(RUNS)));
  const signResults: ContenderResult[] = [];
  for (const c of signers) signResults.push(await runContender(c, runsFor(RUNS)));
  const verifyResults: ContenderResult[] = [];
  for (const c of verifiers) verifyResults.push(await runContender(c, runsFor(RUNS)));
  const verifyGoal: Goal = { text: "verify < 150 ms", met: (r) => r.medianMs < 150 };
  return [
    ...toRows("startup (--version)", startResults, PEER, {}),
    ...toRows("sign", signResults, PEER, {}),
    ...toRows("verify", verifyResults, PEER, { [bin.name]: [verifyGoal] }),
    ...await benchHsmSign(work, bin, RUNS),
  ];
}
