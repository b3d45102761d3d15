/**
 * Benchmark `sign-verify`: wall time of `ocisign sign --oci-layout` and
 * `ocisign verify --oci-layout --scope` on a small layout (one 1 KiB layer), as whole processes,
 * under `deno run` of cli.ts as `deno task ocisign` runs it and as the compiled binary, against
 * the notation CLI 1.3.2 (the named peer, `notation` on PATH or in `../shared/peers/<os>-<arch>`,
 * which is put first on PATH as CI does) signing and verifying the same layout with the same key,
 * certificate and trust policy: both tools read the same configuration directory
 * (`$XDG_CONFIG_HOME/notation`). Each sign run signs a fresh copy of the layout; each verify run
 * checks one JWS signature. Also times `--version` (`version` for the peer) as the start-up
 * floor, and signing with a SoftHSM key (`sign_hsm.ts`). The contenders of a row alternate
 * (paired runs, 11 rounds), so the machine's load hits them alike; the figures are medians.
 *
 * Goals (issue "fast start"): binary `verify` at most 3x notation, `deno task ocisign verify` at
 * most 10x, binary `--version` at most 20 ms.
 *
 * Run: `deno task bench sign-verify`
 *
 * @module
 */
import { type Contender, runPaired } from "./_lib/contender.ts";
import { run } from "./_lib/measure.ts";
import { writeImageLayout } from "./_lib/layout.ts";
import { type Goal, type Row, toRows } from "./_lib/report.ts";
import { BENCH_SCOPE, setUpBenchTrust } from "./_lib/trust_setup.ts";
import { ocisignRunners, PEER_RELEASES, requireTool, runsFor } from "./_lib/tools.ts";
import { benchHsmSign } from "./sign_hsm.ts";

const RUNS = 11;
const PEER = "notation 1.3.2";

/** At most `times` the peer's median. */
function within(times: number): Goal {
  return { text: `<= ${times}x ${PEER}`, met: (r, p) => r.medianMs <= times * p.medianMs };
}

/**
 * Runs the `sign-verify` benchmark and returns its rows.
 *
 * @example
 * ```ts ignore
 * const rows = await benchSignVerify(await Deno.makeTempDir());
 * ```
 */
export async function benchSignVerify(work: string): Promise<Row[]> {
  const peer = await requireTool("notation");
  const version = await run(peer, ["version"]);
  if (!/Version:\s+v?1\.3\.2\b/.test(version)) {
    throw new Error(`${peer} is not the notation CLI 1.3.2:\n${version}`);
  }
  const runners = await ocisignRunners(work);
  const [deno, bin] = [runners[0]!, runners[1]!];
  const xdg = `${work}/xdg`;
  const env = {
    XDG_CONFIG_HOME: xdg,
    XDG_CACHE_HOME: `${work}/cache`,
    OCISIGN_CONFIG_DIR: `${xdg}/notation`,
    NOTATION_EXPERIMENTAL: "1",
    PATH: `${PEER_RELEASES}:${Deno.env.get("PATH") ?? ""}`,
  };
  await setUpBenchTrust(bin.cmd, work, env);
  const pristine = (await writeImageLayout(`${work}/pristine`, "v1", [1024])).dir;
  const fresh = (name: string) => async (i: number): Promise<void> => {
    await run("cp", ["-r", pristine, `${work}/${name}-${i}`]);
  };
  const signed = `${work}/signed`;
  await run("cp", ["-r", pristine, signed]);
  await run(bin.cmd, ["sign", "--oci-layout", `${signed}:v1`], { env });
  // The peer must accept what it is timed on, or the comparison means nothing.
  await run(peer, ["verify", "--oci-layout", `${signed}:v1`, "--scope", BENCH_SCOPE], { env });

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
      args: (i: number) => ["sign", "--oci-layout", `${work}/signpeer-${i}:v1`],
    },
  ];
  const verifyArgs = ["verify", "--oci-layout", `${signed}:v1`, "--scope", BENCH_SCOPE];
  const verifiers: Contender[] = [
    ...runners.map((o) => ({
      name: o.name,
      cmd: o.cmd,
      env,
      args: () => [...o.prefix, ...verifyArgs],
    })),
    { name: PEER, cmd: peer, env, args: () => verifyArgs },
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
  const runs = runsFor(RUNS);
  const startResults = await runPaired(starters, runs);
  const signResults = await runPaired(signers, runs);
  const verifyResults = await runPaired(verifiers, runs);
  const fastStart: Goal = { text: "<= 20 ms", met: (r) => r.medianMs <= 20 };
  return [
    ...toRows("startup (--version)", startResults, PEER, { [bin.name]: [fastStart] }),
    ...toRows("sign", signResults, PEER, {}),
    ...toRows("verify", verifyResults, PEER, {
      [bin.name]: [within(3)],
      [deno.name]: [within(10)],
    }),
    ...await benchHsmSign(work, bin, runs),
  ];
}
