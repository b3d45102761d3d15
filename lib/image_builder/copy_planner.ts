/**
 * COPY/ADD semantics: which source nodes go where. Sources are matched in a source tree (the
 * context, or another stage's file system) with exact paths or globs; a directory's contents are
 * copied into the destination; destinations are resolved through the stage's symlinks, and parent
 * directories are added only where the stage lacks them, so a base image's ownership and modes
 * are never reset. `--exclude` patterns (Dockerfile syntax 1.19, earlier in the labs channel)
 * are matched, with `.dockerignore` rules, against paths relative to each matched source; a
 * source named directly is never excluded, as in BuildKit. `--parents` (syntax 1.20) keeps each
 * source's path below the context root, or below a `/./` pivot in the source.
 *
 * @module
 */
import { BuildError } from "../errors.ts";
import { applyChmod, parseChmod } from "./chmod.ts";
import type { ChmodSpec } from "./chmod.ts";
import { cleanPath, DockerIgnore } from "../dockerfile/dockerignore.ts";
import { atLine, DockerfileLineError } from "../dockerfile/line_error.ts";
import type { Instruction } from "../dockerfile/dockerfile_parser.ts";
import type { FileTree, TreeNode } from "./file_tree.ts";
import { compileGlob, hasGlob } from "../dockerfile/glob.ts";

/** Options for {@linkcode planCopy}. */
export interface PlanCopyOptions {
  /** Where sources are looked up. */
  source: FileTree;
  /** Source paths or globs, relative to the source root. */
  sources: string[];
  /** Absolute destination path as written (after expansion and WORKDIR). */
  dest: string;
  /** Whether the destination names a directory (trailing `/`, several sources, or a glob). */
  destIsDir: boolean;
  /** The stage's current file system. */
  stage: FileTree;
  /** `--chown` ids. */
  chown?: { uid: number; gid: number };
  /** `--chmod`: octal bits, or a parsed (octal or symbolic) value. */
  chmod?: number | ChmodSpec;
  /** `--exclude` patterns, matched below each source. */
  exclude?: readonly string[];
  /** `--parents`: keep each source's parent directories. */
  parents?: boolean;
  /** Line for error messages. */
  line: number;
  /** What to call a missing source's root in messages ("build context", "stage x"). */
  sourceName: string;
}

/** The flags COPY and ADD accept. */
export const COPY_FLAGS: Readonly<Record<"COPY" | "ADD", readonly string[]>> = {
  COPY: ["from", "chown", "chmod", "link", "exclude", "parents"],
  ADD: ["from", "chown", "chmod", "link", "checksum", "exclude"],
};

/** What {@linkcode copyFlagOptions} reads from a COPY or ADD. */
export interface CopyFlagOptions {
  /** `--chmod`, octal or symbolic. */
  chmod?: ChmodSpec;
  /** Every `--exclude` pattern, as written (BuildKit does not expand them). */
  exclude?: string[];
  /** `--parents` (COPY only). */
  parents?: boolean;
}

/**
 * Reads `--chmod`, `--exclude` (repeatable) and `--parents[=<bool>]` of a COPY or ADD.
 *
 * @example
 * ```ts
 * import { parseInstruction } from "../dockerfile/dockerfile_parser.ts";
 * import { copyFlagOptions } from "./copy_planner.ts";
 * const instr = parseInstruction("COPY --parents --exclude=*.md --exclude=tmp --chmod=+x a /d/", 2);
 * const opts = copyFlagOptions(instr, (w) => w);
 * console.log(opts.parents, opts.exclude); // true ["*.md", "tmp"]
 * ```
 * @param instr The instruction.
 * @param expand Expands variables in a flag value (used for `--chmod`).
 * @returns The options that were given.
 * @throws {BuildError} ERR_BUILD for a flag without its value, a bad boolean or a bad mode.
 */
