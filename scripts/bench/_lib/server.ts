/**
 * Starts registries for the benchmarks on a free loopback port: Debian's `docker-registry`
 * (CNCF Distribution 2.8) with a generated config and temp storage, or `ocisign serve`.
 * Optionally under GNU time, so that stopping the server yields its peak RSS.
 *
 * @module
 */
import { GNU_TIME, parseMaxRss } from "./measure.ts";
import { requireTool } from "./tools.ts";

/** A running registry. */
export interface Server {
  /** `127.0.0.1:PORT`, for references. */
  host: string;
  /**
   * Stops the server, removes its temp dir, and returns its peak RSS in KiB (when started
   * under GNU time).
   */
  stop(): Promise<number | undefined>;
  /** CPU time (user + system) the server has used so far, in milliseconds (Linux `/proc`). */
  cpuMs(): Promise<number>;
}

const live = new Set<Server>();

/**
 * Stops every server still running (for an interrupted benchmark run).
 *
 * @example
 * ```ts
 * Deno.addSignalListener("SIGINT", () => stopAllServers().then(() => Deno.exit(130)));
 * ```
 */
export async function stopAllServers(): Promise<void> {
  for (const server of [...live]) await server.stop().catch(() => {});
}

/**
 * A free loopback TCP port.
 *
 * @example
 * ```ts
 * const port = freePort();
 * ```
 */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function waitReady(host: string, exited: () => boolean): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (exited()) throw new Error(`The registry on ${host} exited during start-up`);
    try {
      const res = await fetch(`http://${host}/v2/`);
      await res.body?.cancel();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`The registry on ${host} did not answer within 20 s`);
}

async function childPid(parent: number): Promise<number | undefined> {
  try {
    const text = await Deno.readTextFile(`/proc/${parent}/task/${parent}/children`);
    const first = text.trim().split(/\s+/)[0];
    return first === undefined || first === "" ? undefined : Number(first);
  } catch {
    return undefined;
  }
}

/** utime + stime of a process, from `/proc/PID/stat` (fields 14 and 15, in clock ticks). */
async function processCpuMs(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks * (1000 / CLOCK_TICKS_PER_SECOND);
}

/** `getconf CLK_TCK` on Linux. */
const CLOCK_TICKS_PER_SECOND = 100;

async function startProcess(
  cmd: string,
  args: string[],
  host: string,
  tempDir: string,
  underTime: boolean,
): Promise<Server> {
  const report = `${tempDir}/time-report.txt`;
  const child = new Deno.Command(underTime ? GNU_TIME : cmd, {
    args: underTime ? ["-v", "-o", report, cmd, ...args] : args,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  let stopping: Promise<number | undefined> | undefined;
  const halt = async (): Promise<number | undefined> => {
    live.delete(server);
    const target = underTime ? await childPid(child.pid) : child.pid;
    if (!exited && target !== undefined) {
      try {
        Deno.kill(target, "SIGTERM");
      } catch {
        // already gone
      }
    }
    await status;
    const rss = underTime ? parseMaxRss(await Deno.readTextFile(report)) : undefined;
    await Deno.remove(tempDir, { recursive: true });
    return rss;
  };
  // Idempotent: a second caller (the SIGINT handler) waits for the first stop.
  const stop = (): Promise<number | undefined> => stopping ??= halt();
  const cpuMs = async (): Promise<number> => {
    const pid = underTime ? await childPid(child.pid) : child.pid;
    if (pid === undefined) throw new Error(`The registry on ${host} is not running`);
    return processCpuMs(pid);
  };
  const server: Server = { host, stop, cpuMs };
  live.add(server);
  try {
    await waitReady(host, () => exited);
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
  return server;
}

/**
 * Starts `docker-registry serve` with a generated config and a fresh storage dir.
 *
 * @example
 * ```ts
 * const reg = await startDistribution(false);
 * await reg.stop();
 * ```
 */
export async function startDistribution(underTime: boolean): Promise<Server> {
  const binary = await requireTool("docker-registry");
  const dir = await Deno.makeTempDir({ prefix: "ocisign-bench-distribution-" });
  const port = freePort();
  const config = [
    "version: 0.1",
    "log:",
    "  level: error",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${dir}/data`,
    "  delete:",
    "    enabled: true",
    "  maintenance:",
    "    uploadpurging:",
    "      enabled: false",
    "http:",
    `  addr: 127.0.0.1:${port}`,
    "",
  ].join("\n");
  await Deno.writeTextFile(`${dir}/config.yml`, config);
  return startProcess(binary, ["serve", `${dir}/config.yml`], `127.0.0.1:${port}`, dir, underTime);
}

/**
 * Starts `ocisign serve` (any runner: `deno run -A cli.ts` or the binary) over a fresh root.
 *
 * @example
 * ```ts
 * const srv = await startOcisignServe(Deno.execPath(), ["run", "-A", "cli.ts"], false);
 * await srv.stop();
 * ```
 */
export async function startOcisignServe(
  cmd: string,
  prefix: string[],
  underTime: boolean,
): Promise<Server> {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-bench-serve-" });
  await Deno.mkdir(`${dir}/root`);
  const host = `127.0.0.1:${freePort()}`;
  return startProcess(
    cmd,
    [...prefix, "serve", `${dir}/root`, "--addr", host],
    host,
    dir,
    underTime,
  );
}
