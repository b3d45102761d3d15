/**
 * `-v/--verbose` and `-d/--debug` on every command: what verify decided, and each HTTP request
 * (method, URL, status) without credentials.
 */
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { findPeer, runPeer } from "../../_helpers/peers.ts";
import { freePort } from "../../_helpers/distribution.ts";
import { ok, withSigningSandbox } from "../commands/_fixture.ts";

const htpasswd = findPeer("htpasswd");

Deno.test("verify -v names the trust policy statement and each check in order", async () => {
  await withSigningSandbox(async (sb) => {
    ok(await sb.run("sign", "--oci-layout", "./img:v1"));
    const r = ok(
      await sb.run("verify", "--oci-layout", "./img:v1", "--scope", "local/hello-world", "-v"),
    );
    assert.match(r.stderr, /^Resolved \.\/img:v1 to sha256:[0-9a-f]{64}$/m);
    assert.match(
      r.stderr,
      /^Trust policy statement "wabbit-networks-images" applies \(level strict\)$/m,
    );
    const checks = [...r.stderr.matchAll(/^ {2}(\w+): (\w+)/gm)].map((m) => `${m[1]} ${m[2]}`);
    assertEquals(checks.slice(0, 2), ["integrity passed", "authenticity passed"]);
    for (const cmd of ["list", "inspect"]) {
      const r2 = ok(await sb.run(cmd, "--oci-layout", "./img:v1", "--verbose"));
      assert.match(r2.stderr, /^Resolved \.\/img:v1 to sha256:[0-9a-f]{64}$/m, cmd);
    }
    const quiet = ok(
      await sb.run("verify", "--oci-layout", "./img:v1", "--scope", "local/hello-world"),
    );
    assert.ok(!quiet.stderr.includes("Trust policy statement"), quiet.stderr);
    // -d is --default where a command has that flag; --debug still works there
    const help = ok(await sb.run("key", "update", "--help"));
    assert.match(help.stdout, /^ {2}-d, --default /m);
    assert.match(help.stdout, /^Global Flags:\n(?: {2}.*\n)* {6}--debug /m);
  });
});

Deno.test({
  name: "--debug shows each HTTP request, never the credentials",
  ignore: htpasswd === undefined,
  fn: async () => {
    await withSigningSandbox(async (sb) => {
      const made = await runPeer(htpasswd!, ["-Bbn", "alice", "s3cret"]);
      await Deno.writeTextFile(`${sb.cwd}/htpasswd`, made.stdout);
      const port = freePort();
      const controller = new AbortController();
      const server = sb.runWith(
        { signal: controller.signal },
        "serve",
        "--create",
        "--addr",
        `127.0.0.1:${port}`,
        "--htpasswd",
        "./htpasswd",
        "./registry",
      );
      try {
        const ref = `localhost:${port}/app:v1`;
        let pushed;
        for (let i = 0; i < 100; i++) {
          pushed = await sb.run(
            "cp",
            "--from-oci-layout",
            "./img:v1",
            ref,
            "-u",
            "alice",
            "-p",
            "s3cret",
            "--debug",
          );
          if (pushed.code === 0) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        ok(pushed!);
        const lines = pushed!.stderr.split("\n").filter((l) => l.startsWith("Debug: "));
        assert.ok(
          lines.some((l) =>
            /^Debug: HEAD http:\/\/localhost:\d+\/v2\/app\/manifests\/sha256:[0-9a-f]{64} 401 \d+ms$/
              .test(l)
          ),
          pushed!.stderr,
        );
        assert.ok(
          lines.some((l) =>
            /^Debug: PUT http:\/\/localhost:\d+\/v2\/app\/manifests\/v1 201 /.test(l)
          ),
          pushed!.stderr,
        );
        for (const secret of ["s3cret", btoa("alice:s3cret")]) {
          assert.ok(!pushed!.stderr.includes(secret), "a credential was shown");
        }
        const json = await sb.run("list", ref, "-u", "alice", "-p", "s3cret", "-d", "-o", "json");
        ok(json);
        const kinds = json.stderr.trimEnd().split("\n").map((l) => Object.keys(JSON.parse(l))[0]);
        assert.ok(kinds.includes("debug") && kinds.includes("warning"), json.stderr);
        JSON.parse(json.stdout);
      } finally {
        controller.abort();
        assertEquals((await server).code, 130);
      }
    });
  },
});
