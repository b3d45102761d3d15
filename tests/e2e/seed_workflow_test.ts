/**
 * The seed workflow, command for command, with ocisign's CLI: on an OCI layout another tool made
 * (a directory pushed by oras; a tar written by `skopeo copy ... oci-archive:`) or `ocisign build`
 * made, generate a test certificate, write the seed's trust policy, sign, list, verify, copy with
 * signatures to a real `docker-registry`, list and verify there, and copy back (also without a
 * tag, as the seed writes it). Plus the exit codes of the failures, and the same loop with the
 * binary `bun build --compile` makes, run as a subprocess.
 * Needs `oras` and `docker-registry`; the tar test `skopeo` and `umoci`; the binary test `bun`;
 * the build test only `docker-registry`; with `notation-peer` the binary's signatures are also
 * verified by notation.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";
import { startDistribution } from "../_helpers/distribution.ts";
import {
  describeRun,
  NOTARY_SIGNATURE,
  ocisign,
  pushedSignature,
  withTempDir,
} from "../_helpers/e2e.ts";
import type { CliResult } from "../_helpers/cli.ts";
import { bunCompileArgs } from "../_helpers/bun.ts";

const ORAS = findPeer("oras");
const REGISTRY = findPeer("docker-registry");
const SKOPEO = findPeer("skopeo");
const UMOCI = findPeer("umoci");
const BUN = findPeer("bun");
const PEER = findPeer("notation-peer");
const REPO_ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/** The start of notation's warning about a tag reference. */
function tagWarning(verb: string): string {
  return `Warning: Always ${verb} the artifact using digest(@sha256:...) rather than a tag(:v1)`;
}

/** The seed's trust policy, with the registry scope on this test's port. */
function seedTrustPolicy(registryHost: string): string {
  return JSON.stringify(
    {
      version: "1.0",
      trustPolicies: [{
        name: "wabbit-networks-images",
        registryScopes: ["local/hello-world", `${registryHost}/hello-world`],
        signatureVerification: { level: "strict" },
        trustStores: ["ca:wabbit-networks.io"],
        trustedIdentities: ["*"],
      }],
    },
    null,
    2,
  );
}

/** `list` output for one signature, in notation's tree format. */
function tree(ref: string, signature: string): string {
  return `${ref}\n└── ${NOTARY_SIGNATURE}\n    └── ${signature}\n`;
}

/** Something that runs ocisign: in-process, or the compiled binary as a subprocess. */
type Run = (...args: string[]) => Promise<CliResult>;

/** Checks one run's exit code (and output in the message when it differs). */
function ok(r: CliResult, what: string): CliResult {
  assertEquals(r.code, 0, `${what}: ${describeRun(r)}`);
  return r;
}

/**
 * The seed loop on `./<name>` (a layout directory or a `.tar` path in `cwd` tagged v1): sign,
 * list, verify, copy to `<host>/hello-world:v1` with signatures, list and verify there. Returns
 * the signature manifest digest.
 */
async function seedLoop(
  run: Run,
  name: string,
  host: string,
  digest: string,
): Promise<string> {
  const local = `./${name}`;
  const signed = ok(await run("sign", "--oci-layout", `${local}:v1`), "sign");
  const signature = pushedSignature(signed);
  assertEquals(
    signed.stdout,
    `Successfully signed ${local}@${digest}\nPushed the signature to ${local}@${signature}\n`,
  );
  assert.ok(signed.stderr.startsWith(tagWarning("sign")), signed.stderr);

  const listed = ok(await run("list", "--oci-layout", `${local}:v1`), "list");
  assertEquals(listed.stdout, tree(`${local}@${digest}`, signature));

  const verified = ok(
    await run("verify", "--oci-layout", `${local}:v1`, "--scope", "local/hello-world"),
    "verify",
  );
  assertEquals(verified.stdout, `Successfully verified signature for ${local}@${digest}\n`);
  assert.ok(verified.stderr.startsWith(tagWarning("verify")), verified.stderr);

  const remote = `${host}/hello-world`;
  const copied = ok(
    await run("cp", `${local}:v1`, "--from-oci-layout", "-r", `${remote}:v1`),
    "cp to the registry",
  );
  assertEquals(
    copied.stdout,
    `Copied [oci-layout] ${local}:v1 => [registry] ${remote}:v1\nDigest: ${digest}\n`,
  );
  const remoteList = ok(await run("list", `${remote}:v1`), "list in the registry");
  assertEquals(remoteList.stdout, tree(`${remote}@${digest}`, signature));
  const remoteVerify = ok(await run("verify", `${remote}:v1`), "verify in the registry");
  assertEquals(remoteVerify.stdout, `Successfully verified signature for ${remote}@${digest}\n`);
  return signature;
}

