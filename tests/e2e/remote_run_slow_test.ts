/**
 * `deno run <url>/cli.ts` as a new user pastes it: the repository served over loopback HTTP the
 * way a raw-file host serves it (every file `text/plain`), a fresh `DENO_DIR`, an empty working
 * directory with no deno.json, and only the `--allow-*` flags the README's one-liner names. The
 * runs build an image, make a test key, sign and verify the layout, copy it through a registry
 * (with the hashing Web Worker loaded from the URL, or, when the host lacks it, hashing on the
 * main thread), serve a registry, sign and verify a layout tar and a blob, sign with a key in a
 * SoftHSM token (`--allow-ffi`), and a run without a needed permission says which flag is missing. Heavy (every module and package loaded into an
 * empty cache), so it runs with `deno task test:slow`.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { describeRun, strictOciPolicy, withTempDir } from "../_helpers/e2e.ts";
import type { PeerResult } from "../_helpers/peers.ts";
import { serveRegistry } from "../server/_fixture.ts";
import { startServeProcess } from "../server/_serve_process.ts";
import { NO_SOFTHSM, SOFTHSM_MODULE, TOKEN, withSoftHsm } from "../pkcs11/_softhsm.ts";

const REPO_ROOT = new URL("../../", import.meta.url).pathname;
/** The permissions of the README's one-liner. */
const PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-net",
  "--allow-sys=hostname",
];

function randomBytes(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let off = 0; off < size; off += 65536) {
    crypto.getRandomValues(out.subarray(off, off + 65536));
  }
  return out;
}

/** The hashing Web Worker's module, as the host sees its path. */
const WORKER_MODULE = "/lib/runtime/_hash_web_worker.ts";

/**
 * Serves the checkout as a plain file host does: every file as text/plain, no index pages.
 * `requested` lists the paths asked for; a path in `missing` is answered 404, as a host that
 * lost the file (or a cache without it, offline) would.
 */
function serveCheckoutAsPlainText(missing: string[] = []): {
  url: string;
  requested: string[];
  close(): Promise<void>;
} {
  const ac = new AbortController();
  const requested: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
    async (req) => {
      const path = decodeURIComponent(new URL(req.url).pathname);
      requested.push(path);
      if (path.includes("..")) return new Response("bad path", { status: 400 });
      if (missing.includes(path)) return new Response("not found", { status: 404 });
      try {
        const body = await Deno.readFile(REPO_ROOT + path.slice(1));
        return new Response(body, { headers: { "content-type": "text/plain; charset=utf-8" } });
      } catch {
        return new Response("not found", { status: 404 });
      }
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    requested,
    close: async () => {
      ac.abort();
      await server.finished;
    },
  };
}

/** A new user's environment in `dir`: the machine's settings, nothing of ocisign's or Deno's. */
function userEnv(dir: string): Record<string, string> {
  return {
    // The machine's own settings (PATH, proxies, CA bundles), but nothing of ocisign's or Deno's.
    ...Object.fromEntries(
      Object.entries(Deno.env.toObject()).filter(([name]) =>
        !name.startsWith("OCISIGN_") && !name.startsWith("DENO_") && name !== "HOME"
      ),
    ),
    HOME: dir,
    DENO_DIR: `${dir}/deno-dir`,
    OCISIGN_CONFIG_DIR: `${dir}/config`,
    // Hashing threads however many cores (by default only above two).
    OCISIGN_HASH_THREADS: "1",
    NO_COLOR: "1",
  };
}

async function denoRun(
  dir: string,
  permissions: string[],
  url: string,
  ...args: string[]
): Promise<PeerResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...permissions, `${url}/cli.ts`, ...args],
    cwd: `${dir}/work`,
    clearEnv: true,
    env: userEnv(dir),
    stdin: "null",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

