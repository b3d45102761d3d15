/**
 * Finds the tools the benchmarks run (ocisign under `deno run` and as the compiled binary,
 * oras, skopeo, Distribution, notation-peer), with instructions when one is missing.
 *
 * @module
 */
import { run } from "./measure.ts";

/** The repository root (the benchmarks run `cli.ts` from it). */
export const ROOT: string = new URL("../../../", import.meta.url).pathname.replace(/\/$/, "");

/** One way of running ocisign: a command and the arguments that precede ocisign's own. */
export interface OcisignRunner {
  /** "ocisign (deno)" or "ocisign (binary)". */
  name: string;
  cmd: string;
  prefix: string[];
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    const st = await Deno.stat(path);
    return st.isFile && ((st.mode ?? 0o111) & 0o111) !== 0;
  } catch {
    return false;
  }
}

/**
 * Finds an executable in the given places, then on PATH.
 *
 * @example
 * ```ts
 * const oras = await findTool("oras", [`${Deno.env.get("HOME")}/go/bin/oras`]);
 * ```
 */
export async function findTool(name: string, places: string[] = []): Promise<string | undefined> {
  const path = (Deno.env.get("PATH") ?? "").split(":").filter((p) => p !== "");
  for (const candidate of [...places, ...path.map((p) => `${p}/${name}`)]) {
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The released notation CLIs beside the checkout (`notation` 1.3.2, `notation-2.0.0-alpha.1`),
 * the directory `.ci/run` puts on `PATH`; searched after `PATH`, as the tests' peer lookup does.
 */
export const PEER_RELEASES: string = `${ROOT}/../shared/peers/${Deno.build.os}-${
  Deno.build.arch === "x86_64" ? "amd64" : "arm64"
}`;

const HINTS: Record<string, string> = {
  "oras": "run scripts/peers/install.sh (go install oras.land/oras/cmd/oras@v1.3.6)",
  "notation-peer": "run scripts/peers/install.sh (builds it into ~/.cache/ocisign-peers/bin)",
  "notation": "put the notation 1.3.2 CLI on PATH (CI adds ../shared/peers/linux-amd64)",
  "skopeo": "sudo apt-get install skopeo",
  "docker-registry": "sudo apt-get install docker-registry",
  "sha256sum": "sudo apt-get install coreutils",
  "gzip": "sudo apt-get install gzip",
  "tar": "sudo apt-get install tar",
};

/**
 * Finds a tool or fails with how to install it.
 *
 * @example
 * ```ts
 * const skopeo = await requireTool("skopeo");
 * ```
 */
export async function requireTool(name: string): Promise<string> {
  const home = Deno.env.get("HOME") ?? "";
  const found = await findTool(name, [
    `${home}/go/bin/${name}`,
    `${home}/.cache/ocisign-peers/bin/${name}`,
  ]) ?? await findTool(name, [`${PEER_RELEASES}/${name}`]);
  if (found === undefined) {
    throw new Error(`${name} is not installed: ${HINTS[name] ?? `install ${name}`}, then retry`);
  }
  return found;
}

/**
 * The two ways of running ocisign: under Deno as `deno task ocisign` runs it (`deno run
 * --node-modules-dir=manual --v8-flags=--max-semi-space-size=1 -A cli.ts`, over the
 * `node_modules/` that `deno install` filled) and a standalone binary. The binary is
 * `$OCISIGN_BENCH_BINARY` when set; otherwise it is compiled from the current tree with
 * `deno task compile --outfile WORK/bin/ocisign` (about a second), so that a stale
 * `dist/ocisign` is never measured.
 *
 * @example
 * ```ts
 * for (const o of await ocisignRunners("/tmp/work")) console.log(o.name);
 * ```
 */
export async function ocisignRunners(work: string): Promise<OcisignRunner[]> {
  let binary = Deno.env.get("OCISIGN_BENCH_BINARY");
  if (binary === undefined || binary === "") {
    binary = `${work}/bin/ocisign`;
    if (!(await isExecutable(binary))) {
      console.error(`compiling the binary: deno task compile --outfile ${binary}`);
      await run(Deno.execPath(), ["task", "compile", "--outfile", binary], { cwd: ROOT });
    }
  } else if (!(await isExecutable(binary))) {
    throw new Error(`OCISIGN_BENCH_BINARY=${binary} is not an executable file: fix or unset it`);
  }
  return [
    {
      name: "ocisign (deno)",
      cmd: Deno.execPath(),
      prefix: [
        "run",
        "--node-modules-dir=manual",
        "--v8-flags=--max-semi-space-size=1",
        "-A",
        `${ROOT}/cli.ts`,
      ],
    },
    { name: "ocisign (binary)", cmd: binary, prefix: [] },
  ];
}

/**
 * The number of runs per contender: `$OCISIGN_BENCH_RUNS` when set (e.g. 1 for a quick look),
 * else the benchmark's default.
 *
 * @example
 * ```ts
 * const runs = runsFor(3);
 * ```
 */
export function runsFor(fallback: number): number {
  const text = Deno.env.get("OCISIGN_BENCH_RUNS");
  if (text === undefined || text === "") return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`OCISIGN_BENCH_RUNS=${text} is not a positive integer: fix or unset it`);
  }
  return n;
}

/**
 * The size in MiB of the benchmark's image: `$OCISIGN_BENCH_MIB` when set (e.g. 256 for a quick
 * look on a busy machine), else the benchmark's default. Benchmarks with a second, larger image
 * scale it by the same factor.
 *
 * @example
 * ```ts
 * const mib = imageMiB(1024);
 * ```
 */
export function imageMiB(fallback: number): number {
  const text = Deno.env.get("OCISIGN_BENCH_MIB");
  if (text === undefined || text === "") return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 8) {
    throw new Error(`OCISIGN_BENCH_MIB=${text} is not an integer >= 8: fix or unset it`);
  }
  return n;
}
