/**
 * What ADD does beyond COPY: a local tar archive (plain or gzip) is extracted into the
 * destination, and a URL is downloaded with the injected `fetch` and checked against
 * `--checksum` when given.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { concat } from "../_internal/bytes.ts";
import { digestBytes } from "../digest/digest_bytes.ts";
import { parseDigest } from "../digest/digest.ts";
import { BuildError, DigestMismatchError } from "../errors.ts";
import { gunzipStream } from "./compression.ts";
import { cleanPath } from "./dockerignore.ts";
import { FileTree } from "./file_tree.ts";
import type { TreeNode } from "./file_tree.ts";
import { readNodeBytes } from "./node_content.ts";
import { readTar } from "./tar_reader.ts";

/** Largest download ADD accepts into memory (1 GiB). */
export const MAX_ADD_URL_BYTES = 1024 * 1024 * 1024;

/**
 * Whether an ADD source is a URL.
 *
 * @example
 * ```ts
 * import { isUrlSource } from "./add_sources.ts";
 * console.log(isUrlSource("https://example.com/a.tgz"), isUrlSource("a.tgz")); // true false
 * ```
 * @param source The source as written.
 * @returns True for http(s) URLs and git sources.
 */
export function isUrlSource(source: string): boolean {
  return /^(?:https?|git):\/\//i.test(source) || /^git@/.test(source);
}

async function readHead(node: TreeNode, length: number): Promise<Bytes> {
  const source = node.content;
  if (source === undefined) return new Uint8Array(0);
  if (source.kind === "bytes") return source.bytes.subarray(0, length);
  if (source.kind === "layer") return (await readNodeBytes(node)).subarray(0, length);
  const reader = (await source.open()).getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < length) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      total += value.length;
    }
  } finally {
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
  return concat(parts).subarray(0, length);
}

function isTar(head: Uint8Array): boolean {
  return head.length >= 262 && String.fromCharCode(...head.subarray(257, 262)) === "ustar";
}

/**
 * Extracts a local archive source into a tree when it is a tar (plain or gzip), as ADD does;
 * returns `undefined` when the file is not an archive (ADD then copies it as is).
 *
 * @example
 * ```ts ignore
 * const tree = await extractArchive(node, 7);
 * ```
 * @param node The source file.
 * @param line Line for errors.
 * @param signal Cancellation.
 * @returns The archive's contents (held in memory), or `undefined`.
 * @throws {BuildError} ERR_BUILD for bzip2, xz or zstd archives.
 */
export async function extractArchive(
  node: TreeNode,
  line: number,
  signal?: AbortSignal,
): Promise<FileTree | undefined> {
  if (node.type !== "file") return undefined;
  const head = await readHead(node, 512);
  let tar: Bytes;
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const packed = await readNodeBytes(node, signal);
    tar = new Uint8Array(
      await new Response(gunzipStream(new Blob([packed]).stream())).arrayBuffer(),
    );
    if (!isTar(tar.subarray(0, 512))) return undefined;
  } else if (isTar(head)) {
    tar = await readNodeBytes(node, signal);
  } else if (
    (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) ||
    (head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a) ||
    (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f)
  ) {
    throw new BuildError(
      `Dockerfile line ${line}: ADD ${node.path}: bzip2, xz and zstd archives are not supported; use a plain or gzip tar, or COPY it`,
    );
  } else return undefined;
  const stream = new Blob([tar]).stream();
  const tree = new FileTree();
  const opts = { want: () => true, ...(signal === undefined ? {} : { signal }) };
  for await (const { header, content } of readTar(stream, opts)) {
    const path = cleanPath(`/${header.path}`);
    if (path === ".") continue;
    const out: TreeNode = {
      path,
      type: header.type,
      mode: header.mode,
      uid: header.uid,
      gid: header.gid,
      size: header.size,
    };
    if (header.type === "other") continue;
    if (header.type === "symlink") out.linkname = header.linkname;
    if (header.type === "hardlink") out.linkname = cleanPath(`/${header.linkname}`);
    if (content !== undefined) out.content = { kind: "bytes", bytes: content };
    for (let i = path.indexOf("/"); i !== -1; i = path.indexOf("/", i + 1)) {
      const dir = path.slice(0, i);
      if (tree.get(dir) === undefined) {
        tree.apply({ path: dir, type: "directory", mode: 0o755, uid: 0, gid: 0, size: 0 });
      }
    }
    tree.apply(out);
  }
  return tree;
}

/**
 * Downloads an ADD URL with the injected `fetch`, checking `--checksum` when given.
 *
 * @example
 * ```ts ignore
 * const node = await downloadUrl("https://example.com/a.txt", { fetch, line: 4 });
 * ```
 * @param url The URL.
 * @param opts The fetch function, expected digest, line and cancellation.
 * @returns A file node named after the URL's last path segment (mode 0600, as Docker does).
 * @throws {BuildError} ERR_BUILD when no fetch is available, the URL is a git source, or the
 * download fails.
 * @throws {DigestMismatchError} ERR_DIGEST_MISMATCH when the checksum does not match.
 */
export async function downloadUrl(
  url: string,
  opts: { fetch?: typeof fetch; checksum?: string; line: number; signal?: AbortSignal },
): Promise<TreeNode> {
  if (!/^https?:\/\//i.test(url)) {
    throw new BuildError(
      `Dockerfile line ${opts.line}: ADD of git sources is not supported; clone the repository into the context`,
    );
  }
  if (opts.fetch === undefined) {
    throw new BuildError(
      `Dockerfile line ${opts.line}: ADD ${url} needs network access, which this build does not have`,
    );
  }
  const algorithm = opts.checksum === undefined ? undefined : parseDigest(opts.checksum).algorithm;
  let response: Response;
  try {
    response = await opts.fetch(url, opts.signal === undefined ? {} : { signal: opts.signal });
  } catch (err) {
    throw new BuildError(
      `Dockerfile line ${opts.line}: cannot download ${url}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel().catch(() => {});
    throw new BuildError(
      `Dockerfile line ${opts.line}: cannot download ${url}: HTTP ${response.status}`,
    );
  }
  const parts: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > MAX_ADD_URL_BYTES) {
        throw new BuildError(
          `Dockerfile line ${opts.line}: ${url} is larger than ${MAX_ADD_URL_BYTES} bytes`,
        );
      }
      parts.push(value);
    }
  } finally {
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
  const bytes = concat(parts);
  if (opts.checksum !== undefined) {
    const actual = await digestBytes(bytes, algorithm);
    if (actual !== opts.checksum) throw new DigestMismatchError(opts.checksum, actual);
  }
  const name = decodeURIComponent(new URL(url).pathname.split("/").pop() ?? "");
  if (name === "" || name === "." || name === "..") {
    throw new BuildError(
      `Dockerfile line ${opts.line}: cannot tell a file name from ${url}; give the destination a file name`,
    );
  }
  return {
    path: name,
    type: "file",
    mode: 0o600,
    uid: 0,
    gid: 0,
    size: bytes.length,
    content: { kind: "bytes", bytes },
  };
}
