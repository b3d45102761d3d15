/**
 * Shared fixtures for the build tests: temp dirs, layout output, reading layers back, and
 * peer-tool checks.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { findPeer } from "../_helpers/peers.ts";
import type { Descriptor, Manifest } from "../../lib/oci/descriptor.ts";
import type { Target } from "../../lib/content/storage.ts";
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { LayoutStore } from "../../lib/layout/mod.ts";
import { gunzipStream } from "../../lib/compression/gzip.ts";
import { readTar } from "../../lib/tar/mod.ts";
import type { TarReadEntry } from "../../lib/tar/mod.ts";
import type { ImageConfig } from "../../lib/image_builder/image_config.ts";

export { nodeFs, nodeHasherFactory };

/** Runs `fn` with a fresh temp dir, removed afterwards. */
export async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-build-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Writes files: `{ "a/b.txt": "text" }`, creating parents. */
export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    const path = `${root}/${rel}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(path, text);
  }
}

/** Opens (creating) a layout directory with the native hasher. */
export function openOutput(path: string): Promise<LayoutStore> {
  return LayoutStore.open(path, nodeFs, { create: true, hasher: nodeHasherFactory });
}

async function readAll(target: Target, desc: Descriptor): Promise<Uint8Array> {
  return new Uint8Array(await new Response(await target.fetch(desc)).arrayBuffer());
}

/** Reads a manifest and its config. */
export async function readImage(
  target: Target,
  desc: Descriptor,
): Promise<{ manifest: Manifest; config: ImageConfig }> {
  const manifest = JSON.parse(new TextDecoder().decode(await readAll(target, desc))) as Manifest;
  const config = JSON.parse(
    new TextDecoder().decode(await readAll(target, manifest.config)),
  ) as ImageConfig;
  return { manifest, config };
}

/** Reads every entry (with contents) of a gzip layer. */
export async function readLayer(target: Target, desc: Descriptor): Promise<TarReadEntry[]> {
  const out: TarReadEntry[] = [];
  const stream = gunzipStream(await target.fetch(desc));
  for await (const entry of readTar(stream, { want: () => true })) out.push(entry);
  return out;
}

/** Runs a peer tool (found as `findPeer` finds it); returns its exit status and output. */
export function run(cmd: string, args: string[], cwd?: string): { code: number; out: string } {
  const path = cmd.includes("/") ? cmd : findPeer(cmd) ?? cmd;
  const r = spawnSync(path, args, { cwd, encoding: "utf8" });
  return { code: r.status ?? -1, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/**
 * Whether a peer tool is installed. A missing one is reported and the test should skip; with
 * OCISIGN_REQUIRE_PEERS=1, `findPeer` throws, so the skip becomes a failure.
 */
export function havePeer(tool: string): boolean {
  return findPeer(tool) !== undefined;
}
