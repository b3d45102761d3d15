/**
 * Progress on stderr, as oras shows it. On a terminal every blob in flight has a row (bytes,
 * percent, rate) redrawn in place, cut to the terminal's width; finished blobs leave one line
 * above the rows. Not on a terminal (a CI log), or with `-v`/`-d`, only the finished lines are
 * written. With `-o json` nothing is written (stderr carries JSON lines only).
 *
 * @module
 */
import { colourEnabled } from "./_colour.ts";
import type { CliIo } from "./io.ts";
import { escapeControl } from "./output.ts";

/** Where a command reports its progress. */
export interface ProgressView {
  /** Whether rows are drawn (a terminal, no `-o json`): byte counts are wanted only then. */
  readonly live: boolean;
  /**
   * Sets the row of one blob in flight (drawn only on a terminal).
   * @param key Identifies the row (a digest, a file name).
   * @param label What the row shows before the figures.
   * @param bytes Bytes done so far.
   * @param total The blob's size, when known.
   */
  bytes(key: string, label: string, bytes: number, total?: number): void;
  /** Removes a blob's row and writes `line`, when given, to stay (on a terminal and in a log). */
  finish(key: string | undefined, line?: string): void;
  /** Removes the rows still drawn. */
  close(): void;
}

interface Row {
  label: string;
  bytes: number;
  total: number | undefined;
  started: number;
}

const UNITS = ["B", "kB", "MB", "GB", "TB"];

/**
 * Bytes in oras's decimal units: `512 B`, `1.23 MB`.
 *
 * @example
 * ```ts
 * import { formatBytes } from "./progress.ts";
 * console.log(formatBytes(1234567)); // 1.23 MB
 * ```
 * @param n A byte count.
 * @returns The count with its unit.
 */
export function formatBytes(n: number): string {
  let unit = 0;
  let v = n;
  while (v >= 1000 && unit < UNITS.length - 1) {
    v /= 1000;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${v.toFixed(2)} ${UNITS[unit]}`;
}

/**
 * The first 12 hex digits of a sha256 digest, as oras shows it (other digests whole).
 *
 * @example
 * ```ts
 * import { shortDigest } from "./progress.ts";
 * console.log(shortDigest("sha256:" + "ab".repeat(32))); // abababababab
 * ```
 * @param digest `<algorithm>:<hex>`.
 * @returns The short form.
 */
export function shortDigest(digest: string): string {
  return digest.startsWith("sha256:") ? digest.slice(7, 19) : digest;
}

/** The figures of one row: `1.20/4.50 MB  26.67%  3.10 MB/s`. */
function figures(row: Row, now: number): string {
  const seconds = Math.max((now - row.started) / 1000, 0.001);
  const rate = `${formatBytes(Math.round(row.bytes / seconds))}/s`;
  if (row.total === undefined || row.total <= 0) return `${formatBytes(row.bytes)}  ${rate}`;
  const percent = `${(Math.min(row.bytes / row.total, 1) * 100).toFixed(2)}%`;
  return `${formatBytes(row.bytes)}/${formatBytes(row.total)}  ${percent}  ${rate}`;
}

/** Cuts a line to `width` characters (rows must not wrap, or redrawing would miss them). */
function fit(line: string, width: number): string {
  return line.length <= width ? line : `${line.slice(0, Math.max(width - 1, 0))}…`;
}

/** Redraws at most this often (a finished line is written at once). */
const REDRAW_MS = 100;

/**
 * The progress view for one command run.
 *
 * @example
 * ```ts ignore
 * const view = progressView(io, args.output === "json");
 * view.bytes(desc.digest, "Copying 0123456789ab layer.tar", 1024, desc.size);
 * view.finish(desc.digest, "Copied  0123456789ab layer.tar");
 * view.close();
 * ```
 * @param io The environment (its stderr, whether that is a terminal, its width, colour).
 * @param json Whether `-o json` is on: then the view writes nothing.
 * @returns The view.
 */
export function progressView(io: CliIo, json: boolean): ProgressView {
  if (json) return { live: false, bytes: () => {}, finish: () => {}, close: () => {} };
  // -v/-d lines come between the rows at any time: redrawing would overwrite them.
  if (!io.isTty || io.verbose) {
    return {
      live: false,
      bytes: () => {},
      finish: (_key, line) => {
        if (line !== undefined) io.stderr(`${escapeControl(line)}\n`);
      },
      close: () => {},
    };
  }
  const rows = new Map<string, Row>();
  const colour = colourEnabled(io, true);
  let drawn = 0;
  let last = 0;
  const width = (): number => {
    const columns = io.columns?.() ?? Number(io.env("COLUMNS"));
    return Number.isFinite(columns) && columns > 0 ? columns : 80;
  };
  const draw = (kept: string | undefined): void => {
    const now = Date.now();
    last = now;
    const w = width() - 1;
    // Back to the first row, cleared to the end of the screen, then written again.
    let out = drawn > 0 ? `\x1b[${drawn}A\r\x1b[J` : "";
    // A kept line may wrap (it is above the rows); a row may not.
    if (kept !== undefined) out += `${escapeControl(kept)}\n`;
    for (const row of rows.values()) {
      // The figures stay whole; the label gives way when the terminal is narrow.
      const figs = `  ${figures(row, now)}`;
      const line = fit(`${fit(escapeControl(row.label), w - figs.length)}${figs}`, w);
      out += colour ? `\x1b[2m${line}\x1b[22m\n` : `${line}\n`;
    }
    drawn = rows.size;
    io.stderr(out);
  };
  return {
    live: true,
    bytes(key, label, bytes, total): void {
      const row = rows.get(key);
      if (row === undefined) {
        rows.set(key, { label, bytes, total, started: Date.now() });
      } else Object.assign(row, { label, bytes, total });
      if (row === undefined || bytes === total || Date.now() - last >= REDRAW_MS) draw(undefined);
    },
    finish(key, line): void {
      if (key !== undefined) rows.delete(key);
      draw(line);
    },
    close(): void {
      rows.clear();
      if (drawn > 0) draw(undefined);
    },
  };
}