export function copyFlagOptions(
  instr: Instruction,
  expand: (word: string) => string,
): CopyFlagOptions {
  const out: CopyFlagOptions = {};
  for (const flag of instr.flags) {
    if (flag.name === "exclude") {
      if (flag.value === undefined || flag.value === "") {
        throw new DockerfileLineError(instr.line, `--exclude needs a pattern`);
      }
      (out.exclude ??= []).push(flag.value);
    } else if (flag.name === "parents") {
      const value = (flag.value ?? "true").toLowerCase();
      if (value !== "true" && value !== "false") {
        throw new DockerfileLineError(
          instr.line,
          `expecting boolean value for flag parents, not: ${flag.value}`,
        );
      }
      out.parents = value === "true";
    } else if (flag.name === "chmod") {
      if (flag.value === undefined) {
        throw new DockerfileLineError(instr.line, `--chmod needs a value`);
      }
      const value = flag.value;
      out.chmod = parseChmod(atLine(instr, () => expand(value)), instr.line);
    }
  }
  return out;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function joinRel(dir: string, name: string): string {
  return dir === "" ? name : name === "" ? dir : `${dir}/${name}`;
}

/**
 * Checks a COPY source path and cleans it relative to the source root.
 *
 * @example
 * ```ts
 * import { cleanSourcePath } from "./copy_planner.ts";
 * console.log(cleanSourcePath("./src/../lib/", 1)); // "lib"
 * ```
 * @param source The path as written.
 * @param line Line for errors.
 * @returns The cleaned path ("" for the root).
 * @throws {BuildError} ERR_BUILD when the path leaves the root.
 */
export function cleanSourcePath(source: string, line: number): string {
  const cleaned = cleanPath(source.replace(/^\/+/, ""));
  if (cleaned === ".." || cleaned.startsWith("../")) {
    throw new DockerfileLineError(
      line,
      `source ${
        JSON.stringify(source)
      } is outside the build context; move the file into the context`,
    );
  }
  return cleaned === "." ? "" : cleaned;
}

/**
 * Finds the nodes a COPY/ADD source names: the root for `.`, every path matching a glob (none is
 * fine, as in BuildKit), or the one path named (which must exist).
 *
 * @example
 * ```ts
 * import { FileTree } from "./file_tree.ts";
 * import { matchSources } from "./copy_planner.ts";
 * const t = new FileTree();
 * t.apply({ path: "a.txt", type: "file", mode: 0o644, uid: 0, gid: 0, size: 0 });
 * console.log(matchSources(t, "*.txt", 1, "build context").map((n) => n.path)); // ["a.txt"]
 * ```
 * @param source The tree to look in.
 * @param raw The source as written.
 * @param line Line for errors.
 * @param sourceName What to call the tree in messages.
 * @returns The matching nodes (a synthetic directory node with path "" for the root).
 * @throws {BuildError} ERR_BUILD when the path leaves the root or does not exist.
 */
export function matchSources(
  source: FileTree,
  raw: string,
  line: number,
  sourceName: string,
): TreeNode[] {
  const pattern = cleanSourcePath(raw, line);
  if (pattern === "") {
    return [{ path: "", type: "directory", mode: 0o755, uid: 0, gid: 0, size: 0 }];
  }
  if (hasGlob(pattern)) {
    const glob = compileGlob(pattern);
    return [...source.paths()].filter((p) => glob.test(p)).sort().map((p) => source.get(p)!);
  }
  const node = source.get(source.resolve(pattern, false));
  if (node === undefined) {
    throw new DockerfileLineError(
      line,
      `${raw} not found in the ${sourceName} (is it excluded by .dockerignore?)`,
    );
  }
  return [followInside(source, node)];
}

/**
 * Follows a named source symlink when it leads, through relative links only, to an existing
 * path inside the source root (Docker follows source symlinks). A link that points outside
 * (absolute, or climbing above the root) is not followed: it is copied as a symlink.
 */
function followInside(source: FileTree, node: TreeNode): TreeNode {
  let current = node;
  for (let hops = 0; current.type === "symlink" && hops < 40; hops++) {
    const target = current.linkname ?? "";
    if (target.startsWith("/")) return node;
    const slash = current.path.lastIndexOf("/");
    const joined = cleanPath(slash === -1 ? target : `${current.path.slice(0, slash)}/${target}`);
    if (joined === "." || joined === ".." || joined.startsWith("../")) return node;
    const next = source.get(joined);
    if (next === undefined) return node;
    current = next;
  }
  if (current.type === "symlink") return node;
  return current.type === "directory" ? current : { ...current, path: node.path };
}

/**
 * Plans the nodes one COPY/ADD adds.
 *
 * @example
 * ```ts ignore
 * const nodes = planCopy({ source: context, sources: ["app"], dest: "/srv/", destIsDir: true,
 *   stage, line: 3, sourceName: "build context" });
 * ```
 * @param opts Sources, destination, stage and ownership options.
 * @returns The nodes to write, keyed by their final paths.
 * @throws {BuildError} ERR_BUILD when a source is missing or leaves the source root.
 */
export function planCopy(opts: PlanCopyOptions): TreeNode[] {
  const out = new Map<string, TreeNode>();
  const { source, stage } = opts;
  const destClean = cleanPath(opts.dest);
  const destRel = destClean === "." ? "" : destClean;
  const destResolvedFull = stage.resolve(destRel, true);
  const destDirExists = destRel === "" || stage.get(destResolvedFull)?.type === "directory";
  const destBase = destDirExists ? destResolvedFull : stage.resolve(destRel, false);
  const copied = new Map<string, string>();
  const owner = (n: TreeNode): { uid: number; gid: number } =>
    opts.chown ?? { uid: n.uid, gid: n.gid };
  const chmod = opts.chmod;
  const emit = (from: TreeNode, to: string): void => {
    const node: TreeNode = { ...from, path: to, ...owner(from) };
    if (chmod !== undefined && (from.type === "file" || from.type === "directory")) {
      node.mode = typeof chmod === "number"
        ? chmod
        : applyChmod(chmod, from.mode, from.type === "directory");
    }
    out.set(to, node);
    copied.set(from.path, to);
  };
  const exclude = opts.exclude !== undefined && opts.exclude.length > 0
    ? new DockerIgnore(opts.exclude.map((p) => (p.startsWith("#") ? `\\${p}` : p)).join("\n"))
    : undefined;
  for (const raw of opts.sources) {
    if (opts.parents) {
      copyWithParents(
        source,
        raw,
        opts,
        exclude,
        (from, rel) => emit(from, joinRel(destBase, rel)),
      );
      continue;
    }
    const matches = matchSources(source, raw, opts.line, opts.sourceName);
    for (const match of matches) {
      if (match.type === "directory") {
        if (destBase !== "" && stage.get(destBase)?.type !== "directory" && !out.has(destBase)) {
          emit(match, destBase);
        }
        for (const child of source.subtree(match.path)) {
          if (child.path === match.path) continue;
          const rel = match.path === "" ? child.path : child.path.slice(match.path.length + 1);
          if (exclude?.excludes(rel)) continue;
          emit(child, joinRel(destBase, rel));
        }
      } else {
        const to = opts.destIsDir || destDirExists
          ? joinRel(destBase, basename(match.path))
          : destBase;
        if (to === "") {
          throw new DockerfileLineError(opts.line, `cannot copy a file over /`);
        }
        emit(match, to);
      }
    }
  }
  fixHardLinks(out, copied, source);
  addParents(out, stage, opts);
  return [...out.values()];
}

/**
 * `COPY --parents`: every path below the source root (or the `/./` pivot) that the pattern
 * names, or that lies inside a directory it names, keeps its path relative to that root; the
 * directories leading to it are copied too, with their own modes.
 */
function copyWithParents(
  source: FileTree,
  raw: string,
  opts: PlanCopyOptions,
  exclude: DockerIgnore | undefined,
  emit: (from: TreeNode, rel: string) => void,
): void {
  const pivot = raw.indexOf("/./");
  const rootRaw = pivot === -1 ? "." : raw.slice(0, pivot);
  const pattern = cleanSourcePath(pivot === -1 ? raw : raw.slice(pivot + 3), opts.line);
  const root = matchSources(source, rootRaw, opts.line, opts.sourceName);
  if (root.length !== 1 || root[0]!.type !== "directory") {
    throw new DockerfileLineError(
      opts.line,
      `${rootRaw} in ${raw} must name one directory of the ${opts.sourceName}`,
    );
  }
  const rootPath = root[0]!.path;
  const include = pattern === "" ? undefined : new DockerIgnore(`/${pattern}`);
  const done = new Set<string>();
  let found = false;
  for (const node of source.subtree(rootPath)) {
    if (node.path === rootPath) continue;
    const rel = rootPath === "" ? node.path : node.path.slice(rootPath.length + 1);
    if (include !== undefined && !include.excludes(rel)) continue;
    found = true;
    if (exclude?.excludes(rel)) continue;
    const parts = rel.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (done.has(dir)) continue;
      done.add(dir);
      const parent = source.get(rootPath === "" ? dir : `${rootPath}/${dir}`);
      if (parent !== undefined) emit(parent, dir);
    }
    done.add(rel);
    emit(node, rel);
  }
  if (!found && !hasGlob(pattern) && !hasGlob(rootRaw)) {
    throw new DockerfileLineError(
      opts.line,
      `${raw} not found in the ${opts.sourceName} (is it excluded by .dockerignore?)`,
    );
  }
}

function fixHardLinks(
  out: Map<string, TreeNode>,
  copied: Map<string, string>,
  source: FileTree,
): void {
  for (const [path, node] of out) {
    if (node.type !== "hardlink") continue;
    const target = node.linkname ?? "";
    const mapped = copied.get(target);
    if (mapped !== undefined && out.get(mapped)?.type === "file") {
      out.set(path, { ...node, linkname: mapped });
      continue;
    }
    const file = source.get(target);
    if (file?.type !== "file") {
      throw new BuildError(`Cannot copy hard link ${path}: its target ${target} is not a file`);
    }
    const replacement: TreeNode = { ...node, type: "file", size: file.size };
    delete replacement.linkname;
    if (file.content !== undefined) replacement.content = file.content;
    out.set(path, replacement);
  }
}

function addParents(out: Map<string, TreeNode>, stage: FileTree, opts: PlanCopyOptions): void {
  for (const path of [...out.keys()]) {
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (out.has(dir) || stage.get(dir) !== undefined) continue;
      out.set(dir, {
        path: dir,
        type: "directory",
        mode: 0o755,
        uid: opts.chown?.uid ?? 0,
        gid: opts.chown?.gid ?? 0,
        size: 0,
      });
    }
  }
}
