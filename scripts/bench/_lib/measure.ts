/**
 * Runs one command as a whole process under GNU time (`/usr/bin/time -v`) and reports its wall
 * time (measured here, around the spawn), its CPU time and its peak memory (GNU time's "Maximum resident set
 * size", the largest RSS of the process and the children it waited for).
 *
 * @module
 */

/** Where GNU time lives; `apt-get install time` provides it on Debian. */
export const GNU_TIME = "/usr/bin/time";

/** What one measured run gives. */
export interface Sample {
  /** Wall time in milliseconds. */
  wallMs: number;
  /** Peak resident set size in KiB. */
  maxRssKiB: number;
  /** CPU time (user + system) of the process and the children it waited for, in milliseconds. */
  cpuMs: number;
  /** Exit code of the command. */
  code: number;
  /** Standard output, decoded. */
  stdout: string;
  /** Standard error, decoded (GNU time's report is kept out of it). */
  stderr: string;
}

/** How to run a measured command. */
export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Fail unless the command exits 0 (default true). */
  check?: boolean;
}

/**
 * Fails with install instructions when GNU time is missing.
 *
 * @example
 * ```ts
 * await requireGnuTime();
 * ```
 */
export async function requireGnuTime(): Promise<void> {
  try {
    const st = await Deno.stat(GNU_TIME);
    if (st.isFile) return;
  } catch {
    // reported below
  }
  throw new Error(
    `GNU time is missing at ${GNU_TIME}: install it with 'sudo apt-get install time' and retry`,
  );
}

/**
 * Reads the peak RSS (KiB) out of a `time -v` report.
 *
 * @example
 * ```ts
 * parseMaxRss("\tMaximum resident set size (kbytes): 2048\n"); // 2048
 * ```
 */
export function parseMaxRss(report: string): number {
  const m = report.match(/Maximum resident set size \(kbytes\): (\d+)/);
  if (m === null) throw new Error(`Cannot read the peak RSS from GNU time's report:\n${report}`);
  return Number(m[1]);
}

/**
 * Reads the CPU time (user + system, ms) out of a `time -v` report.
 *
 * @example
 * ```ts
 * parseCpuMs("\tUser time (seconds): 1.50\n\tSystem time (seconds): 0.25\n"); // 1750
 * ```
 */
export function parseCpuMs(report: string): number {
  const user = report.match(/User time \(seconds\): ([\d.]+)/);
  const system = report.match(/System time \(seconds\): ([\d.]+)/);
  if (user === null || system === null) {
    throw new Error(`Cannot read the CPU time from GNU time's report:\n${report}`);
  }
  return Math.round((Number(user[1]) + Number(system[1])) * 1000);
}

/**
 * Runs `cmd args` under `/usr/bin/time -v` and returns wall time and peak RSS.
 *
 * @example
 * ```ts
 * const s = await measure("sha256sum", ["/etc/hostname"]);
 * console.log(s.wallMs, s.maxRssKiB);
 * ```
 */
export async function measure(cmd: string, args: string[], opts: RunOptions = {}): Promise<Sample> {
  const report = await Deno.makeTempFile({ prefix: "ocisign-bench-time-" });
  try {
    const command = new Deno.Command(GNU_TIME, {
      args: ["-v", "-o", report, cmd, ...args],
      cwd: opts.cwd,
      env: opts.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    });
    const start = performance.now();
    const out = await command.output();
    const wallMs = performance.now() - start;
    const text = await Deno.readTextFile(report);
    const sample: Sample = {
      wallMs,
      maxRssKiB: parseMaxRss(text),
      cpuMs: parseCpuMs(text),
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
    };
    if ((opts.check ?? true) && sample.code !== 0) {
      throw new Error(
        `${cmd} ${args.join(" ")} exited ${sample.code}:\n${sample.stderr.slice(-2000)}`,
      );
    }
    return sample;
  } finally {
    await Deno.remove(report).catch(() => {});
  }
}

/**
 * Runs a command without measuring it (set-up steps); fails unless it exits 0.
 *
 * @example
 * ```ts
 * const out = await run("true", []);
 * ```
 */
export async function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  const out = await new Deno.Command(cmd, {
    args,
    cwd: opts.cwd,
    env: opts.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  if ((opts.check ?? true) && out.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} exited ${out.code}:\n${stderr.slice(-2000)}`);
  }
  return new TextDecoder().decode(out.stdout);
}
