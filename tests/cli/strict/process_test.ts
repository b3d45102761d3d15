/**
 * The command line as a process (`deno run cli.ts`): argument errors and their exit code, pipes
 * without colour, and Ctrl-C on `serve` (exit 130).
 */
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { freePort } from "../../_helpers/server_process.ts";

const repo = new URL("../../../", import.meta.url).pathname.replace(/\/$/, "");

async function ocisign(args: string[], env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli.ts", ...args],
    cwd: repo,
    env,
    stdin: "null",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

Deno.test("deno run cli.ts: a misspelled flag is exit 2 with notation's message, no colour in a pipe", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-proc-" });
  try {
    const env = { OCISIGN_CONFIG_DIR: `${dir}/config` };
    const r = await ocisign(
      ["verify", "localhost:5000/x:v1", "--user-metdata", "buildId=123"],
      env,
    );
    assertEquals(r.code, 2);
    assertEquals(
      r.stderr,
      "Error: unknown flag: --user-metdata\n\nDid you mean this?\n\t--user-metadata\n\nRun 'ocisign verify --help' for usage.\n",
    );
    const json = await ocisign(["list", "x", "--bogus", "-o", "json"], env);
    assertEquals(json.code, 2);
    assertEquals(json.stdout, "");
    assertEquals(JSON.parse(json.stderr).error.message, "unknown flag: --bogus");
    const help = await ocisign(["help", "verify"], { ...env, FORCE_COLOR: "1" });
    assert.ok(help.stdout.includes("\x1b[1m"), "FORCE_COLOR colours help in a pipe");
    const plain = await ocisign(["help", "verify"], env);
    assert.ok(!plain.stdout.includes("\x1b"), "no colour in a pipe");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Ctrl-C on serve exits 130", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-proc-" });
  try {
    const host = `127.0.0.1:${freePort()}`;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "cli.ts", "serve", dir, "--addr", host],
      cwd: repo,
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!seen.includes("Serving")) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
    }
    assert.match(seen, /^Serving /);
    child.kill("SIGINT");
    await reader.cancel();
    assertEquals((await child.status).code, 130);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