/** The common set-up: `cert generate-test ... --default` and `policy import` of the seed policy. */
async function seedSetUp(run: Run, cwd: string, host: string): Promise<void> {
  const generated = ok(
    await run("cert", "generate-test", "wabbit-networks.io", "--default"),
    "cert generate-test",
  );
  assert.match(generated.stdout, /^wabbit-networks\.io: mark as default signing key$/m);
  await Deno.writeTextFile(`${cwd}/trustpolicy.json`, seedTrustPolicy(host));
  ok(await run("policy", "import", "./trustpolicy.json"), "policy import");
}

/**
 * `cp <host>/hello-world:v1 --to-oci-layout <destination> -r`, then list and verify the image in
 * the new layout by digest: the signature came along and verifies.
 */
async function copyBack(
  run: Run,
  host: string,
  destination: string,
  digest: string,
  signature: string,
): Promise<void> {
  const back = ok(
    await run("cp", `${host}/hello-world:v1`, "--to-oci-layout", destination, "-r"),
    "cp back",
  );
  assert.ok(back.stdout.includes(`Digest: ${digest}`), back.stdout);
  const path = destination.replace(/:v1$/, "");
  const listed = ok(await run("list", "--oci-layout", `${path}@${digest}`), "list back");
  assertEquals(listed.stdout, tree(`${path}@${digest}`, signature));
  const verified = ok(
    await run("verify", "--oci-layout", `${path}@${digest}`, "--scope", "local/hello-world"),
    "verify back",
  );
  assertEquals(verified.stdout, `Successfully verified signature for ${path}@${digest}\n`);
  assertEquals(verified.stderr, "");
}

/** Pushes a small artifact with oras into `<cwd>/<name>:v1` and returns its digest. */
async function orasLayout(cwd: string, name: string): Promise<string> {
  await Deno.writeTextFile(`${cwd}/${name}.txt`, `hello from ${name}\n`);
  const pushed = await runPeer(ORAS!, ["push", "--oci-layout", `./${name}:v1`, `${name}.txt`], {
    cwd,
  });
  assertEquals(pushed.code, 0, describeRun(pushed));
  return pushed.stdout.match(/Digest: (sha256:[0-9a-f]{64})/)![1]!;
}

/** What a seed test works in: a registry, a temp dir, its `work/` subdir and ocisign there. */
interface Seed {
  /** `localhost:<port>` of the registry. */
  host: string;
  /** The temp dir; `config/` in it is the config dir. */
  dir: string;
  /** `<dir>/work`: the working (and home) directory of every command. */
  cwd: string;
  /** ocisign in-process in `cwd` with config dir `<dir>/config`. */
  run: Run;
}

/** Starts a registry and a temp working dir, runs `fn`, then stops and removes both. */
async function withSeed(fn: (seed: Seed) => Promise<void>): Promise<void> {
  const registry = await startDistribution();
  try {
    await withTempDir("ocisign-e2e-", async (dir) => {
      const cwd = `${dir}/work`;
      await Deno.mkdir(cwd);
      await fn({
        host: `localhost:${registry.host.split(":")[1]}`,
        dir,
        cwd,
        run: (...args) => ocisign({ cwd, configDir: `${dir}/config` }, ...args),
      });
    });
  } finally {
    await registry.stop();
  }
}

Deno.test({
  name: "seed workflow: sign, list, verify, cp -r to a registry and back, on an oras layout",
  ignore: ORAS === undefined || REGISTRY === undefined,
  fn: () =>
    withSeed(async ({ host, cwd, run }) => {
      const digest = await orasLayout(cwd, "hello-world");
      await seedSetUp(run, cwd, host);
      const signature = await seedLoop(run, "hello-world", host, digest);

      // Back from the registry into a new layout, with the signature, and it verifies.
      await copyBack(run, host, "./back:v1", digest, signature);

      // Exit codes of failures.
      await orasLayout(cwd, "unsigned");
      const unsigned = await run(
        "verify",
        "--oci-layout",
        "./unsigned:v1",
        "--scope",
        "local/hello-world",
      );
      assertEquals(unsigned.code, 3, describeRun(unsigned));
      assert.match(unsigned.stderr, /no signature is associated with/);
      const noPolicy = await run(
        "verify",
        "--oci-layout",
        "./hello-world:v1",
        "--scope",
        "local/other",
      );
      assertEquals(noPolicy.code, 4, describeRun(noPolicy));
      assert.match(noPolicy.stderr, /has no applicable trust policy statement/);
      const unknownTag = await run(
        "verify",
        "--oci-layout",
        "./hello-world:v9",
        "--scope",
        "local/hello-world",
      );
      assertEquals(unknownTag.code, 5, describeRun(unknownTag));
      const unknownRemote = await run("verify", `${host}/hello-world:v9`);
      assertEquals(unknownRemote.code, 5, describeRun(unknownRemote));
      const unsignedRemoteCopy = ok(
        await run("cp", "./unsigned:v1", "--from-oci-layout", `${host}/hello-world:unsigned`),
        "cp unsigned",
      );
      assert.ok(unsignedRemoteCopy.stdout.includes("Digest: sha256:"));
      const unsignedRemote = await run("verify", `${host}/hello-world:unsigned`);
      assertEquals(unsignedRemote.code, 3, describeRun(unsignedRemote));
    }),
});

