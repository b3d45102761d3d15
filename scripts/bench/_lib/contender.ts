/**
 * Runs the contenders of a benchmark several times, one contender after another or alternating
 * (paired runs), with an untimed set-up step before each run, and keeps the samples.
 *
 * @module
 */
import { measure, type Sample } from "./measure.ts";
import { median } from "./stats.ts";

/** One tool invocation to time. */
export interface Contender {
  /** Short label for the table ("ocisign (binary)", "oras cp"). */
  name: string;
  cmd: string;
  /** Arguments for run `i` (0-based). */
  args: (i: number) => string[];
  cwd?: string;
  env?: Record<string, string>;
  /** Untimed preparation before run `i` (fresh destination, fresh registry, ...). */
  setup?: (i: number) => Promise<void>;
  /** Untimed clean-up after run `i`. */
  teardown?: (i: number) => Promise<void>;
  /** CPU time (ms) used so far by a server the run talks to; sampled around each run. */
  serverCpuMs?: () => Promise<number>;
}

/** The samples of one contender. */
export interface ContenderResult {
  name: string;
  samples: Sample[];
  medianMs: number;
  /** Largest peak RSS over the runs, in KiB. */
  peakRssKiB: number;
  /** The command line of the first run, for the report. */
  command: string;
  /** Median CPU time (user + system) of the runs, ms. */
  medianCpuMs: number;
  /** Median CPU time the server used during each run, ms (when `serverCpuMs` was given). */
  medianServerCpuMs?: number;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

/**
 * Renders a command line for humans.
 *
 * @example
 * ```ts
 * commandLine("sh", ["-c", "echo hi"]); // "sh -c 'echo hi'"
 * ```
 */
export function commandLine(cmd: string, args: string[]): string {
  return [cmd, ...args].map(quote).join(" ");
}

async function runOnce(c: Contender, i: number, runs: number): Promise<[Sample, number?]> {
  await c.setup?.(i);
  let sample: Sample;
  let serverCpu: number | undefined;
  try {
    const before = await c.serverCpuMs?.();
    sample = await measure(c.cmd, c.args(i), { cwd: c.cwd, env: c.env });
    if (before !== undefined) serverCpu = (await c.serverCpuMs!()) - before;
  } finally {
    await c.teardown?.(i);
  }
  console.error(
    `  ${c.name} run ${i + 1}/${runs}: ${sample.wallMs.toFixed(0)} ms, ` +
      `${(sample.maxRssKiB / 1024).toFixed(1)} MiB, CPU ${sample.cpuMs} ms` +
      (serverCpu !== undefined ? `, server CPU ${serverCpu} ms` : ""),
  );
  return [sample, serverCpu];
}

function resultOf(c: Contender, samples: Sample[], serverCpu: number[]): ContenderResult {
  return {
    name: c.name,
    samples,
    medianMs: median(samples.map((s) => s.wallMs)),
    peakRssKiB: Math.max(...samples.map((s) => s.maxRssKiB)),
    command: commandLine(c.cmd, c.args(0)),
    medianCpuMs: median(samples.map((s) => s.cpuMs)),
    medianServerCpuMs: serverCpu.length > 0 ? median(serverCpu) : undefined,
  };
}

/**
 * Runs `c` `runs` times and reports the median wall time and the largest peak RSS.
 *
 * @example
 * ```ts
 * const r = await runContender({ name: "true", cmd: "true", args: () => [] }, 3);
 * console.log(r.medianMs);
 * ```
 */
export async function runContender(c: Contender, runs: number): Promise<ContenderResult> {
  return (await runPaired([c], runs))[0]!;
}

/**
 * Runs the contenders in turn, `runs` rounds of one run each (A B C, A B C, ...), so that a
 * change in the machine's load hits every contender alike: their medians compare fairly.
 *
 * @example
 * ```ts
 * const [a, b] = await runPaired([
 *   { name: "true", cmd: "true", args: () => [] },
 *   { name: "false", cmd: "sh", args: () => ["-c", "exit 0"] },
 * ], 3);
 * console.log(a!.medianMs / b!.medianMs);
 * ```
 */
export async function runPaired(cs: Contender[], runs: number): Promise<ContenderResult[]> {
  const samples: Sample[][] = cs.map(() => []);
  const serverCpu: number[][] = cs.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [n, c] of cs.entries()) {
      const [sample, cpu] = await runOnce(c, i, runs);
      samples[n]!.push(sample);
      if (cpu !== undefined) serverCpu[n]!.push(cpu);
    }
  }
  return cs.map((c, n) => resultOf(c, samples[n]!, serverCpu[n]!));
}
