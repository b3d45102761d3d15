/**
 * Output rendering shared by commands: trees (as `notation list` prints them), JSON results, and
 * error lines.
 *
 * @module
 */
import { OcisignError } from "../errors.ts";
import type { CliIo } from "./io.ts";

/** A node of a printed tree. */
export interface TreeNode {
  label: string;
  children?: TreeNode[];
}

/**
 * Renders a tree with `├──`/`└──` branches, as notation's `list` does.
 *
 * @example
 * ```ts
 * import { renderTree } from "./output.ts";
 * console.log(renderTree({ label: "a", children: [{ label: "b" }] }));
 * ```
 */
export function renderTree(root: TreeNode): string {
  const lines = [root.label];
  function walk(node: TreeNode, prefix: string): void {
    const children = node.children ?? [];
    children.forEach((child, i) => {
      const last = i === children.length - 1;
      lines.push(`${prefix}${last ? "└── " : "├── "}${child.label}`);
      walk(child, prefix + (last ? "    " : "│   "));
    });
  }
  walk(root, "");
  return lines.join("\n") + "\n";
}

/** Writes a JSON result to stdout. */
export function writeJson(io: CliIo, value: unknown): void {
  io.stdout(JSON.stringify(value, null, 2) + "\n");
}

/** Output format chosen with `--output`. */
export type OutputFormat = "text" | "json";

/** Renders an error for stderr: one line, JSON, or with the cause chain. */
export function renderError(err: unknown, format: OutputFormat, verbose: boolean): string {
  const code = err instanceof OcisignError ? err.code : "ERR_INTERNAL";
  const message = err instanceof Error ? err.message : String(err);
  if (format === "json") {
    const details = err instanceof OcisignError ? err.details : undefined;
    return JSON.stringify({ error: { code, message, ...(details ? { details } : {}) } }) + "\n";
  }
  let text = `Error: ${message}\n`;
  if (err instanceof OcisignError && err.details && Array.isArray(err.details.failures)) {
    for (const f of err.details.failures as Array<{ signature: string; message: string }>) {
      text += `  ${f.signature}: ${f.message}\n`;
    }
  }
  if (verbose) {
    let cause = err instanceof Error ? err.cause : undefined;
    while (cause !== undefined) {
      text += `  caused by: ${cause instanceof Error ? cause.message : String(cause)}\n`;
      cause = cause instanceof Error ? cause.cause : undefined;
    }
    if (!(err instanceof OcisignError) && err instanceof Error && err.stack) {
      text += err.stack + "\n";
    }
  }
  return text;
}
