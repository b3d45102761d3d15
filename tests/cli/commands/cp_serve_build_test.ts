import { assert } from "../../_helpers/assert.ts";
import bcrypt from "bcryptjs";
import { findPeer, runPeer } from "../../_helpers/peers.ts";
import { freePort } from "../../_helpers/distribution.ts";
import { makeServerCertificate } from "../../_helpers/tls.ts";
import type { CliSandbox } from "../../_helpers/cli.ts";
import { ok, withSigningSandbox } from "./_fixture.ts";

const OPENSSL = findPeer("openssl");
/** An htpasswd file line, as `htpasswd -Bbn` writes it (bcrypt, low cost for speed). */
const htpasswdLine = (user: string, password: string) =>
  `${user}:${bcrypt.hashSync(password, 4)}\n`;

Deno.test("cp -r copies an image with its signatures between layouts, with several tags", async () => {
  await withSigningSandbox(async (sb) => {
    ok(await sb.run("sign", "--oci-layout", "./img:v1"));
    const copied = ok(
      await sb.run(
        "cp",
        "-r",
        "--from-oci-layout",
        "./img:v1",
        "--to-oci-layout",
        "./copy:v1,stable",
      ),
    );
    assert.match(
      copied.stdout,
      /^Copied \[oci-layout\] \.\/img:v1 => \[oci-layout\] \.\/copy:v1,stable\nTagged stable\nDigest: sha256:[0-9a-f]{64}\n$/,
    );
    ok(await sb.run("verify", "--oci-layout", "./copy:stable", "--scope", "local/hello-world"));
    const plain = ok(
      await sb.run(
        "cp",
        "--from-oci-layout",
        "./img:v1",
        "--to-oci-layout",
        "./plain:v1",
        "-o",
        "json",
      ),
    );
    assert.equal(JSON.parse(plain.stdout).tags[0], "v1");
    const unsigned = await sb.run(
      "verify",
      "--oci-layout",
      "./plain:v1",
      "--scope",
      "local/hello-world",
    );
    assert.equal(unsigned.code, 3, "without -r the signature is not copied");
  });
});

Deno.test("build is reproducible, writes tars, and refuses RUN with the line", async (t) => {
  await withSigningSandbox(async (sb) => {
    const a = ok(await sb.run("build", "-t", "app:v1", "-o", "./a", "./ctx", "--format", "json"));
    const b = ok(
      await sb.run("build", "-t", "app:v1", "-o", "./b.tar", "./ctx", "--format", "json"),
    );
    assert.equal(JSON.parse(a.stdout).descriptor.digest, JSON.parse(b.stdout).descriptor.digest);
    ok(await sb.run("sign", "--oci-layout", "./b.tar:v1"));
    ok(await sb.run("verify", "--oci-layout", "./b.tar:v1", "--scope", "local/hello-world"));
    const skopeo = findPeer("skopeo");
    await t.step({
      name: "skopeo inspects the built tar",
      ignore: skopeo === undefined,
      fn: async () => {
        const inspected = await runPeer(skopeo!, ["inspect", `oci-archive:${sb.cwd}/b.tar:v1`]);
        assert.equal(inspected.code, 0, inspected.stderr);
      },
    });
    await Deno.writeTextFile(
      `${sb.cwd}/ctx/Dockerfile`,
      "FROM scratch\nCOPY hello.txt /\nRUN echo no\n",
    );
    const run = await sb.run("build", "-o", "./c", "./ctx");
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /line 3/);
    assert.match(run.stderr, /RUN/);
  });
});

