/**
 * Under `deno run cli.ts`, verify, sign, list and inspect of a layout load no `node:` module:
 * Deno sets Node compatibility up on the first one (about 15 ms of every start). V8's function
 * event log names every script the process compiles; Deno's own Node modules are `ext:deno_node/`
 * scripts and `node:` modules, compiled only when first loaded. Whatever an empty program loads
 * of them is the baseline.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { distributionAvailable, startDistribution } from "../_helpers/distribution.ts";
import { copyDir } from "../_helpers/e2e.ts";
import { ok, withSigningSandbox } from "../cli/commands/_fixture.ts";

const REPO = new URL("../../", import.meta.url).pathname;

/** The scripts a `deno run` of `args` compiles, and its exit code. */
async function loadedScripts(
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
    for (const [, url = ""] of text.matchAll(/^script-details,\d+,([^,\n]*)/gm)) scripts.add(url);
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr), scripts: [...scripts] };
  } finally {
    await Deno.remove(log);
  }
}

/** The Node-compatibility scripts a `deno run` of `args` compiles, and its exit code. */
async function nodeScripts(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stderr: string; scripts: string[] }> {
  const r = await loadedScripts(args, env);
  const node = (url: string) => url.startsWith("node:") || url.startsWith("ext:deno_node/");
  return { ...r, scripts: r.scripts.filter(node) };
}

Deno.test({
  name:
    "deno run cli.ts verify, list and inspect of a layout load no node: module, sign only timers",
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

/** Code a JWS verify of a layout does without: each loads where it is used. */
const NOT_FOR_JWS = [
  /\/lib\/signature\/cose\.ts$/,
  /\/lib\/signature\/cbor\//,
  /\/lib\/signature\/timestamp_token\.ts$/,
  /\/lib\/signature\/_sign_request\.ts$/,
  /\/lib\/x509\/_rsa_large\.ts$/,
  /\/lib\/x509\/revocation\/fs_crl_cache\.ts$/,
  /\/lib\/registry\/credentials\.ts$/,
  /^ext:deno_web\/06_streams\.js$/,
];

Deno.test("deno run cli.ts verify of a JWS signature loads no COSE, timestamp, signing or stream code", () =>
  withSigningSandbox(async (sb) => {
    const env = { OCISIGN_CONFIG_DIR: sb.configDir, HOME: sb.home, NO_COLOR: "1" };
    const verify = (dir: string) =>
      loadedScripts([
        "cli.ts",
        "verify",
        "--oci-layout",
        `${dir}:v1`,
        "--scope",
        "local/hello-world",
      ], env);
    await copyDir(`${sb.cwd}/img`, `${sb.cwd}/cose`);
    ok(await sb.run("sign", "--oci-layout", "./img:v1"));
    const jws = await verify(`${sb.cwd}/img`);
    assertEquals(jws.code, 0, jws.stderr);
    assertEquals(jws.scripts.filter((s) => NOT_FOR_JWS.some((re) => re.test(s))), []);
    // The same check sees the COSE code load for a COSE signature, which still verifies.
    ok(await sb.run("sign", "--oci-layout", "./cose:v1", "--signature-format", "cose"));
    const cose = await verify(`${sb.cwd}/cose`);
    assertEquals(cose.code, 0, cose.stderr);
    assert.ok(
      cose.scripts.some((s) => s.endsWith("/lib/signature/cose.ts")),
      cose.scripts.join(" "),
    );
  }));

/**
 * The scripts each isolate of a `deno run` of `args` compiles (V8 writes one log per isolate
 * into the working directory `cwd`): the main thread's (the one that ran cli.ts) and any
 * worker's.
 */
async function scriptsPerIsolate(
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number; stderr: string; main: string[]; workers: string[][] }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--node-modules-dir=manual",
      "--v8-flags=--log-function-events,--logfile-per-isolate",
      "-A",
      `${REPO}cli.ts`,
      ...args,
    ],
    cwd,
    env,
    stdout: "null",
    stderr: "piped",
  }).output();
  const isolates: string[][] = [];
  for await (const entry of Deno.readDir(cwd)) {
    if (!/^isolate-.*-v8\.log$/.test(entry.name)) continue;
    const text = await Deno.readTextFile(`${cwd}/${entry.name}`);
    const scripts = new Set<string>();
    for (const [, url = ""] of text.matchAll(/^script-details,\d+,([^,\n]*)/gm)) scripts.add(url);
    isolates.push([...scripts]);
  }
  const isMain = (scripts: string[]) => scripts.includes(`file://${REPO}cli.ts`);
  return {
    code: out.code,
    stderr: new TextDecoder().decode(out.stderr),
    main: isolates.find(isMain) ?? [],
    workers: isolates.filter((s) => !isMain(s)),
  };
}

Deno.test({
  name:
    "deno run cli.ts cp from a registry into a layout: the main thread loads no node: module but timers, a Web Worker hashes",
  ignore: !distributionAvailable(),
  fn: () =>
    withSigningSandbox(async (sb) => {
      const reg = await startDistribution();
      const logs = await Deno.makeTempDir({ prefix: "ocisign-v8-" });
      try {
        const ref = `${reg.host}/start/img:v1`;
        ok(await sb.run("cp", "--from-oci-layout", "./img:v1", "--to-plain-http", ref));
        const env = { OCISIGN_CONFIG_DIR: sb.configDir, HOME: sb.home, NO_COLOR: "1" };
        const dst = `${sb.cwd}/pulled`;
        const r = await scriptsPerIsolate(
          ["cp", "--from-plain-http", ref, "--to-oci-layout", `${dst}:v1`],
          env,
          logs,
        );
        assertEquals(r.code, 0, r.stderr);
        assert.ok(r.main.length > 0, "no log of the main thread");
        // Deno 2's setTimeout is its node:timers; nothing else of Node on the main thread (no
        // node:fs for the body writes and flushes, no node:worker_threads or process for the
        // hashing thread).
        assertEquals(r.main.filter((s) => s.startsWith("node:") && s !== "node:timers"), []);
        // The blobs were hashed on a Web Worker (which loads node:crypto there).
        const hashing = r.workers.filter((s) => s.some((u) => u.endsWith("/_hash_web_worker.ts")));
        assertEquals(hashing.length, 1, JSON.stringify(r.workers.map((s) => s.length)));
        assert.ok(hashing[0]!.includes("node:crypto"), hashing[0]!.join(" "));
        // What was pulled is the image, and verifies as a layout.
        ok(await sb.run("list", "--oci-layout", "./pulled:v1"));
        assertEquals(
          JSON.parse(await Deno.readTextFile(`${dst}/index.json`)).manifests[0].digest,
          JSON.parse(await Deno.readTextFile(`${sb.cwd}/img/index.json`)).manifests[0].digest,
        );
      } finally {
        await Deno.remove(logs, { recursive: true });
        await reg.stop();
      }
    }),
});
