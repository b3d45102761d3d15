/**
 * COPY/ADD semantics: which source nodes go where. Sources are matched in a source tree (the
 * context, or another stage's file system) with exact paths or globs; a directory's contents are
 * copied into the destination; destinations are resolved through the stage's symlinks, and parent
 * directories are added only where the stage lacks them, so a base image's ownership and modes
 * are never reset.
 *
 * @module
 */
import { BuildError } from "../errors.ts";
import { cleanPath } from "./dockerignore.ts";
import type { FileTree, TreeNode } from "./file_tree.ts";
import { globToRegExp, hasGlob } from "./glob.ts";

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
  /** `--chmod` bits. */
  chmod?: number;
  /** Line for error messages. */
  line: number;
  /** What to call a missing source's root in messages ("build context", "stage x"). */
  sourceName: string;
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
    throw new BuildError(
      `Dockerfile line ${line}: source ${
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
    const re = globToRegExp(pattern);
    return [...source.paths()].filter((p) => re.test(p)).sort().map((p) => source.get(p)!);
  }
  const node = source.get(source.resolve(pattern, false));
  if (node === undefined) {
    throw new BuildError(
      `Dockerfile line ${line}: ${raw} not found in the ${sourceName} (is it excluded by .dockerignore?)`,
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
  const emit = (from: TreeNode, to: string): void => {
    const node: TreeNode = { ...from, path: to, ...owner(from) };
    if (opts.chmod !== undefined && (from.type === "file" || from.type === "directory")) {
      node.mode = opts.chmod;
    }
    out.set(to, node);
    copied.set(from.path, to);
  };
  for (const raw of opts.sources) {
    const matches = matchSources(source, raw, opts.line, opts.sourceName);
    for (const match of matches) {
      if (match.type === "directory") {
        if (destBase !== "" && stage.get(destBase)?.type !== "directory" && !out.has(destBase)) {
          emit(match, destBase);
        }
        for (const child of source.subtree(match.path)) {
          if (child.path === match.path) continue;
          const rel = match.path === "" ? child.path : child.path.slice(match.path.length + 1);
          emit(child, joinRel(destBase, rel));
        }
      } else {
        const to = opts.destIsDir || destDirExists
          ? joinRel(destBase, basename(match.path))
          : destBase;
        if (to === "") {
          throw new BuildError(`Dockerfile line ${opts.line}: cannot copy a file over /`);
        }
        emit(match, to);
      }
    }
  }
  fixHardLinks(out, copied, source);
  addParents(out, stage, opts);
  return [...out.values()];
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
