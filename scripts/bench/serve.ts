/**
 * Benchmark `serve`: push and pull of a 1 GiB image of 8 random 128 MiB layers with `oras cp`
 * (layout to registry, then registry to a fresh layout) against `ocisign serve` (deno and binary)
 * and against Debian's `docker-registry` (CNCF Distribution 2.8; the named peer), each server
 * fresh for every run and run under GNU time, so that stopping it yields the server's peak RSS
 * (the RSS and CPU figures are the server's, not the client's). 3 runs each; goals: ocisign
 * serve at least as fast as Distribution (ratio <= 1), server peak RSS under 150 MiB.
 *
 * Run: `deno task bench serve` (`OCISIGN_BENCH_MIB=256` for a smaller image of the same 8 layers).
 * The note column gives the server's median CPU time per GiB moved.
 *
 * Where a pull's server CPU goes (Deno `--cpu-prof` of `serve` while `oras cp` pulled a 256 MiB
 * image 3 times, Dec 2026): before, reading the blob files through node:fs handle streams (the
 * read op, a fresh zeroed 256 KiB buffer per chunk, 3 stream layers and the log's counting
 * wrapper) was about 30% of the busy time and the connection guard's relay (`op_read` +
 * `op_write`, every byte through JavaScript twice) about 30%. Whole blobs now go out as the
 * runtime's own file stream (Deno sends `FsFile.readable` from Rust; Bun reads `Bun.file`
 * natively) and the log waits for Deno's `completed` instead of wrapping the body, which leaves
 * the relay as the largest part. On 256 MiB, shared 2-core machine (load 1.6-2), server CPU per
 * GiB pulled: deno 1.28 -> 0.92-1.08 s, binary 1.52 -> 1.08-1.20 s (Distribution 0.56-0.64).
 *
 * Then the relay went (Dec 2026). Under Deno each accepted connection is handed to Deno's own
 * server for that connection (`serveHttpOnConnection`), so nothing is relayed; under Bun the relay
 * runs on Bun's sockets instead of `node:net` streams. Server CPU per GiB, 256 MiB, 3 runs each,
 * before and after alternated on the same busy 2-core machine (load 1.6 to 11: the wall times of
 * those runs are noise, only the CPU counts): pull deno 1.04-1.16 -> 0.56-0.76 s, binary 1.16-1.52
 * -> 1.08-1.12 s (Distribution 0.56-0.72); push deno 2.60-3.04 -> 2.32-2.44 s, binary 2.56-3.16 ->
 * 2.68-2.76 s (Distribution 3.7-4.2).
 *
 * What is left of Bun's gap is the loopback hop itself. Measured apart (curl, 1 GiB from a
 * `Bun.file` body): `Bun.serve` alone 0.12 s of CPU to send it, behind the relay 0.70-0.90 s, two
 * thirds of it kernel time (two more socket copies); the node:net relay cost about 0.05-0.1 s more
 * user time than Bun's sockets, no less kernel time. A way on: `node:http` under Bun, which needs
 * no relay (a bare server piping a file: 0.65 s per GiB pulled, 0.37 s per GiB pushed, against
 * about 0.75 and 1.0 through the relay); its `maxConnections` refuses beyond the limit and its
 * `headersTimeout` is not applied (Bun's own 10 s is), so eviction, the head timeout and the idle
 * rule would be kept from its `connection` and `request` events, as the Deno front does.
 *
 * That is what the binary does now (Dec 2026): Bun's `node:http`, the limits kept from its events,
 * no relay. Server CPU per GiB, 512 MiB image, binary before and after alternated (6 pulls and 5
 * pushes each, shared 2-core machine, load 1.5-3): pull 0.89 -> 0.49 s (wall 670 -> 564 ms), push
 * 2.38 -> 1.92 s (wall 1108 -> 939 ms); peak RSS about the same on pulls, +10 MiB on pushes
 * until the server collected garbage every 64 MiB of request bodies (then 126 -> 102 MiB).
 *
 * @module
 */
import { commandLine, type ContenderResult } from "./_lib/contender.ts";
import { measure, type Sample } from "./_lib/measure.ts";
import { writeImageLayout } from "./_lib/layout.ts";
import { type Goal, type Row, toRows } from "./_lib/report.ts";
import { type Server, startDistribution, startOcisignServe } from "./_lib/server.ts";
import { cpuPerGiB, median, MIB } from "./_lib/stats.ts";
import { imageMiB, ocisignRunners, requireTool, runsFor } from "./_lib/tools.ts";

