/**
 * Starting a registry process for a test (Distribution, `ocisign serve`): spawn it, wait until
 * `GET /v2/` answers on its loopback port, and stop it (SIGTERM, then wait) when done.
 */

/** A server process a test started. */
export interface ServerProcess {
  /** `127.0.0.1:<port>` */
  host: string;
  /** The process id. */
  pid: number;
  /** Stops the process and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * A free loopback TCP port.
 *
 * @example
 * ```ts ignore
 * const host = `127.0.0.1:${freePort()}`;
 * ```
 */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/**
 * Spawns `cmd args`, a server that listens on `host`, and waits up to 10 s until `/v2/` answers;
 * a process that exits or never answers is stopped and reported.
 *
 * @example
 * ```ts ignore
 * const host = `127.0.0.1:${freePort()}`;
 * const srv = await spawnServer(Deno.execPath(), ["run", "-A", "cli.ts", "serve", root, "--addr", host], host);
 * await srv.stop();
 * ```
 */
export async function spawnServer(
  cmd: string,
  args: string[],
  host: string,
): Promise<ServerProcess> {
  const child = new Deno.Command(cmd, { args, stdin: "null", stdout: "null", stderr: "null" })
    .spawn();
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const stop = async (): Promise<void> => {
    try {
      child.kill("SIGTERM");
    } catch {
      // already exited
    }
    await status;
  };
  for (let i = 0; i < 200 && !exited; i++) {
    try {
      const res = await fetch(`http://${host}/v2/`);
      await res.body?.cancel();
      return { host, pid: child.pid, stop };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  await stop();
  throw new Error(
    `${cmd} ${exited ? "exited during start-up" : `did not answer on ${host} within 10 s`}`,
  );
}
