/**
 * Benchmark `cp`: copy a 1 GiB image of 8 random 128 MiB layers from an OCI layout to a local
 * Distribution registry (Debian's `docker-registry`, fresh storage for every run) and back from
 * the registry to a fresh layout, with `ocisign cp` (deno and binary), `oras cp` (default
 * concurrency; the named peer) and `skopeo copy`, the tools taking turns (A B C, A B C, ...).
 * 3 runs each; goal: ocisign at least as fast as oras cp (ratio <= 1). Then one 2 GiB layer, both
 * directions, 1 run each (3 with `OCISIGN_BENCH_RUNS=3`); goals: at least as fast as oras cp, peak
 * RSS under 200 MiB.
 *
 * Layers are stored-gzip (`tar+gzip`) random data, so that skopeo copies them as they are.
 *
 * Pulls get a reference row that is not a copy, {@linkcode DURABLE_WRITE}: the layout's blob files
 * copied on the local disk by one `dd` each, all at once, each flushed (`conv=fdatasync`), with no
 * network and no hashing. ocisign flushes every blob before `index.json` names it; oras flushes
 * nothing (it is done once the bytes are in the page cache). The row shows what the flushes alone
 * cost on the machine's disk: a reference, not a bound.
 *
 * Run: `deno task bench cp` (`OCISIGN_BENCH_MIB=256` for a 256 MiB image of 8 layers and a
 * 512 MiB single layer, for a quick look). The note column gives CPU time per GiB copied.
 *
 * @module
 */
import { type Contender, type ContenderResult, runPaired } from "./_lib/contender.ts";
import { run } from "./_lib/measure.ts";
import { writeImageLayout } from "./_lib/layout.ts";
import { type Goal, type Row, toRows } from "./_lib/report.ts";
import { type Server, startDistribution } from "./_lib/server.ts";
import { cpuPerGiB, MIB } from "./_lib/stats.ts";
import { imageMiB, ocisignRunners, requireTool, runsFor } from "./_lib/tools.ts";

const RUNS = 3;
const PEER = "oras cp";
const REPO = "bench/img";
/** The name of the pulls' reference row (the blob files written and flushed; not a copy). */
const DURABLE_WRITE = "reference: dd conv=fdatasync";

/** How each tool spells a push (layout to registry) and a pull (registry to layout). */
interface Tool {
  name: string;
  cmd: string;
  push: (layout: string, ref: string) => string[];
  pull: (ref: string, layout: string) => string[];
}

async function tools(work: string): Promise<Tool[]> {
  const oras = await requireTool("oras");
  const skopeo = await requireTool("skopeo");
  const ocisign: Tool[] = (await ocisignRunners(work)).map((o) => ({
    name: `${o.name} cp`,
    cmd: o.cmd,
    push: (layout, ref) => [...o.prefix, "cp", "--from-oci-layout", layout, ref, "--to-plain-http"],
    pull: (ref, layout) => [...o.prefix, "cp", "--from-plain-http", ref, "--to-oci-layout", layout],
  }));
  return [
    ...ocisign,
    {
      name: PEER,
      cmd: oras,
      push: (layout, ref) => ["cp", "--from-oci-layout", layout, ref, "--to-plain-http"],
      pull: (ref, layout) => ["cp", "--from-plain-http", ref, "--to-oci-layout", layout],
    },
    {
      name: "skopeo copy",
      cmd: skopeo,
      push: (layout, ref) => [
        "--insecure-policy",
        "copy",
        "--dest-tls-verify=false",
        `oci:${layout}`,
        `docker://${ref}`,
      ],
      pull: (ref, layout) => [
        "--insecure-policy",
        "copy",
        "--src-tls-verify=false",
        `docker://${ref}`,
        `oci:${layout}`,
      ],
    },
  ];
}

/** Pushes with a fresh registry per run, so that no blob is already there. */
function pushContender(t: Tool, layout: string): Contender {
  let server: Server | undefined;
  return {
    name: t.name,
    cmd: t.cmd,
    setup: async () => {
      server = await startDistribution(false);
    },
    teardown: async () => {
      await server?.stop();
    },
    args: () => t.push(`${layout}:v1`, `${server?.host ?? "127.0.0.1:PORT"}/${REPO}:v1`),
    serverCpuMs: () => server!.cpuMs(),
  };
}

/** Pulls from `server` into a fresh layout each run. */
function pullContender(t: Tool, server: Server, dst: string): Contender {
  return {
    name: t.name,
    cmd: t.cmd,
    teardown: async () => {
      await Deno.remove(dst, { recursive: true }).catch(() => {});
    },
    args: () => t.pull(`${server.host}/${REPO}:v1`, `${dst}:v1`),
    serverCpuMs: () => server.cpuMs(),
  };
}

