/**
 * `--chmod` of COPY and ADD: octal (`755`, `0644`) or, since Dockerfile syntax 1.14, symbolic
 * as chmod(1) writes it (`+x`, `u=rwX,go=rX`, `a-w`, `g=u`, `u+s`, `+t`). Symbolic modes are
 * applied to each copied file and directory's own mode, with no umask, as BuildKit does.
 *
 * @see https://docs.docker.com/reference/dockerfile/#copy---chmod
 * @module
 */
import { DockerfileLineError } from "../dockerfile/line_error.ts";

const SETUID = 0o4000;
const SETGID = 0o2000;
const STICKY = 0o1000;
const ALL_BITS = 0o7777;
const EXEC_BITS = 0o111;

/** One `who op perms` clause of a symbolic mode. */
export interface ChmodClause {
  /** Bits selected by the who letters (0 when none was written: all bits). */
  who: number;
  /** Add, remove, or set exactly. */
  op: "+" | "-" | "=";
  /** Letters after the operator: any of `rwxXst` or one of `ugo`. */
  perms: string;
}

/** A parsed `--chmod` value: an octal mode, or symbolic clauses. */
export type ChmodSpec = { octal: number } | { clauses: readonly ChmodClause[] };

function fail(text: string, line: number, why: string): never {
  throw new DockerfileLineError(
    line,
    `invalid --chmod=${text}: ${why}; use octal (0755) or symbolic (u=rwX,go=rX)`,
  );
}

/**
 * Parses a `--chmod` value.
 *
 * @example
 * ```ts
 * import { applyChmod, parseChmod } from "./chmod.ts";
 * const spec = parseChmod("u=rwX,go=rX", 3);
 * console.log(applyChmod(spec, 0o600, false).toString(8), applyChmod(spec, 0o700, true).toString(8)); // 644 755
 * ```
 * @param text The value (variables already expanded).
 * @param line Line for errors.
 * @returns The parsed mode.
 * @throws {BuildError} ERR_BUILD when the value is neither octal up to 07777 nor valid symbolic.
 */
export function parseChmod(text: string, line: number): ChmodSpec {
  if (/^[0-9]/.test(text)) {
    if (!/^[0-7]+$/.test(text) || parseInt(text, 8) > ALL_BITS) {
      fail(text, line, "it should be octal string and between 0 and 07777");
    }
    return { octal: parseInt(text, 8) };
  }
  const clauses: ChmodClause[] = [];
  for (const part of text.split(",")) {
    const match = /^([ugoa]*)((?:[-+=][rwxXst]*|[-+=][ugo])+)$/.exec(part);
    if (match === null) fail(text, line, `cannot read ${JSON.stringify(part)}`);
    let who = 0;
    for (const ch of match[1]!) {
      if (ch === "u") who |= SETUID | 0o700;
      else if (ch === "g") who |= SETGID | 0o070;
      else if (ch === "o") who |= 0o007;
      else who |= ALL_BITS & ~STICKY;
    }
    for (const action of match[2]!.matchAll(/([-+=])([ugo]|[rwxXst]*)/g)) {
      clauses.push({ who, op: action[1] as ChmodClause["op"], perms: action[2]! });
    }
  }
  return { clauses };
}

function permBits(clause: ChmodClause, mode: number, original: number, isDir: boolean): number {
  const { perms } = clause;
  if (perms === "u" || perms === "g" || perms === "o") {
    const shift = perms === "u" ? 6 : perms === "g" ? 3 : 0;
    const rwx = (mode >> shift) & 0o7;
    return (rwx << 6) | (rwx << 3) | rwx;
  }
  let bits = 0;
  const whoAllowsSpecial = clause.who === 0 || (clause.who & ~0o007) !== 0;
  for (const ch of perms) {
    if (ch === "r") bits |= 0o444;
    else if (ch === "w") bits |= 0o222;
    else if (ch === "x") bits |= EXEC_BITS;
    else if (ch === "X") {
      if (clause.op === "-" || isDir || (original & EXEC_BITS) !== 0) bits |= EXEC_BITS;
    } else if (ch === "s" && whoAllowsSpecial) bits |= SETUID | SETGID;
    else if (ch === "t" && whoAllowsSpecial) bits |= STICKY;
  }
  return bits;
}

/**
 * Applies a `--chmod` to one entry's mode.
 *
 * @example
 * ```ts
 * import { applyChmod, parseChmod } from "./chmod.ts";
 * console.log(applyChmod(parseChmod("+x", 1), 0o644, false).toString(8)); // 755
 * console.log(applyChmod(parseChmod("a-w", 1), 0o755, true).toString(8)); // 555
 * ```
 * @param spec The parsed value.
 * @param mode The entry's current permission bits (including setuid, setgid, sticky).
 * @param isDir Whether the entry is a directory (for `X`).
 * @returns The new permission bits.
 */
export function applyChmod(spec: ChmodSpec, mode: number, isDir: boolean): number {
  if ("octal" in spec) return spec.octal;
  const original = mode & ALL_BITS;
  let current = original;
  for (const clause of spec.clauses) {
    const bits = permBits(clause, current, original, isDir);
    const stickyAllowed = (clause.who === 0 || (clause.who & ~0o007) !== 0) &&
      clause.perms.includes("t");
    const who = clause.who === 0 ? ALL_BITS : clause.who | (stickyAllowed ? STICKY : 0);
    if (clause.op === "=") {
      // `=` clears what it sets: the classes' rwx when copying another class (`g=u`), else
      // the selected bits (all but sticky when no class was written, as BSD chmod does).
      const copying = /^[ugo]$/.test(clause.perms);
      current &= ~(copying ? who & 0o777 : clause.who === 0 && !stickyAllowed ? 0o6777 : who);
    }
    if (clause.op === "-") current &= ~(bits & who);
    else current |= bits & who;
  }
  return current;
}
