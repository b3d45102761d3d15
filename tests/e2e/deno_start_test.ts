/**
 * Under `deno run cli.ts`, verify, sign, list and inspect of a layout load no `node:` module:
 * Deno sets Node compatibility up on the first one (about 15 ms of every start). V8's function
 * event log names every script the process compiles; Deno's own Node modules are `ext:deno_node/`
 * scripts and `node:` modules, compiled only when first loaded. Whatever an empty program loads
 * of them is the baseline.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { ok, withSigningSandbox } from "../cli/commands/_fixture.ts";

const REPO = new URL("../../", import.meta.url).pathname;

/** The Node-compatibility scripts a `deno run` of `args` compiles, and its exit code. */
async function nodeScripts(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stderr: string; scripts: string[] }> {
  const log = await Deno.makeTempFile({ prefix: "ocisign-v8-", suffix: ".log" });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--node-modules-dir=manual",
        `--v8-flags=--log-function-events,--logfile=${log},--no-logfile-per-isolate`,
        "-A",
        ...args,
      ],
      cwd: REPO,
      env,
      stdout: "null",
      stderr: "piped",
    }).output();
    const text = await Deno.readTextFile(log);
    const scripts = new Set<string>();
    for (const [, url = ""] of text.matchAll(/^script-details,\d+,([^,\n]*)/gm)) {
      if (url.startsWith("node:") || url.startsWith("ext:deno_node/")) scripts.add(url);
    }
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr), scripts: [...scripts] };
  } finally {
    await Deno.remove(log);
  }
}

const cittyImported = JSON.parse(await Deno.readTextFile(`${REPO}deno.json`)).imports?.citty;

Deno.test({
  name:
    "deno run cli.ts verify, list and inspect of a layout load no node: module, sign only timers",
  // citty (the command framework until it is replaced) imports node:util as it loads.
  ignore: cittyImported !== undefined,
  fn: () =>
    withSigningSandbox(async (sb) => {
      const empty = await Deno.makeTempFile({ suffix: ".ts" });
      const baseline = new Set((await nodeScripts([empty], {})).scripts);
      await Deno.remove(empty);
      const layout = `${sb.cwd}/img`;
      ok(await sb.run("sign", "--oci-layout", "./img:v1"));
      const env = { OCISIGN_CONFIG_DIR: sb.configDir, HOME: sb.home, NO_COLOR: "1" };
      for (
        const argv of [
          ["verify", "--oci-layout", `${layout}:v1`, "--scope", "local/hello-world"],
          ["list", "--oci-layout", `${layout}:v1`],
          ["inspect", "--oci-layout", `${layout}:v1`],
          ["--version"],
        ]
      ) {
        const r = await nodeScripts(["cli.ts", ...argv], env);
        assertEquals(r.code, 0, `${argv.join(" ")}: ${r.stderr}`);
        assertEquals(r.scripts.filter((s) => !baseline.has(s)), [], argv.join(" "));
      }
      // Signing holds the layout's lock, which refreshes on a timer: Deno 2's setTimeout and
      // setInterval are its node:timers (without the rest of Node's set-up).
      const r = await nodeScripts(["cli.ts", "sign", "--oci-layout", `${layout}:v1`], env);
      assertEquals(r.code, 0, r.stderr);
      assertEquals(r.scripts.filter((s) => s.startsWith("node:") && s !== "node:timers"), []);
      // The signature made under Deno verifies.
      ok(await sb.run("verify", "--oci-layout", "./img:v1", "--scope", "local/hello-world"));
    }),
});

Deno.test("the node: module check sees a node: module load", async () => {
  const script = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(script, 'import "node:path";\n');
    const r = await nodeScripts([script], {});
    assertEquals(r.code, 0, r.stderr);
    assert.ok(r.scripts.includes("node:path"), r.scripts.join(" "));
  } finally {
    await Deno.remove(script);
  }
});