Deno.test({
  name: "seed workflow, command for command, starting with ocisign build",
  ignore: REGISTRY === undefined,
  fn: () =>
    withSeed(async ({ host, cwd, run }) => {
      await Deno.writeTextFile(
        `${cwd}/Dockerfile`,
        'FROM scratch\nCOPY hello.txt /\nCMD ["/hello"]\n',
      );
      await Deno.writeTextFile(`${cwd}/hello.txt`, "hello, world\n");
      const built = ok(
        await run("build", "-t", "hello-world:v1", "-o", "./hello-world", "."),
        "build",
      );
      const digest = built.stdout.match(/^Digest: (sha256:[0-9a-f]{64})$/m)?.[1];
      assert.ok(digest, describeRun(built));
      await seedSetUp(run, cwd, host);
      await seedLoop(run, "hello-world", host, digest);
      if (SKOPEO !== undefined) {
        const inspected = await runPeer(SKOPEO, ["inspect", "oci:./hello-world:v1"], { cwd });
        assertEquals(inspected.code, 0, describeRun(inspected));
        assertEquals(JSON.parse(inspected.stdout).Digest, digest);
      }
    }),
});

Deno.test({
  name: "seed workflow: cp REF --to-oci-layout ./dir -r without a tag, as the seed spells it",
  ignore: ORAS === undefined || REGISTRY === undefined,
  fn: () =>
    withSeed(async ({ host, cwd, run }) => {
      const digest = await orasLayout(cwd, "hello-world");
      await seedSetUp(run, cwd, host);
      const signature = pushedSignature(
        ok(await run("sign", "--oci-layout", "./hello-world:v1"), "sign"),
      );
      ok(
        await run("cp", "./hello-world:v1", "--from-oci-layout", "-r", `${host}/hello-world:v1`),
        "cp to the registry",
      );
      // oras cp accepts a layout destination without tag or digest (the seed's second command,
      // `cp localhost:5000/hello-world:v1 --to-oci-layout ./hello-world`); so must ocisign.
      await copyBack(run, host, "./back", digest, signature);
    }),
});

Deno.test({
  name: "seed workflow on a layout tar written by skopeo copy oci-archive:",
  ignore: REGISTRY === undefined || SKOPEO === undefined || UMOCI === undefined,
  fn: () =>
    withSeed(async ({ host, cwd, run }) => {
      for (const args of [["init", "--layout", "./umoci"], ["new", "--image", "./umoci:v1"]]) {
        const made = await runPeer(UMOCI!, args, { cwd });
        assertEquals(made.code, 0, describeRun(made));
      }
      const archived = await runPeer(
        SKOPEO!,
        ["copy", "--quiet", "oci:./umoci:v1", "oci-archive:./x.tar:v1"],
        { cwd },
      );
      assertEquals(archived.code, 0, describeRun(archived));
      const before = await runPeer(SKOPEO!, ["inspect", "oci-archive:./x.tar:v1"], { cwd });
      assertEquals(before.code, 0, describeRun(before));
      const digest = JSON.parse(before.stdout).Digest as string;

      await seedSetUp(run, cwd, host);
      const signature = await seedLoop(run, "x.tar", host, digest);

      // The tar still opens in skopeo, and the image inside is unchanged.
      const after = await runPeer(SKOPEO!, ["inspect", "oci-archive:./x.tar:v1"], { cwd });
      assertEquals(after.code, 0, describeRun(after));
      assertEquals(JSON.parse(after.stdout).Digest, digest);
      const extracted = await runPeer(
        SKOPEO!,
        ["copy", "--quiet", "oci-archive:./x.tar:v1", "oci:./extracted:v1"],
        { cwd },
      );
      assertEquals(extracted.code, 0, describeRun(extracted));

      // oras reads the signed tar too.
      if (ORAS !== undefined) {
        const found = await runPeer(
          ORAS,
          ["discover", "--oci-layout", "./x.tar:v1", "--format", "json"],
          { cwd },
        );
        assertEquals(found.code, 0, describeRun(found));
        const referrers = JSON.parse(found.stdout).referrers as Array<{ digest: string }>;
        assertEquals(referrers.map((r) => r.digest), [signature]);
      }

      // Back from the registry into a new tar, which skopeo opens and ocisign verifies.
      const back = ok(
        await run("cp", "-r", `${host}/hello-world:v1`, "--to-oci-layout", "./back.tar:v1"),
        "cp to a tar",
      );
      assert.ok(back.stdout.includes(`Digest: ${digest}`), back.stdout);
      const backInspected = await runPeer(SKOPEO!, ["inspect", "oci-archive:./back.tar:v1"], {
        cwd,
      });
      assertEquals(backInspected.code, 0, describeRun(backInspected));
      assertEquals(JSON.parse(backInspected.stdout).Digest, digest);
      const backListed = ok(await run("list", "--oci-layout", "./back.tar:v1"), "list back.tar");
      assertEquals(backListed.stdout, tree(`./back.tar@${digest}`, signature));
      ok(
        await run("verify", "--oci-layout", "./back.tar:v1", "--scope", "local/hello-world"),
        "verify back.tar",
      );

      // A second look at the tar after skopeo read it: still one signature, still verifies.
      const listed = ok(await run("list", "--oci-layout", `./x.tar@${digest}`), "list the tar");
      assertEquals(listed.stdout, tree(`./x.tar@${digest}`, signature));
      ok(
        await run("verify", "--oci-layout", `./x.tar@${digest}`, "--scope", "local/hello-world"),
        "verify the tar",
      );
    }),
});