for (const workerHosted of [true, false]) {
  Deno.test({
    name:
      "deno run <url>/cli.ts: build, cert generate-test, sign and verify from a plain file host" +
      (workerHosted ? "" : ", which lacks the hashing worker's module"),
    sanitizeResources: false,
    fn: () => buildSignVerifyCopy(workerHosted),
  });
}

async function buildSignVerifyCopy(workerHosted: boolean): Promise<void> {
  const host = serveCheckoutAsPlainText(workerHosted ? [] : [WORKER_MODULE]);
  try {
    await withTempDir("ocisign-remote-", async (dir) => {
      await Deno.mkdir(`${dir}/work/ctx`, { recursive: true });
      await Deno.writeTextFile(`${dir}/work/ctx/hello.txt`, "hello\n");
      await Deno.writeTextFile(`${dir}/work/ctx/Dockerfile`, "FROM scratch\nCOPY hello.txt /\n");
      const run = (...args: string[]) => denoRun(dir, PERMISSIONS, host.url, ...args);

      const version = await run("--version");
      assertEquals(version.code, 0, describeRun(version));
      assert.match(version.stdout, /^ocisign \d+\.\d+\.\d+/);

      const built = await run("build", "-t", "hello:v1", "-o", "./hello", "ctx");
      assertEquals(built.code, 0, describeRun(built));
      const cert = await run("cert", "generate-test", "remote.example", "--default");
      assertEquals(cert.code, 0, describeRun(cert));
      await Deno.writeTextFile(
        `${dir}/config/trustpolicy.oci.json`,
        strictOciPolicy("remote.example"),
      );
      const signed = await run("sign", "--oci-layout", "./hello:v1");
      assertEquals(signed.code, 0, describeRun(signed));
      const verified = await run(
        "verify",
        "--oci-layout",
        "./hello:v1",
        "--scope",
        "local/hello",
      );
      assertEquals(verified.code, 0, describeRun(verified));
      assert.match(verified.stdout, /Successfully verified signature for \.\/hello@sha256:/);

      // Layers large enough for a hashing thread, asked for below: run from a URL, the Web
      // Worker's module is loaded from the URL too. Until it has loaded (for good when the host
      // lacks it), the copy hashes on the main thread and still works.
      await Deno.mkdir(`${dir}/work/big`);
      for (const n of [1, 2, 3]) {
        await Deno.writeFile(`${dir}/work/big/random${n}.bin`, randomBytes(3 * 1024 * 1024));
      }
      await Deno.writeTextFile(
        `${dir}/work/big/Dockerfile`,
        "FROM scratch\nCOPY random1.bin /\nCOPY random2.bin /\nCOPY random3.bin /\n",
      );
      const bigBuilt = await run("build", "-t", "big:v1", "-o", "./big", "big");
      assertEquals(bigBuilt.code, 0, describeRun(bigBuilt));
      const copied = await run(
        "cp",
        "--from-oci-layout",
        "./big:v1",
        "--to-oci-layout",
        "./copy:v1",
      );
      assertEquals(copied.code, 0, describeRun(copied));
      assert.match(copied.stdout, /Digest: sha256:/, describeRun(copied));

      // A pull from a registry into a layout: the runtime writes each blob to a file, which a
      // hashing thread (or this one, while it has none) reads back against its digest.
      const reg = await serveRegistry();
      try {
        const ref = `${reg.address}/big:v1`;
        const pushed = await run("cp", "--from-oci-layout", "./big:v1", "--to-plain-http", ref);
        assertEquals(pushed.code, 0, describeRun(pushed));
        const pulled = await run(
          "cp",
          "--from-plain-http",
          ref,
          "--to-oci-layout",
          "./pulled:v1",
        );
        assertEquals(pulled.code, 0, describeRun(pulled));
        const blobs = async (layout: string) =>
          (await Array.fromAsync(Deno.readDir(`${dir}/work/${layout}/blobs/sha256`)))
            .map((e) => e.name).sort();
        const names = await blobs("big");
        assertEquals(await blobs("pulled"), names);
        for (const name of names) {
          assertEquals(
            await Deno.readFile(`${dir}/work/pulled/blobs/sha256/${name}`),
            await Deno.readFile(`${dir}/work/big/blobs/sha256/${name}`),
          );
        }
      } finally {
        await reg.close();
      }

      // Without --allow-write: a clear message naming the flag, not a runtime stack trace.
      const denied = await denoRun(
        dir,
        ["--allow-read", "--allow-env", "--allow-net", "--allow-sys=hostname"],
        host.url,
        "sign",
        "--oci-layout",
        "./hello:v1",
      );
      assert.notEqual(denied.code, 0, describeRun(denied));
      assert.match(denied.stderr, /--allow-write/, describeRun(denied));
      assert.doesNotMatch(denied.stderr, /\n\s+at /, describeRun(denied));
      // The hashing thread's module came from the URL, or was asked for there in vain.
      assert(host.requested.includes(WORKER_MODULE), host.requested.join("\n"));
    });
  } finally {
    await host.close();
  }
}

