/**
 * Architecture rules: the core is Web APIs only, and imports point down the layer list of
 * DESIGN.md (`verify` never reaches network code).
 */
import { assert } from "./_helpers/assert.ts";

const LIB = new URL("../lib/", import.meta.url);

/** Rank of each top-level folder of lib/: a file may import only from its rank or lower. */
const RANK: Record<string, number> = {
  "errors.ts": 0,
  "_internal": 0,
  "digest": 1,
  "oci": 1,
  "content": 1,
  "dockerfile": 1.5,
  "compression": 1.5,
  "tar": 1.5,
  "x509": 2,
  "signature": 2.5,
  "layout": 3,
  "registry": 3,
  "trust": 3,
  "copy": 4,
  "sign": 4.5,
  "verify": 4.5,
  "image_builder": 4.5,
  "server": 4.5,
  "blob": 4.75,
  "plugin": 4.8, // an adapter: implements the signer and verifier hooks of sign/ and verify/
  "runtime": 5,
  "cli": 6,
};

/** Pairs forbidden although the target ranks lower. */
const FORBIDDEN: Array<[string, string]> = [
  ["verify", "registry"],
  ["verify", "copy"],
  ["blob", "registry"],
  ["blob", "copy"],
];

async function* walk(dir: URL, rel = ""): AsyncIterable<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = rel + entry.name;
    if (entry.isDirectory) yield* walk(new URL(entry.name + "/", dir), path + "/");
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

function area(relPath: string): string {
  return relPath.includes("/") ? relPath.slice(0, relPath.indexOf("/")) : relPath;
}

function resolveImport(fromRel: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  const url = new URL(spec, new URL(fromRel, LIB));
  const rel = url.pathname.slice(LIB.pathname.length);
  return rel.startsWith("..") || url.pathname.indexOf(LIB.pathname) !== 0 ? undefined : rel;
}

const files: string[] = [];
for await (const f of walk(LIB)) files.push(f);

Deno.test("lib/ outside runtime/ and cli/ uses Web APIs only (no node:, Deno., Bun.)", async () => {
  const offenders: string[] = [];
  for (const f of files) {
    const a = area(f);
    if (a === "runtime" || a === "cli") continue;
    const text = await Deno.readTextFile(new URL(f, LIB));
    if (/from\s+["']node:|import\(["']node:|\bDeno\.|\bBun\./.test(text)) offenders.push(f);
  }
  assert.deepEqual(offenders, [], `core files touching runtime APIs: ${offenders.join(", ")}`);
});

Deno.test("lib/cli/ spawns no processes and opens no files or sockets itself (runtime/ does)", async () => {
  const offenders: string[] = [];
  const direct =
    /["']node:(?:child_process|fs|fs\/promises|net|tls|http|https|dgram|worker_threads)["']|\bDeno\.(?:Command|run|open|create|readFile|writeFile|connect|listen|serve)\b|\bcreateHttpClient\b|\bBun\.(?:spawn|file|write|serve|connect|listen)\b/;
  for (const f of files) {
    if (area(f) !== "cli") continue;
    const text = await Deno.readTextFile(new URL(f, LIB));
    // Doc comments may show runtime calls in examples; only code counts.
    const code = text.split("\n").filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line));
    if (direct.test(code.join("\n"))) offenders.push(f);
  }
  assert.deepEqual(offenders, [], `lib/cli files that should go through lib/runtime: ${offenders}`);
});

Deno.test("lib/ imports point down the layer list", async () => {
  const offenders: string[] = [];
  for (const f of files) {
    const from = area(f);
    const rank = RANK[from];
    if (rank === undefined) {
      offenders.push(`${f}: folder "${from}" has no rank in the layer list`);
      continue;
    }
    const text = await Deno.readTextFile(new URL(f, LIB));
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) {
      const target = resolveImport(f, m[1]!);
      if (target === undefined) continue;
      const to = area(target);
      const toRank = RANK[to];
      if (toRank === undefined) continue;
      if (toRank > rank || (toRank === rank && to !== from && rank > 1)) {
        offenders.push(`${f} imports ${target} (${from} → ${to})`);
      }
      if (FORBIDDEN.some(([a, b]) => a === from && b === to)) {
        offenders.push(`${f} imports ${target} (${from} must not reach ${to})`);
      }
    }
  }
  assert.deepEqual(offenders, [], offenders.join("\n"));
});

Deno.test("lib/, cli.ts and mod.ts name packages as npm:name@version (a URL run has no import map)", async () => {
  const offenders: string[] = [];
  const sources = [...files.map((f) => new URL(f, LIB)), new URL("../cli.ts", LIB)];
  sources.push(new URL("../mod.ts", LIB));
  for (const url of sources) {
    const text = await Deno.readTextFile(url);
    const statements =
      /^(?:(?:import|export)\b[^;"']*?\bfrom\s+|import\s+|\}\s*from\s+)["']([^"']+)["']|\bimport\(["']([^"']+)["']\)/gm;
    for (const m of text.matchAll(statements)) {
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith(".") || spec.startsWith("node:")) continue;
      if (!/^npm:(@[^/@]+\/)?[^/@]+@\d[^/]*(\/.*)?$/.test(spec)) {
        offenders.push(`${url.pathname.slice(LIB.pathname.length - 4)}: ${spec}`);
      }
    }
  }
  assert.deepEqual(offenders, [], `bare or unversioned package imports:\n${offenders.join("\n")}`);
});
