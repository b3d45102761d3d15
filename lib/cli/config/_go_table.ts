/**
 * Tables as notation prints them: Go's `text/tabwriter` with padding 3 and every cell
 * tab-terminated, so each cell (the last included) is padded to its column's width plus 3.
 *
 * @module
 */
import { escapeControl } from "../output.ts";

/**
 * Renders rows (the first is the header) as notation's tabwriter does.
 *
 * Cells are escaped ({@linkcode escapeControl}): they may carry signed user metadata.
 *
 * @param table Rows of cells; all rows have the same number of cells.
 * @returns The table, one line per row, each ending in a newline.
 */
export function renderGoTable(table: readonly (readonly string[])[]): string {
  const rows = table.map((row) => row.map(escapeControl));
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  }
  return rows.map((row) =>
    row.map((cell, i) => cell + " ".repeat(widths[i]! - [...cell].length + 3)).join("") + "\n"
  ).join("");
}