Deno.test({
  name:
    "deno run <url>/cli.ts: serve, cp -r to and from it, verify there, a layout tar signed and verified, blob sign and verify",
  sanitizeResources: false,
  async fn() {
    const host = serveCheckoutAsPlainText();
    try {
      await withTempDir("ocisign-remote-journey-", async (dir) => {
        await Deno.mkdir(`${dir}/work/ctx`, { recursive: true });
        await Deno.mkdir(`${dir}/work/registry`);
        await Deno.writeFile(`${dir}/work/ctx/data.bin`, randomBytes(2 * 1024 * 1024));
        await Deno.writeTextFile(`${dir}/work/ctx/Dockerfile`, "FROM scratch\nCOPY data.bin /\n");
        const run = (...args: string[]) => denoRun(dir, PERMISSIONS, host.url, ...args);
        const ok = async (...args: string[]) => {
          const r = await run(...args);
          assertEquals(r.code, 0, `${args.join(" ")}: ${describeRun(r)}`);
          return r;
        };

        await ok("cert", "generate-test", "remote.example", "--default");
        await Deno.writeTextFile(
          `${dir}/config/trustpolicy.oci.json`,
          strictOciPolicy("remote.example"),
        );

        // A layout tar: built, signed inside the tar, verified (deep by default).
        await ok("build", "-t", "app:v1", "-o", "./app.tar", "ctx");
        await ok("sign", "--oci-layout", "./app.tar:v1");
        const tarVerified = await ok(
          "verify",
          "--oci-layout",
          "./app.tar:v1",
          "--scope",
          "local/app",
        );
        assert.match(tarVerified.stdout, /Successfully verified signature/);

        // serve, itself run from the URL; the image and its signature go there and come back.
        const server = await startServeProcess({
          name: "argv",
          argv: [Deno.execPath(), "run", "--quiet", ...PERMISSIONS, `${host.url}/cli.ts`],
          env: userEnv(dir),
          cwd: `${dir}/work`,
        }, ["./registry", "--addr", "127.0.0.1:0"]);
        try {
          const ref = `${server.host}/app:v1`;
          await ok("cp", "-r", "--from-oci-layout", "./app.tar:v1", "--to-plain-http", ref);
          const listed = await ok("list", "--plain-http", ref);
          assert.match(listed.stdout, /application\/vnd\.cncf\.notary\.signature/);
          await ok("verify", "--plain-http", ref);
          await ok("cp", "-r", "--from-plain-http", ref, "--to-oci-layout", "./pulled:v1");
          await ok("verify", "--oci-layout", "./pulled:v1", "--scope", "local/app");
        } finally {
          await server.stop();
        }

        // A detached signature of a file, and a changed file refused.
        await ok(
          "blob",
          "policy",
          "init",
          "--name",
          "files",
          "--trust-store",
          "ca:remote.example",
          "--trusted-identity",
          "*",
          "--global",
        );
        await ok("blob", "sign", "ctx/data.bin");
        await ok("blob", "verify", "--signature", "ctx/data.bin.jws.sig", "ctx/data.bin");
        await Deno.writeTextFile(`${dir}/work/ctx/data.bin`, "changed", { append: true });
        const changed = await run(
          "blob",
          "verify",
          "--signature",
          "ctx/data.bin.jws.sig",
          "ctx/data.bin",
        );
        assertEquals(changed.code, 3, describeRun(changed));
      });
    } finally {
      await host.close();
    }
  },
});