Deno.test("serve: push with cp -r, list and verify through the referrers API; read-only and htpasswd", async () => {
  await withSigningSandbox(async (sb) => {
    ok(await sb.run("sign", "--oci-layout", "./img:v1"));
    const port = freePort();
    const registry = `localhost:${port}`;
    const server = serveInProcess(sb, ["--addr", `127.0.0.1:${port}`]);
    await waitForRegistry(port);
    try {
      ok(await sb.run("cp", "-r", "--from-oci-layout", "./img:v1", `${registry}/hello-world:v1`));
      const list = ok(await sb.run("list", `${registry}/hello-world:v1`));
      assert.match(list.stdout, /└── sha256:/);
      await Deno.writeTextFile(
        `${sb.cwd}/policy.json`,
        JSON.stringify({
          version: "1.0",
          trustPolicies: [{
            name: "p",
            registryScopes: [`${registry}/hello-world`],
            signatureVerification: { level: "strict" },
            trustStores: ["ca:wabbit-networks.io"],
            trustedIdentities: ["*"],
          }],
        }),
      );
      ok(await sb.run("policy", "import", "./policy.json", "--force"));
      ok(await sb.run("verify", `${registry}/hello-world:v1`));
      // The repository is itself an OCI layout.
      ok(
        await sb.run(
          "verify",
          "--oci-layout",
          "./registry/hello-world:v1",
          "--scope",
          `${registry}/hello-world`,
        ),
      );
    } finally {
      await server.stop();
    }

    const roPort = freePort();
    const ro = serveInProcess(sb, ["--addr", `127.0.0.1:${roPort}`, "--read-only"]);
    await waitForRegistry(roPort);
    try {
      const refused = await sb.run(
        "cp",
        "--from-oci-layout",
        "./img:v1",
        `localhost:${roPort}/other:v1`,
      );
      assert.notEqual(refused.code, 0);
      ok(await sb.run("list", `localhost:${roPort}/hello-world:v1`));
    } finally {
      await ro.stop();
    }

    await Deno.writeTextFile(`${sb.cwd}/htpasswd`, htpasswdLine("alice", "s3cret"));
    const authPort = freePort();
    const auth = serveInProcess(sb, [
      "--addr",
      `127.0.0.1:${authPort}`,
      "--htpasswd",
      "./htpasswd",
    ]);
    await waitForRegistry(authPort);
    try {
      const denied = await sb.run("list", `localhost:${authPort}/hello-world:v1`);
      assert.equal(denied.code, 6, denied.stderr);
      assert.ok(!denied.stderr.includes("s3cret"));
      const allowed = await sb.runWith(
        { env: { OCISIGN_USERNAME: "alice", OCISIGN_PASSWORD: "s3cret" } },
        "list",
        `localhost:${authPort}/hello-world:v1`,
      );
      ok(allowed);
      const wrong = await sb.runWith(
        { env: { OCISIGN_USERNAME: "alice", OCISIGN_PASSWORD: "wrong-password" } },
        "list",
        `localhost:${authPort}/hello-world:v1`,
      );
      assert.equal(wrong.code, 6);
      assert.ok(!wrong.stderr.includes("wrong-password"), "the password must not appear in errors");
    } finally {
      await auth.stop();
    }
  });
});

function serveInProcess(sb: CliSandbox, args: string[]): { stop: () => Promise<void> } {
  const controller = new AbortController();
  const done = sb.runWith(
    { signal: controller.signal },
    "serve",
    "--create",
    ...args,
    "./registry",
  );
  return {
    stop: async () => {
      controller.abort();
      const r = await done;
      // interrupted, as Ctrl-C is
      assert.equal(r.code, 130, r.stderr);
    },
  };
}

