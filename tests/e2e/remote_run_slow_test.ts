/**
 * `deno run <url>/cli.ts` as a new user pastes it: the repository served over loopback HTTP the
 * way a raw-file host serves it (every file `text/plain`), a fresh `DENO_DIR`, an empty working
 * directory with no deno.json, and only the `--allow-*` flags the README's one-liner names. The
 * run builds an image, makes a test key, signs and verifies the layout, and a run without a
 * needed permission says which flag is missing. Heavy (every module and package loaded into an
 * empty cache), so it runs with `deno task test:slow`.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { describeRun, withTempDir } from "../_helpers/e2e.ts";
import type { PeerResult } from "../_helpers/peers.ts";
import { serveRegistry } from "../server/_fixture.ts";

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

/** Serves the checkout as a plain file host does: every file as text/plain, no index pages. */
function serveCheckoutAsPlainText(): { url: string; close(): Promise<void> } {
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
    async (req) => {
      const path = decodeURIComponent(new URL(req.url).pathname);
      if (path.includes("..")) return new Response("bad path", { status: 400 });
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
    close: async () => {
      ac.abort();
      await server.finished;
    },
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
    env: {
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
    },
    stdin: "null",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

Deno.test({
  name: "deno run <url>/cli.ts: build, cert generate-test, sign and verify from a plain file host",
  sanitizeResources: false,
  async fn() {
    const host = serveCheckoutAsPlainText();
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
          JSON.stringify({
            version: "1.0",
            trustPolicies: [{
              name: "local",
              registryScopes: ["*"],
              signatureVerification: { level: "strict" },
              trustStores: ["ca:remote.example"],
              trustedIdentities: ["*"],
            }],
          }),
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

        // A layer large enough for a hashing thread, asked for below: run from a URL, there is no
        // local worker module, so the copy hashes on the main thread and still works.
        await Deno.mkdir(`${dir}/work/big`);
        await Deno.writeFile(`${dir}/work/big/random.bin`, randomBytes(3 * 1024 * 1024));
        await Deno.writeTextFile(`${dir}/work/big/Dockerfile`, "FROM scratch\nCOPY random.bin /\n");
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

        // A pull from a registry into a layout: the runtime writes each blob to a file, which
        // (with no worker module) this thread reads back against its digest.
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
      });
    } finally {
      await host.close();
    }
  },
});
