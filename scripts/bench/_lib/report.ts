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
  const doc = { date: new Date().toISOString(), deno: Deno.version.deno, rows };
  await Deno.writeTextFile(path, JSON.stringify(doc, null, 2) + "\n");
  return path;
}