const RUNS = 3;
const PEER = "docker-registry";
const REPO = "bench/img";

interface ServerKind {
  name: string;
  start: () => Promise<Server>;
}

function result(name: string, samples: Sample[], command: string): ContenderResult {
  return {
    name,
    samples,
    medianMs: median(samples.map((s) => s.wallMs)),
    peakRssKiB: Math.max(...samples.map((s) => s.maxRssKiB)),
    command,
    medianCpuMs: median(samples.map((s) => s.cpuMs)),
  };
}

/**
 * Runs the `serve` benchmark and returns its rows.
 *
 * @example
 * ```ts
 * const rows = await benchServe(await Deno.makeTempDir());
 * ```
 */
export async function benchServe(work: string): Promise<Row[]> {
  const oras = await requireTool("oras");
  const runs = runsFor(RUNS);
  const kinds: ServerKind[] = [
    ...(await ocisignRunners(work)).map((o) => ({
      name: `${o.name} serve`,
      start: () => startOcisignServe(o.cmd, o.prefix, true),
    })),
    { name: PEER, start: () => startDistribution(true) },
  ];
  const mib = imageMiB(1024);
  console.error(`serve: writing a layout with 8 random ${mib / 8} MiB layers`);
  const src = (await writeImageLayout(`${work}/src`, "v1", Array(8).fill(mib / 8 * MIB))).dir;
  const dst = `${work}/dst`;
  const push: ContenderResult[] = [];
  const pull: ContenderResult[] = [];
  for (const kind of kinds) {
    const pushes: Sample[] = [];
    const pulls: Sample[] = [];
    let commands = ["", ""];
    for (let i = 0; i < runs; i++) {
      const server = await kind.start();
      let rss: number | undefined;
      try {
        const ref = `${server.host}/${REPO}:v1`;
        const pushArgs = ["cp", "--from-oci-layout", `${src}:v1`, ref, "--to-plain-http"];
        const pullArgs = ["cp", "--from-plain-http", ref, "--to-oci-layout", `${dst}:v1`];
        commands = [commandLine(oras, pushArgs), commandLine(oras, pullArgs)];
        let cpu = await server.cpuMs();
        pushes.push({ ...await measure(oras, pushArgs), cpuMs: await server.cpuMs() - cpu });
        cpu = await server.cpuMs();
        pulls.push({ ...await measure(oras, pullArgs), cpuMs: await server.cpuMs() - cpu });
      } finally {
        rss = await server.stop();
        await Deno.remove(dst, { recursive: true }).catch(() => {});
      }
      for (const s of [pushes[i]!, pulls[i]!]) s.maxRssKiB = rss ?? 0;
      console.error(
        `  ${kind.name} run ${i + 1}/${runs}: push ${pushes[i]!.wallMs.toFixed(0)} ms, ` +
          `pull ${pulls[i]!.wallMs.toFixed(0)} ms, server peak RSS ${
            ((rss ?? 0) / 1024).toFixed(1)
          } MiB`,
      );
    }
    push.push(result(kind.name, pushes, `${kind.name} + ${commands[0]}`));
    pull.push(result(kind.name, pulls, `${kind.name} + ${commands[1]}`));
  }
  const goal: Goal[] = [
    { text: "time <= docker-registry", met: (r, p) => r.medianMs <= p.medianMs },
    { text: "server RSS < 150 MiB", met: (r) => r.peakRssKiB * 1024 < 150 * MIB },
  ];
  const goals = Object.fromEntries(kinds.filter((k) => k.name !== PEER).map((k) => [k.name, goal]));
  const notes = (results: ContenderResult[]): Record<string, string> =>
    Object.fromEntries(
      results.map((r) => [r.name, `server CPU ${cpuPerGiB(r.medianCpuMs, mib * MIB)}`]),
    );
  const size = `${mib >= 1024 ? `${mib / 1024} GiB` : `${mib} MiB`}/8 layers`;
  return [
    ...toRows(`serve push ${size} (oras cp)`, push, PEER, goals, notes(push)),
    ...toRows(`serve pull ${size} (oras cp)`, pull, PEER, goals, notes(pull)),
  ];
}