/**
 * Not a copy: copies the blob files of the layout `src` (read from the page cache) into `dst`, one
 * `dd` per file, all at once, each file flushed: what the flushes of a durable pull cost here.
 */
function durableWriteContender(src: string, dst: string): Contender {
  return {
    name: DURABLE_WRITE,
    cmd: "sh",
    teardown: async () => {
      await Deno.remove(dst, { recursive: true }).catch(() => {});
    },
    args: () => [
      "-c",
      'mkdir -p "$1" && pids="" && for f in "$0"/blobs/sha256/*; do ' +
      'dd if="$f" of="$1/${f##*/}" bs=1M conv=fdatasync status=none & pids="$pids $!"; done; ' +
      'for p in $pids; do wait "$p" || exit 1; done',
      src,
      dst,
    ],
  };
}

async function pushPull(
  all: Tool[],
  src: string,
  dst: string,
  runs: number,
): Promise<{ push: ContenderResult[]; pull: ContenderResult[] }> {
  // Alternating runs (A B C, A B C, ...): a change in the machine's load hits every tool alike.
  const push = await runPaired(all.map((t) => pushContender(t, src)), runs);
  const server = await startDistribution(false);
  let pull: ContenderResult[];
  try {
    const oras = all.find((t) => t.name === PEER)!;
    await run(oras.cmd, oras.push(`${src}:v1`, `${server.host}/${REPO}:v1`));
    pull = await runPaired([
      ...all.map((t) => pullContender(t, server, dst)),
      durableWriteContender(src, dst),
    ], runs);
  } finally {
    await server.stop();
  }
  return { push, pull };
}

/**
 * Where the CPU went (medians): the copying tool's and the registry's. With both on one 2-core
 * machine, their sum over two cores bounds the wall time from below.
 */
function cpuNotes(results: ContenderResult[], bytes: number): Record<string, string> {
  return Object.fromEntries(
    results.map((r) => [
      r.name,
      r.medianServerCpuMs === undefined
        ? `CPU: ${cpuPerGiB(r.medianCpuMs, bytes)}`
        : `CPU: tool ${cpuPerGiB(r.medianCpuMs, bytes)}, registry ${
          cpuPerGiB(r.medianServerCpuMs, bytes)
        }`,
    ]),
  );
}

/**
 * Runs the `cp` benchmark and returns its rows.
 *
 * @example
 * ```ts
 * const rows = await benchCp(await Deno.makeTempDir());
 * ```
 */
export async function benchCp(work: string): Promise<Row[]> {
  const all = await tools(work);
  const mib = imageMiB(1024);
  console.error(`cp: writing a layout with 8 random ${mib / 8} MiB layers`);
  const src = (await writeImageLayout(`${work}/src`, "v1", Array(8).fill(mib / 8 * MIB), {
    gzip: true,
  })).dir;
  const speed: Goal = {
    text: "time <= oras cp",
    met: (r, p) => r.medianMs <= p.medianMs,
  };
  const ocisignNames = all.filter((t) => t.name.startsWith("ocisign")).map((t) => t.name);
  const speedGoals = Object.fromEntries(ocisignNames.map((n) => [n, [speed]]));
  const big = await pushPull(all, src, `${work}/dst`, runsFor(RUNS));
  await Deno.remove(src, { recursive: true });

  const bigMiB = 2 * mib;
  console.error(`cp: writing a layout with one random ${bigMiB} MiB layer`);
  const src2 = (await writeImageLayout(`${work}/src2`, "v1", [bigMiB * MIB], { gzip: true })).dir;
  const memTools = all.filter((t) => t.name !== "skopeo copy");
  const mem = await pushPull(memTools, src2, `${work}/dst2`, runsFor(1));
  const memory: Goal = { text: "peak RSS < 200 MiB", met: (r) => r.peakRssKiB * 1024 < 200 * MIB };
  const memGoals = Object.fromEntries(ocisignNames.map((n) => [n, [speed, memory]]));
  const size = (n: number): string => n >= 1024 ? `${n / 1024} GiB` : `${n} MiB`;
  const many = `cp ${size(mib)}/8 layers`;
  const one = `cp ${size(bigMiB)}/1 layer`;
  return [
    ...toRows(`${many} push`, big.push, PEER, speedGoals, cpuNotes(big.push, mib * MIB)),
    ...toRows(`${many} pull`, big.pull, PEER, speedGoals, cpuNotes(big.pull, mib * MIB)),
    ...toRows(`${one} push`, mem.push, PEER, memGoals, cpuNotes(mem.push, bigMiB * MIB)),
    ...toRows(`${one} pull`, mem.pull, PEER, memGoals, cpuNotes(mem.pull, bigMiB * MIB)),
  ];
}