Deno.test({
  name:
    "deno run <url>/cli.ts --allow-ffi signs with a PKCS#11 token key; without it, names the flag",
  ignore: NO_SOFTHSM !== false,
  sanitizeResources: false,
  fn: () =>
    withSoftHsm(async (hsm) => {
      await hsm.keypair("release", "01", "EC:prime256v1");
      const host = serveCheckoutAsPlainText();
      try {
        const dir = hsm.dir;
        await Deno.mkdir(`${dir}/work/ctx`, { recursive: true });
        await Deno.writeTextFile(`${dir}/work/ctx/hello.txt`, "hello\n");
        await Deno.writeTextFile(`${dir}/work/ctx/Dockerfile`, "FROM scratch\nCOPY hello.txt /\n");
        const token = {
          ...hsm.env,
          OCISIGN_PKCS11_MODULE: SOFTHSM_MODULE!,
          OCISIGN_PKCS11_PIN: TOKEN.pin,
        };
        const run = async (permissions: string[], ...args: string[]) => {
          const out = await new Deno.Command(Deno.execPath(), {
            args: ["run", "--quiet", ...permissions, `${host.url}/cli.ts`, ...args],
            cwd: `${dir}/work`,
            clearEnv: true,
            env: { ...userEnv(dir), ...token },
            stdin: "null",
          }).output();
          const decode = (b: Uint8Array) => new TextDecoder().decode(b);
          return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
        };
        const withFfi = [...PERMISSIONS, "--allow-ffi"];
        const built = await run(PERMISSIONS, "build", "-t", "hello:v1", "-o", "./hello", "ctx");
        assertEquals(built.code, 0, describeRun(built));
        const uri = `pkcs11:token=${TOKEN.label};object=release`;

        const denied = await run(PERMISSIONS, "cert", "generate-test", "hsm", "--pkcs11", uri);
        assertEquals(denied.code, 2, describeRun(denied));
        assert.match(denied.stderr, /Run again with --allow-ffi/, describeRun(denied));
        assert.match(denied.stderr, /needs: [^)]*--allow-ffi\)/, describeRun(denied));
        assert.doesNotMatch(denied.stderr, /\n\s+at /, describeRun(denied));

        const cert = await run(
          withFfi,
          "cert",
          "generate-test",
          "hsm",
          "--default",
          "--pkcs11",
          uri,
        );
        assertEquals(cert.code, 0, describeRun(cert));
        await Deno.writeTextFile(
          `${dir}/config/trustpolicy.oci.json`,
          strictOciPolicy("hsm", ["local/hello"]),
        );
        const signed = await run(withFfi, "sign", "--oci-layout", "./hello:v1");
        assertEquals(signed.code, 0, describeRun(signed));
        const verified = await run(
          PERMISSIONS,
          "verify",
          "--oci-layout",
          "./hello:v1",
          "--scope",
          "local/hello",
        );
        assertEquals(verified.code, 0, describeRun(verified));
        for (const r of [denied, cert, signed, verified]) {
          assert(!r.stdout.includes(TOKEN.pin) && !r.stderr.includes(TOKEN.pin), describeRun(r));
        }
      } finally {
        await host.close();
      }
    }, { inProcess: false }),
});
