/**
 * Runs one contender of a benchmark several times, one after another, with an untimed set-up
 * step before each run, and keeps the samples.
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
  const samples: Sample[] = [];
  const serverCpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    await c.setup?.(i);
    try {
      const before = await c.serverCpuMs?.();
      samples.push(await measure(c.cmd, c.args(i), { cwd: c.cwd, env: c.env }));
      if (before !== undefined) serverCpu.push((await c.serverCpuMs!()) - before);
    } finally {
      await c.teardown?.(i);
    }
    const s = samples[samples.length - 1]!;
    console.error(
      `  ${c.name} run ${i + 1}/${runs}: ${s.wallMs.toFixed(0)} ms, ` +
        `${(s.maxRssKiB / 1024).toFixed(1)} MiB, CPU ${s.cpuMs} ms` +
        (serverCpu.length === samples.length ? `, server CPU ${serverCpu.at(-1)} ms` : ""),
    );
  }
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
