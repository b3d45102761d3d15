/**
 * `deno task release`: six binaries whose headers name their platforms, SHA256SUMS that match,
 * a detached Notary signature per file that `ocisign blob verify` and notation 2's `blob verify`
 * accept, the linux-arm64 binary running a sign/verify loop under qemu-user, and a failed
 * signature step leaving no release directory behind. A release signed with a key in a SoftHSM
 * token (`--key` of a PKCS#11 key) verifies with both tools too. A user with an empty configuration
 * follows the README: checks the root certificate's fingerprint, trusts it, and verifies with
 * ocisign and with notation 2.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";
import { describeRun, ocisign, strictOciPolicy, withTempDir } from "../_helpers/e2e.ts";
import { NO_SOFTHSM, SOFTHSM_MODULE, TOKEN, withSoftHsm } from "../pkcs11/_softhsm.ts";

const REPO_ROOT = new URL("../../", import.meta.url).pathname;
const NOTATION2 = findPeer("notation-2.0.0-alpha.1");
const QEMU = findPeer("qemu-aarch64-static");
const ARM64_SYSROOT = "/usr/aarch64-linux-gnu";

/** Files of a release, and the platform each header must name. */
const BINARIES: Record<string, string> = {
  "ocisign-linux-x64": "elf x86-64 glibc",
  "ocisign-linux-arm64": "elf aarch64 glibc",
  "ocisign-linux-x64-musl": "elf x86-64 musl",
  "ocisign-darwin-x64": "mach-o x86-64",
  "ocisign-darwin-arm64": "mach-o arm64",
  "ocisign-windows-x64.exe": "pe x86-64",
};

/** The platform an executable's header names (ELF, Mach-O or PE), read from its first bytes. */
async function headerPlatform(path: string): Promise<string> {
  const file = await Deno.open(path);
  try {
    const head = new Uint8Array(1 << 16);
    await file.read(head);
    const view = new DataView(head.buffer);
    if (head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) {
      const machine = view.getUint16(0x12, true);
      const arch = machine === 0x3e ? "x86-64" : machine === 0xb7 ? "aarch64" : `0x${machine}`;
      const text = new TextDecoder("latin1").decode(head);
      return `elf ${arch} ${text.includes("ld-musl") ? "musl" : "glibc"}`;
    }
    if (view.getUint32(0, true) === 0xfeedfacf) {
      const cpu = view.getUint32(4, true);
      return `mach-o ${cpu === 0x01000007 ? "x86-64" : cpu === 0x0100000c ? "arm64" : cpu}`;
    }
    if (head[0] === 0x4d && head[1] === 0x5a) {
      const pe = view.getUint32(0x3c, true);
      const machine = view.getUint16(pe + 4, true);
      return `pe ${machine === 0x8664 ? "x86-64" : `0x${machine.toString(16)}`}`;
    }
    return "unknown";
  } finally {
    file.close();
  }
}

async function sha256Hex(path: string): Promise<string> {
  const out = await runPeer("sha256sum", [path]);
  return out.stdout.split(" ")[0]!;
}

function release(dir: string, ...args: string[]) {
  return releaseWith({}, dir, ...args);
}

