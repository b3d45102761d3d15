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
 * Renders a tree with `├──`/`└──` branches, as notation's `list` does. Labels are escaped
 * ({@linkcode escapeControl}): they carry signature and manifest fields.
 *
 * @example
 * ```ts
 * import { renderTree } from "./output.ts";
 * console.log(renderTree({ label: "a", children: [{ label: "b" }] }));
 * ```
 */
export function renderTree(root: TreeNode): string {
  const lines = [escapeControl(root.label)];
  function walk(node: TreeNode, prefix: string): void {
    const children = node.children ?? [];
    children.forEach((child, i) => {
      const last = i === children.length - 1;
      lines.push(`${prefix}${last ? "└── " : "├── "}${escapeControl(child.label)}`);
      walk(child, prefix + (last ? "    " : "│   "));
    });
  }
  walk(root, "");
  return lines.join("\n") + "\n";
}

/**
 * With `-v/--verbose`, says which digest a reference resolved to (on stderr).
 *
 * @param io The environment.
 * @param name The layout path or `registry/repository`.
 * @param reference The tag or digest given.
 * @param digest The digest it resolved to.
 */
export function reportResolved(io: CliIo, name: string, reference: string, digest: string): void {
  if (io.verbose) io.stderr(`Resolved ${escapeControl(`${name}:${reference}`)} to ${digest}\n`);
}

/** Writes a JSON result to stdout. */
export function writeJson(io: CliIo, value: unknown): void {
  io.stdout(JSON.stringify(value, null, 2) + "\n");
}

/**
 * Writes a command's result: with `-o json` the document `doc` (one JSON document on stdout),
 * otherwise `text`.
 *
 * @example
 * ```ts ignore
 * writeResult(io, args.output, "Login Succeeded\n", { registry, loggedIn: true });
 * ```
 * @param io The environment.
 * @param format The `--output` value.
 * @param text The text result, newline included.
 * @param doc The JSON result.
 */
export function writeResult(
  io: CliIo,
  format: string | undefined,
  text: string,
  doc: unknown,
): void {
  if (format === "json") writeJson(io, doc);
  else io.stdout(text);
}

/** Output format chosen with `--output`. */
export type OutputFormat = "text" | "json";

/**
 * Escapes the characters a terminal acts on (C0 and C1 controls, DEL, bidirectional overrides)
 * in text that came from outside (signatures, manifests, registries), so that it prints as one
 * inert line: an ESC or a newline in a signing agent cannot recolour or fake output.
 *
 * @example
 * ```ts
 * import { escapeControl } from "./output.ts";
 * escapeControl("a\n\x1b[32mb"); // "a\\n\\x1b[32mb"
 * ```
 * @param text Untrusted text.
 * @returns The text with each such character written as an escape (`\n`, `\x1b`, `\u202e`).
 */
export function escapeControl(text: string): string {
  return text.replace(
    // deno-lint-ignore no-control-regex
    /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => {
      const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
      const code = c.charCodeAt(0);
      return named[c] ??
        (code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16)}`);
    },
  );
}

/**
 * Turns text a command wrote to stderr into JSON lines (for `-o json`): lines that are JSON
 * already pass, `Warning: ...` becomes `{"warning":{"message":...}}`, `Debug: ...`
 * `{"debug":{"message":...}}`, others `{"info":{"message":...}}`.
 *
 * @param text One or more lines.
 * @returns JSON lines.
 */
export function jsonLines(text: string): string {
  return text.split("\n").filter((line) => line.trim() !== "").map((line) => {
    if (line.startsWith("{")) return line + "\n";
    // notation's password warning is `WARNING! Using --password ...`, with no colon
    const prefix = /^(Warning:|WARNING!?:?|Debug:)\s*/.exec(line);
    const message = prefix ? line.slice(prefix[0].length) : line;
    const kind = prefix ? (prefix[1] === "Debug:" ? "debug" : "warning") : "info";
    return JSON.stringify({ [kind]: { message } }) + "\n";
  }).join("");
}

/** Renders an error for stderr: one line, JSON, or with the cause chain. */
export function renderError(err: unknown, format: OutputFormat, verbose: boolean): string {
  const code = err instanceof OcisignError ? err.code : "ERR_INTERNAL";
  const message = err instanceof Error ? err.message : String(err);
  if (format === "json") {
    const details = err instanceof OcisignError ? err.details : undefined;
    return JSON.stringify({ error: { code, message, ...(details ? { details } : {}) } }) + "\n";
  }
  let text = `Error: ${message.split("\n").map(escapeControl).join("\n")}\n`;
  const suggestions = err instanceof OcisignError ? err.details?.suggestions : undefined;
  if (Array.isArray(suggestions) && suggestions.length > 0) {
    text += `\nDid you mean this?\n${suggestions.map((s) => `\t${s}\n`).join("")}`;
  }
  if (err instanceof OcisignError && err.details && Array.isArray(err.details.failures)) {
    for (const f of err.details.failures as Array<{ signature: string; message: string }>) {
      text += `  ${escapeControl(f.signature)}: ${escapeControl(f.message)}\n`;
    }
  }
  if (verbose) {
    let cause = err instanceof Error ? err.cause : undefined;
    while (cause !== undefined) {
      text += `  caused by: ${
        escapeControl(cause instanceof Error ? cause.message : String(cause))
      }\n`;
      cause = cause instanceof Error ? cause.cause : undefined;
    }
    if (!(err instanceof OcisignError) && err instanceof Error && err.stack) {
      text += err.stack + "\n";
    }
  }
  return text;
}
