/**
 * Argument bundles shared by commands, spread into each command's `args`.
 *
 * @module
 */
import type { ArgsDef } from "./command.ts";
import { OcisignError } from "../errors.ts";
import { repeatedFlag } from "./_repeated_flag.ts";

/** The `valueHint` that makes a string flag a whole number (checked before the command runs). */
export const INT_HINT = "int";

/** `--output text|json`. */
export const outputArgs = {
  output: {
    type: "enum",
    options: ["text", "json"],
    default: "text",
    alias: "o",
    description: "Output format",
  },
} as const satisfies ArgsDef;

/** The artifact reference of sign, list, verify and inspect, and where it lives. */
export const artifactArgs = {
  reference: {
    type: "positional",
    required: true,
    description: "<registry>/<repository>:<tag|@digest>, or with --oci-layout <path>:<tag|@digest>",
  },
  "oci-layout": {
    type: "boolean",
    description:
      "The reference is an OCI image layout: <path>:<tag> or <path>@<digest> (directory or .tar)",
  },
} as const satisfies ArgsDef;

/** `--max-signatures N` of list, verify and inspect. */
export const maxSignaturesArgs = {
  "max-signatures": {
    type: "string",
    valueHint: INT_HINT,
    description: "Most signatures to examine (default: 100)",
  },
} as const satisfies ArgsDef;

/** Registry connection options. */
export const registryArgs = {
  "plain-http": {
    type: "boolean",
    alias: "insecure-registry",
    description:
      "Use HTTP instead of HTTPS for the registry (default: only for localhost; --plain-http=false forces HTTPS)",
  },
  insecure: { type: "boolean", description: "Do not verify the registry's TLS certificate" },
  "ca-file": { type: "string", description: "PEM file of CA certificates for the registry's TLS" },
  username: { type: "string", alias: "u", description: "Registry user name" },
  password: {
    type: "string",
    alias: "p",
    description:
      "Registry password (visible to other users of the machine: prefer --password-stdin)",
  },
  "password-stdin": { type: "boolean", description: "Read the registry password from stdin" },
} as const satisfies ArgsDef;

/** A usage error (exit code 2). */
export class UsageError extends OcisignError {
  /**
   * @param message What is wrong with the arguments.
   * @param suggestions Near misses shown as "Did you mean this?" (details.suggestions).
   */
  constructor(message: string, suggestions: readonly string[] = []) {
    super("ERR_USAGE", message, suggestions.length ? { details: { suggestions } } : {});
  }
}

/**
 * Parses a repeated `k=v` flag (all its values, from the raw arguments) into a record.
 * @param rawArgs The command's raw arguments.
 * @param names The flag's name and aliases, without dashes; the first is used in messages.
 * @throws {UsageError} ERR_USAGE when an item has no `=` or an empty key.
 */
export function parseKeyValues(
  rawArgs: readonly string[],
  names: readonly string[],
): Record<string, string> {
  const flag = names[0]!;
  const out: Record<string, string> = {};
  for (const item of repeatedFlag(rawArgs, names)) {
    const i = item.indexOf("=");
    if (i <= 0) throw new UsageError(`--${flag} expects key=value, got ${JSON.stringify(item)}`);
    out[item.slice(0, i)] = item.slice(i + 1);
  }
  return out;
}

/**
 * Parses a flag of seconds above zero, fractions allowed (`0.5`), into milliseconds.
 * @throws {UsageError} ERR_USAGE when the value is not a number of seconds above zero.
 */
export function parseSecondsMs(value: unknown, flag: string, fallbackSeconds: number): number {
  if (value === undefined) return fallbackSeconds * 1000;
  const ms = Math.round(Number(value) * 1000);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(String(value)) || !(ms > 0)) {
    throw new UsageError(
      `--${flag} expects a number of seconds above zero, got ${JSON.stringify(value)}`,
    );
  }
  return ms;
}

/**
 * Parses a positive integer flag.
 * @throws {UsageError} ERR_USAGE when the value is not a positive integer.
 */
export function parsePositiveInt(value: unknown, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    throw new UsageError(`--${flag} expects a positive whole number, got ${JSON.stringify(value)}`);
  }
  return n;
}