async function releaseWith(env: Record<string, string>, dir: string, ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${REPO_ROOT}scripts/release.ts`, ...args],
    cwd: REPO_ROOT,
    env: { OCISIGN_CONFIG_DIR: `${dir}/config`, NO_COLOR: "1", ...env },
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/** A blob trust policy that trusts the test CA `store` for every blob. */
function blobPolicy(store: string): string {
  return JSON.stringify({
    version: "1.0",
    trustPolicies: [{
      name: "releases",
      signatureVerification: { level: "strict" },
      trustStores: [`ca:${store}`],
      trustedIdentities: ["*"],
      globalPolicy: true,
    }],
  });
}

/** Runs notation 2's `blob verify` of `file` with its `.jws.sig`, on the config in `dir/config`. */
async function notationBlobVerify(dir: string, file: string) {
  // notation reads $XDG_CONFIG_HOME/notation: the same directory, laid out alike.
  await Deno.mkdir(`${dir}/xdg`, { recursive: true });
  await Deno.symlink(`${dir}/config`, `${dir}/xdg/notation`).catch((err) => {
    if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
  });
  return runPeer(NOTATION2!, ["blob", "verify", "--signature", `${file}.jws.sig`, file], {
    env: { XDG_CONFIG_HOME: `${dir}/xdg`, HOME: dir },
  });
}

Deno.test({
  name: "deno task release: six platforms, SHA256SUMS, signatures notation 2 verifies, arm64 runs",
  sanitizeResources: false,
  async fn(t) {
    await withTempDir("ocisign-release-", async (dir) => {
      const where = { cwd: dir, configDir: `${dir}/config` };
      const cert = await ocisign(where, "cert", "generate-test", "release.example", "--default");
      assertEquals(cert.code, 0, describeRun(cert));
      await Deno.writeTextFile(
        `${dir}/config/trustpolicy.blob.json`,
        blobPolicy("release.example"),
      );

      const built = await release(dir, "--out", `${dir}/release`);
      assertEquals(built.code, 0, describeRun(built));
      const names = [...Object.keys(BINARIES), "SHA256SUMS"];
      const listed = [];
      for await (const e of Deno.readDir(`${dir}/release`)) listed.push(e.name);
      assertEquals(listed.sort(), releaseFiles(names));
      await verifyAsNewUser(t, dir, built.stdout, names);

      await t.step("each header names its platform", async () => {
        for (const [file, platform] of Object.entries(BINARIES)) {
          assertEquals(await headerPlatform(`${dir}/release/${file}`), platform, file);
        }
      });

      await t.step("SHA256SUMS matches every binary", async () => {
        const sums = await Deno.readTextFile(`${dir}/release/SHA256SUMS`);
        const lines = sums.trimEnd().split("\n");
        assertEquals(lines.length, Object.keys(BINARIES).length);
        for (const line of lines) {
          const [hex, file] = line.split("  ");
          assertEquals(await sha256Hex(`${dir}/release/${file}`), hex, file);
        }
      });

      await t.step(
        "ocisign blob verify accepts every signature and refuses a changed file",
        async () => {
          for (const name of names) {
            const ok = await ocisign(
              where,
              "blob",
              "verify",
              "--signature",
              `${dir}/release/${name}.jws.sig`,
              `${dir}/release/${name}`,
            );
            assertEquals(ok.code, 0, `${name}: ${describeRun(ok)}`);
          }
          await Deno.copyFile(`${dir}/release/SHA256SUMS`, `${dir}/SHA256SUMS`);
          await Deno.writeTextFile(`${dir}/SHA256SUMS`, "00  evil\n", { append: true });
          const bad = await ocisign(
            where,
            "blob",
            "verify",
            "--signature",
            `${dir}/release/SHA256SUMS.jws.sig`,
            `${dir}/SHA256SUMS`,
          );
          assertEquals(bad.code, 3, describeRun(bad));
        },
      );

      await t.step({
        name: "notation 2.0.0-alpha.1 blob verify accepts every signature",
        ignore: NOTATION2 === undefined,
        fn: async () => {
          for (const name of names) {
            const r = await notationBlobVerify(dir, `${dir}/release/${name}`);
            assertEquals(r.code, 0, `${name}: ${describeRun(r)}`);
          }
        },
      });

      await t.step({
        name: "the linux-arm64 binary builds, signs and verifies a layout under qemu-user",
        ignore: QEMU === undefined,
        fn: async () => {
          const arm = (...args: string[]) =>
            runPeer(QEMU!, ["-L", ARM64_SYSROOT, `${dir}/release/ocisign-linux-arm64`, ...args], {
              cwd: dir,
              env: { OCISIGN_CONFIG_DIR: `${dir}/config` },
            });
          const version = await arm("--version");
          assertEquals(version.code, 0, describeRun(version));
          assert.match(version.stdout, /^ocisign \d+\.\d+\.\d+/);
          await Deno.mkdir(`${dir}/ctx`);
          await Deno.writeTextFile(`${dir}/ctx/a.txt`, "arm64\n");
          await Deno.writeTextFile(`${dir}/ctx/Dockerfile`, "FROM scratch\nCOPY a.txt /\n");
          await Deno.writeTextFile(
            `${dir}/config/trustpolicy.oci.json`,
            strictOciPolicy("release.example"),
          );
          for (
            const args of [
              ["build", "-t", "arm:v1", "-o", "./arm", "ctx"],
              ["sign", "--oci-layout", "./arm:v1"],
              ["verify", "--oci-layout", "./arm:v1", "--scope", "local/arm"],
            ]
          ) {
            const r = await arm(...args);
            assertEquals(r.code, 0, `${args.join(" ")}: ${describeRun(r)}`);
          }
        },
      });
    });
  },
});

/** The file names a release holds beside its binaries: each signed, and the trust anchor. */
function releaseFiles(names: string[]): string[] {
  return [...names, ...names.map((n) => `${n}.jws.sig`), "ocisign-release-root.crt"].sort();
}

/**
 * A user who downloaded `release` and has nothing configured follows the README: compares the
 * root certificate's fingerprint (openssl) with the one the release printed for its notes,
 * `sha256sum -c`, trusts the root, writes a blob policy naming the printed subject, and verifies
 * every file with ocisign and with notation 2 (each in its own empty configuration directory).
 */
async function verifyAsNewUser(
  t: Deno.TestContext,
  dir: string,
  releaseStdout: string,
  names: string[],
): Promise<void> {
  const release = `${dir}/release`;
  const fingerprint = releaseStdout.match(/root certificate SHA-256 fingerprint: ([0-9a-f]{64})/);
  const subject = releaseStdout.match(/signing certificate subject: (.+)/);
  assert(fingerprint && subject, releaseStdout);
  const openssl = await runPeer("openssl", [
    "x509",
    "-noout",
    "-fingerprint",
    "-sha256",
    "-in",
    `${release}/ocisign-release-root.crt`,
  ]);
  assertEquals(openssl.code, 0, describeRun(openssl));
  assertEquals(
    openssl.stdout.split("=")[1]!.trim().replaceAll(":", "").toLowerCase(),
    fingerprint[1],
  );
  const sums = await runPeer("sha256sum", ["--ignore-missing", "-c", "SHA256SUMS"], {
    cwd: release,
  });
  assertEquals(sums.code, 0, describeRun(sums));

  const steps = [
    ["cert", "add", "--type", "ca", "--store", "ocisign-releases", "ocisign-release-root.crt"],
    [
      "blob",
      "policy",
      "init",
      "--name",
      "ocisign-releases",
      "--trust-store",
      "ca:ocisign-releases",
      "--trusted-identity",
      `x509.subject: ${subject[1]}`,
      "--global",
    ],
    ...names.map((n) => ["blob", "verify", "--signature", `${n}.jws.sig`, n]),
  ];
  await t.step("a new user trusts the root and verifies with ocisign", async () => {
    const where = { cwd: release, configDir: `${dir}/new-user-ocisign` };
    for (const args of steps) {
      const r = await ocisign(where, ...args);
      assertEquals(r.code, 0, `${args.join(" ")}: ${describeRun(r)}`);
    }
  });
  await t.step({
    name: "a new user trusts the root and verifies with notation 2.0.0-alpha.1",
    ignore: NOTATION2 === undefined,
    fn: async () => {
      for (const args of steps) {
        const r = await runPeer(NOTATION2!, args, {
          cwd: release,
          env: { XDG_CONFIG_HOME: `${dir}/new-user-notation`, HOME: `${dir}/new-user-notation` },
        });
        assertEquals(r.code, 0, `${args.join(" ")}: ${describeRun(r)}`);
      }
    },
  });
}

Deno.test({
  name: "deno task release: a failed signature step or a bad target leaves no release directory",
  sanitizeResources: false,
  async fn() {
    await withTempDir("ocisign-release-fail-", async (dir) => {
      const badKey = await release(
        dir,
        "--targets",
        "linux-x64",
        "--key",
        "nope",
        "--out",
        `${dir}/r`,
      );
      assertEquals(badKey.code, 1, describeRun(badKey));
      assert.match(badKey.stderr, /nothing was written/);
      const badTarget = await release(dir, "--targets", "plan9-mips", "--out", `${dir}/r`);
      assertEquals(badTarget.code, 2, describeRun(badTarget));
      assert.match(badTarget.stderr, /unsupported target plan9-mips/);
      const left = [];
      for await (const e of Deno.readDir(dir)) left.push(e.name);
      assertEquals(left, [], "nothing may be left beside --out");
    });
  },
});

Deno.test({
  name: "deno task release --key NAME of a PKCS#11 token key: ocisign and notation 2 verify",
  ignore: NO_SOFTHSM !== false,
  sanitizeResources: false,
  fn: (t) =>
    withSoftHsm(async (hsm) => {
      await hsm.keypair("release", "01", "EC:prime256v1");
      const dir = hsm.dir;
      const env = { ...hsm.env, OCISIGN_PKCS11_PIN: TOKEN.pin };
      const cli = (...args: string[]) =>
        runPeer(Deno.execPath(), ["run", "-A", `${REPO_ROOT}cli.ts`, ...args], {
          cwd: dir,
          env: { ...env, OCISIGN_CONFIG_DIR: `${dir}/config`, NO_COLOR: "1" },
        });
      const uri = `pkcs11:token=${TOKEN.label};object=release`;
      const cert = await cli(
        "cert",
        "generate-test",
        "hsm.example",
        "--pkcs11",
        uri,
        "--pkcs11-module",
        SOFTHSM_MODULE!,
      );
      assertEquals(cert.code, 0, describeRun(cert));
      assert.match(cert.stdout, /PKCS#11 token/);
      await Deno.writeTextFile(`${dir}/config/trustpolicy.blob.json`, blobPolicy("hsm.example"));

      const built = await releaseWith(
        env,
        dir,
        "--targets",
        "linux-x64",
        "--key",
        "hsm.example",
        "--out",
        `${dir}/release`,
      );
      assertEquals(built.code, 0, describeRun(built));
      const names = ["ocisign-linux-x64", "SHA256SUMS"];
      const listed = [];
      for await (const e of Deno.readDir(`${dir}/release`)) listed.push(e.name);
      assertEquals(listed.sort(), releaseFiles(names));
      await verifyAsNewUser(t, dir, built.stdout, names);

      await t.step(
        "ocisign blob verify accepts both signatures and refuses a changed file",
        async () => {
          for (const name of names) {
            const file = `${dir}/release/${name}`;
            const ok = await cli("blob", "verify", "--signature", `${file}.jws.sig`, file);
            assertEquals(ok.code, 0, `${name}: ${describeRun(ok)}`);
            // Signed by the token key: its certificate is the one generate-test made.
            const inspected = await cli("blob", "inspect", `${file}.jws.sig`);
            assertEquals(inspected.code, 0, describeRun(inspected));
            assert.match(inspected.stdout, /CN=hsm\.example/);
          }
          await Deno.copyFile(`${dir}/release/SHA256SUMS`, `${dir}/SHA256SUMS`);
          await Deno.writeTextFile(`${dir}/SHA256SUMS`, "00  evil\n", { append: true });
          const bad = await cli(
            "blob",
            "verify",
            "--signature",
            `${dir}/release/SHA256SUMS.jws.sig`,
            `${dir}/SHA256SUMS`,
          );
          assertEquals(bad.code, 3, describeRun(bad));
        },
      );

      await t.step({
        name: "notation 2.0.0-alpha.1 blob verify accepts both signatures",
        ignore: NOTATION2 === undefined,
        fn: async () => {
          for (const name of names) {
            const r = await notationBlobVerify(dir, `${dir}/release/${name}`);
            assertEquals(r.code, 0, `${name}: ${describeRun(r)}`);
          }
        },
      });
    }, { inProcess: false }),
});
