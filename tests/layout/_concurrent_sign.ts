/**
 * Runs `ocisign sign` in several processes at once on one layout directory, one layout tar and
 * (optionally) the registry `ocisign serve` makes of the same directory, then checks that every
 * signing that reported success left its signature on disk.
 */
import { LayoutStore, openLayout } from "../../lib/layout/mod.ts";
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { assertEquals } from "../_helpers/assert.ts";
import { cliSandbox } from "../_helpers/cli.ts";
import { freePort, spawnServer } from "../_helpers/server_process.ts";
import { ok } from "../cli/commands/_fixture.ts";

const CLI = new URL("../../cli.ts", import.meta.url).pathname;

/** How many processes sign at once, how many times each, and whether `serve` takes part. */
export interface StressOptions {
  processes: number;
  iterations: number;
  serve: boolean;
}

interface Run {
  code: number;
  out: string;
}

async function signProcess(configDir: string, cwd: string, argv: string[]): Promise<Run> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, "sign", ...argv],
    cwd,
    env: { OCISIGN_CONFIG_DIR: configDir },
    clearEnv: true,
    stdin: "null",
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

async function signatures(path: string): Promise<number> {
  const layout = await openLayout(path, nodeFs, { hasher: nodeHasherFactory });
  try {
    const subject = await layout.resolve("v1");
    return (await Array.fromAsync(layout.referrers(subject))).length;
  } finally {
    await layout.close();
  }
}

/**
 * Signs concurrently and asserts that the number of signatures on disk equals the number of
 * reported successes, for the directory (CLI and serve together) and for the tar.
 */
export async function stressSign(options: StressOptions): Promise<void> {
  const sb = await cliSandbox();
  let server: Awaited<ReturnType<typeof spawnServer>> | undefined;
  try {
    await Deno.mkdir(`${sb.cwd}/ctx`);
    await Deno.writeTextFile(`${sb.cwd}/ctx/Dockerfile`, "FROM scratch\nCOPY a /\n");
    await Deno.writeTextFile(`${sb.cwd}/ctx/a`, "a\n");
    ok(await sb.run("build", "-t", "app:v1", "-o", "./root/app", "./ctx"));
    ok(await sb.run("build", "-t", "app:v1", "-o", "./app.tar", "./ctx"));
    ok(await sb.run("cert", "generate-test", "wabbit-networks.io", "--default"));
    const refs = ["--oci-layout ./root/app:v1", "--oci-layout ./app.tar:v1"];
    if (options.serve) {
      const host = `127.0.0.1:${freePort()}`;
      server = await spawnServer(
        Deno.execPath(),
        ["run", "-A", CLI, "serve", `${sb.cwd}/root`, "--addr", host],
        host,
      );
      refs.push(`--plain-http ${host}/app:v1`);
    }
    const runs = await Promise.all(
      Array.from({ length: options.processes }, async (_, p) => {
        const mine: { ref: string; run: Run }[] = [];
        for (let i = 0; i < options.iterations; i++) {
          // Each process cycles through the targets, so they all meet on each one.
          const ref = refs[(p + i) % refs.length]!;
          mine.push({ ref, run: await signProcess(sb.configDir, sb.cwd, ref.split(" ")) });
        }
        return mine;
      }),
    );
    const all = runs.flat();
    const succeeded = (where: (ref: string) => boolean): number =>
      all.filter((r) =>
        where(r.ref) && r.run.code === 0 && r.run.out.includes("Successfully signed")
      ).length;
    // A run that failed must say why; none may crash.
    for (const r of all) {
      if (r.run.code !== 0) assertEquals(r.run.code, 9, r.run.out);
    }
    assertEquals(await signatures(`${sb.cwd}/app.tar`), succeeded((r) => r.includes("app.tar")));
    assertEquals(
      await signatures(`${sb.cwd}/root/app`),
      succeeded((r) => !r.includes("app.tar")),
    );
    // Nothing is left behind: no lock file, no temporary file.
    const names = (await Array.fromAsync(Deno.readDir(`${sb.cwd}/root/app`))).map((e) => e.name);
    assertEquals(names.sort(), ["blobs", "index.json", "oci-layout"]);
    const beside = (await Array.fromAsync(Deno.readDir(sb.cwd))).map((e) => e.name).sort();
    assertEquals(beside, ["app.tar", "ctx", "root"]);
    await LayoutStore.open(`${sb.cwd}/root/app`, nodeFs, { hasher: nodeHasherFactory });
  } finally {
    await server?.stop();
    await sb.close();
  }
}