Deno.test({
  name: "seed workflow with the binary bun build --compile makes, run as a subprocess",
  ignore: BUN === undefined || ORAS === undefined || REGISTRY === undefined,
  fn: () =>
    withSeed(async ({ host, dir, cwd }) => {
      if (!(await Deno.stat(`${REPO_ROOT}/node_modules/citty`).catch(() => undefined))) {
        const installed = await runPeer(Deno.execPath(), ["install"], { cwd: REPO_ROOT });
        assertEquals(installed.code, 0, describeRun(installed));
      }
      const binary = `${dir}/ocisign`;
      const built = await runPeer(BUN!, bunCompileArgs(binary), {
        cwd: REPO_ROOT,
      });
      assertEquals(built.code, 0, describeRun(built));

      const env = { OCISIGN_CONFIG_DIR: `${dir}/config`, HOME: cwd, NO_COLOR: "1" };
      const run: Run = (...args) => runPeer(binary, args, { cwd, env });
      const digest = await orasLayout(cwd, "hello-world");
      await seedSetUp(run, cwd, host);
      await seedLoop(run, "hello-world", host, digest);

      // What the binary signs with Bun's WebCrypto, notation verifies: JWS in the registry, and
      // COSE in a layout.
      if (PEER !== undefined) {
        const peer = (...args: string[]) =>
          runPeer(PEER, args, { cwd, env: { NOTATION_CACHE: `${dir}/notation-cache` } });
        const config = ["--config-dir", `${dir}/config`];
        const jws = await peer("verify", `${host}/hello-world:v1`, ...config);
        assertEquals(jws.code, 0, describeRun(jws));
        await orasLayout(cwd, "hello-cose");
        ok(
          await run("sign", "--oci-layout", "./hello-cose:v1", "--signature-format", "cose"),
          "sign COSE",
        );
        const cose = await peer(
          "verify",
          "--oci-layout",
          "./hello-cose:v1",
          "--scope",
          "local/hello-world",
          ...config,
        );
        assertEquals(cose.code, 0, describeRun(cose));
      }

      // The binary builds the same bytes as `deno run` (fflate, not the runtime's zlib).
      await Deno.mkdir(`${cwd}/ctx/etc`, { recursive: true });
      await Deno.writeTextFile(`${cwd}/ctx/etc/motd`, "reproducible\n".repeat(1000));
      await Deno.writeTextFile(
        `${cwd}/ctx/Dockerfile`,
        'FROM scratch\nCOPY etc /etc\nCMD ["/x"]\n',
      );
      const byBinary = await run(
        "build",
        "-t",
        "app:v1",
        "-o",
        "./bin-built",
        "./ctx",
        "--format",
        "json",
      );
      assertEquals(byBinary.code, 0, describeRun(byBinary));
      const byDeno = await ocisign(
        { cwd, configDir: `${dir}/config` },
        "build",
        "-t",
        "app:v1",
        "-o",
        "./deno-built.tar",
        "./ctx",
        "--format",
        "json",
      );
      assertEquals(byDeno.code, 0, describeRun(byDeno));
      assertEquals(
        JSON.parse(byBinary.stdout).descriptor.digest,
        JSON.parse(byDeno.stdout).descriptor.digest,
      );

      const unknownTag = await run("verify", `${host}/hello-world:v9`);
      assertEquals(unknownTag.code, 5, describeRun(unknownTag));
      const noPolicy = await run(
        "verify",
        "--oci-layout",
        "./hello-world:v1",
        "--scope",
        "local/other",
      );
      assertEquals(noPolicy.code, 4, describeRun(noPolicy));
    }),
});