async function waitForRegistry(port: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v2/`);
      await res.body?.cancel();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  throw new Error(`the registry on port ${port} did not start`);
}

Deno.test({
  name: "serve --tls-cert/--tls-key, and cp/list with --ca-file trust it",
  ignore: OPENSSL === undefined,
}, async () => {
  await withSigningSandbox(async (sb) => {
    const files = await makeServerCertificate(OPENSSL!, sb.cwd);
    const port = freePort();
    const server = serveInProcess(sb, [
      "--addr",
      `127.0.0.1:${port}`,
      "--tls-cert",
      files.certPath,
      "--tls-key",
      files.keyPath,
    ]);
    try {
      const registry = `127.0.0.1:${port}`;
      let pushed;
      for (let i = 0; i < 300; i++) {
        pushed = await sb.run(
          "cp",
          "-r",
          "--from-oci-layout",
          "./img:v1",
          `${registry}/app:v1`,
          "--ca-file",
          files.caPath,
        );
        if (pushed.code !== 7) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      ok(pushed!);
      const untrusted = await sb.run("list", `${registry}/app:v1`);
      assert.equal(untrusted.code, 7, untrusted.stderr);
      // the error names the flag that fixes it, without the runtime's own wording
      assert.match(
        untrusted.stderr,
        /TLS certificate is not trusted: pass its CA certificate with --ca-file/,
      );
      assert.ok(!/client error|rustls|os error/.test(untrusted.stderr), untrusted.stderr);
      ok(await sb.run("list", `${registry}/app:v1`, "--ca-file", files.caPath));
    } finally {
      await server.stop();
    }
  });
});

Deno.test("login stores credentials as docker does; logout removes them", async () => {
  await withSigningSandbox(async (sb) => {
    await Deno.writeTextFile(`${sb.cwd}/htpasswd`, htpasswdLine("alice", "s3cret"));
    const port = freePort();
    const registry = `localhost:${port}`;
    const server = serveInProcess(sb, ["--addr", `127.0.0.1:${port}`, "--htpasswd", "./htpasswd"]);
    await waitForRegistry(port);
    try {
      const wrong = await sb.runWith(
        { stdin: "nope\n" },
        "login",
        registry,
        "-u",
        "alice",
        "--password-stdin",
      );
      assert.equal(wrong.code, 6, wrong.stderr);
      assert.ok(!wrong.stderr.includes("nope"));
      assert.match(wrong.stderr, /^Error: wrong user name or password for localhost:\d+/);
      // notation's ways: -p with its warning, NOTATION_* variables; its --insecure-registry
      const viaFlag = ok(await sb.run("login", registry, "-u", "alice", "-p", "s3cret"));
      assert.equal(
        viaFlag.stderr,
        "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n",
      );
      const viaEnv = ok(
        await sb.runWith(
          { env: { NOTATION_USERNAME: "alice", NOTATION_PASSWORD: "s3cret" } },
          "login",
          "--insecure-registry",
          registry,
        ),
      );
      assert.equal(viaEnv.stdout, "Login Succeeded\n");
      // --plain-http=false forces HTTPS, even on localhost: this registry speaks HTTP only
      const https = await sb.run(
        "login",
        registry,
        "-u",
        "alice",
        "-p",
        "s3cret",
        "--plain-http=false",
      );
      assert.equal(https.code, 7, https.stderr);
      ok(await sb.run("logout", registry));
      const login = ok(
        await sb.runWith(
          { stdin: "s3cret\n" },
          "login",
          registry,
          "-u",
          "alice",
          "--password-stdin",
        ),
      );
      assert.equal(login.stdout, "Login Succeeded\n");
      const configPath = `${sb.home}/.docker/config.json`;
      const config = JSON.parse(await Deno.readTextFile(configPath));
      assert.equal(atob(config.auths[registry].auth), "alice:s3cret");
      assert.equal((await Deno.stat(configPath)).mode! & 0o777, 0o600);
      ok(await sb.run("cp", "-r", "--from-oci-layout", "./img:v1", `${registry}/app:v1`));
      ok(await sb.run("list", `${registry}/app:v1`));
      const logout = ok(await sb.run("logout", registry));
      assert.equal(logout.stdout, `Removing login credentials for ${registry}\n`);
      const after = await sb.run("list", `${registry}/app:v1`);
      assert.equal(after.code, 6, after.stderr);
      const viaStdin = await sb.runWith(
        { stdin: "s3cret\n" },
        "cp",
        "--from-oci-layout",
        "./img:v1",
        `${registry}/app:v2`,
        "-u",
        "alice",
        "--password-stdin",
      );
      ok(viaStdin);
      // oras's per-side flags: credentials for the destination only
      ok(
        await sb.runWith(
          { stdin: "s3cret\n" },
          "cp",
          "--from-oci-layout",
          "./img:v1",
          `${registry}/app:v3`,
          "--to-username",
          "alice",
          "--to-password-stdin",
        ),
      );
      const wrongSide = await sb.runWith(
        { stdin: "s3cret\n" },
        "cp",
        "--from-oci-layout",
        "./img:v1",
        `${registry}/app:v4`,
        "--from-username",
        "alice",
        "--from-password-stdin",
      );
      assert.equal(wrongSide.code, 6, wrongSide.stderr);
    } finally {
      await server.stop();
    }
  });
});
