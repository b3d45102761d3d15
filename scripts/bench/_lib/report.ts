/**
 * The result rows every benchmark returns, the table printed on stdout and the JSON result file
 * written under `$TMPDIR` (never into the repository).
 *
 * @module
 */
import type { ContenderResult } from "./contender.ts";

/** One line of the result table. */
export interface Row {
  benchmark: string;
  contender: string;
  runs: number;
  medianMs: number;
  samplesMs: number[];
  /** The named peer this row is compared with. */
  peer: string;
  /** Contender median / peer median (below 1: faster than the peer). */
  ratio: number;
  /** Largest peak RSS over the runs, MiB. */
  peakRssMiB: number;
  /** Extra figure such as throughput. */
  note?: string;
  /** The goals this row is judged against, each met or not. */
  goals: { goal: string; met: boolean }[];
  /** A command that reproduces one run. */
  command: string;
}

/** A goal judged on a contender's result, given the peer's. */
export interface Goal {
  text: string;
  met: (r: ContenderResult, peer: ContenderResult) => boolean;
}

/**
 * Turns contender results into rows compared with the peer named `peer`, judging each contender
 * against its goals (by contender name).
 *
 * @example
 * ```ts
 * const rows = toRows("sha256", results, "sha256sum", {});
 * ```
 */
export function toRows(
  benchmark: string,
  results: ContenderResult[],
  peer: string,
  goals: Record<string, Goal[]>,
  notes: Record<string, string> = {},
): Row[] {
  const p = results.find((r) => r.name === peer);
  if (p === undefined) throw new Error(`No result for the peer ${peer} in ${benchmark}`);
  return results.map((r) => {
    return {
      benchmark,
      contender: r.name,
      runs: r.samples.length,
      medianMs: r.medianMs,
      samplesMs: r.samples.map((s) => Math.round(s.wallMs)),
      peer,
      ratio: r.medianMs / p.medianMs,
      peakRssMiB: r.peakRssKiB / 1024,
      note: notes[r.name],
      goals: (goals[r.name] ?? []).map((g) => ({ goal: g.text, met: g.met(r, p) })),
      command: r.command,
    };
  });
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

/**
 * Prints rows as a fixed-width table on stdout, then each row's command.
 *
 * @example
 * ```ts
 * printTable(rows);
 * ```
 */
export function printTable(rows: Row[]): void {
  const header = ["benchmark", "contender", "median", "x peer", "peer", "peak RSS", "note", "goal"];
  const cells = rows.map((r) => [
    r.benchmark,
    r.contender,
    r.medianMs >= 10_000 ? `${(r.medianMs / 1000).toFixed(1)} s` : `${r.medianMs.toFixed(0)} ms`,
    `${r.ratio.toFixed(2)}x`,
    r.peer,
    `${r.peakRssMiB.toFixed(0)} MiB`,
    r.note ?? "",
    r.goals.map((g) => `${g.met ? "MET" : "MISSED"} ${g.goal}`).join("; "),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((x, i) => pad(x, widths[i]!)).join("  ").trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const c of cells) console.log(line(c));
  console.log(
    "\n'x peer' is the contender's median wall time divided by the peer's (< 1 is faster).",
  );
  console.log("Commands (one run each; paths are temporary):");
  for (const r of rows) console.log(`  [${r.benchmark} / ${r.contender}] ${r.command}`);
}

/**
 * The machine a run is on: CPU model, cores, load average at the start, kernel, Deno version
 * (for the result table in `scripts/bench/README.md`).
 *
 * @example
 * ```ts
 * console.log(await machine());
 * ```
 */
export async function machine(): Promise<string> {
  const read = (path: string): Promise<string> => Deno.readTextFile(path).catch(() => "");
  const cpu = (await read("/proc/cpuinfo")).match(/^model name\s*:\s*(.+)$/m)?.[1] ?? "?";
  const load = (await read("/proc/loadavg")).split(" ")[0] ?? "?";
  return `${cpu.trim()}, ${navigator.hardwareConcurrency} cores, load ${load}, ` +
    `${Deno.build.os} ${Deno.osRelease()}, deno ${Deno.version.deno}`;
}

/**
 * Prints rows as Markdown table lines for `scripts/bench/README.md`: date, benchmark, contender,
 * median, ratio to the peer, peak RSS and the note (CPU per GiB), one line each.
 *
 * @example
 * ```ts
 * printMarkdownRows(rows, "2026-12-04");
 * ```
 */
export function printMarkdownRows(rows: Row[], date: string): void {
  console.log("\nFor scripts/bench/README.md:");
  for (const r of rows) {
    const median = r.medianMs >= 10_000
      ? `${(r.medianMs / 1000).toFixed(1)} s`
      : `${r.medianMs.toFixed(0)} ms`;
    console.log(
      `| ${date} | ${r.benchmark} | ${r.contender} | ${median} (${r.runs} runs) | ` +
        `${r.ratio.toFixed(2)}x ${r.peer} | ${r.peakRssMiB.toFixed(0)} MiB | ${r.note ?? ""} |`,
    );
  }
}

/**
 * Writes rows as JSON to `$TMPDIR` (default /tmp) and returns the path.
 *
 * @example
 * ```ts
 * const path = await writeResults(rows);
 * ```
 */
export async function writeResults(rows: Row[]): Promise<string> {
  const dir = Deno.env.get("TMPDIR") ?? "/tmp";
  const stamp = new Date().toISOString().replaceAll(":", "-").replace(/\..*/, "");
  const path = `${dir}/ocisign-bench-${stamp}.json`;
  const doc = { date: new Date().toISOString(), machine: await machine(), rows };
  await Deno.writeTextFile(path, JSON.stringify(doc, null, 2) + "\n");
  return path;
}
