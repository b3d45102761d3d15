/**
 * The seed workflow's fixture for `seed_workflow_test.ts` and `seed_workflow_compiled_slow_test.ts`:
 * the peers, the seed's trust policy and expected trees, the sign/list/verify/copy loop, and a
 * registry with a working directory.
 *
 * @module
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

export const ORAS = findPeer("oras");
export const REGISTRY = findPeer("docker-registry");
export const SKOPEO = findPeer("skopeo");
export const UMOCI = findPeer("umoci");

/** The start of notation's warning about a tag reference. */
export function tagWarning(verb: string): string {
  return `Warning: Always ${verb} the artifact using digest(@sha256:...) rather than a tag(:v1)`;
}

/** The seed's trust policy, with the registry scope on this test's port. */
export function seedTrustPolicy(registryHost: string): string {
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
export function tree(ref: string, signature: string): string {
  return `${ref}\n└── ${NOTARY_SIGNATURE}\n    └── ${signature}\n`;
}

/** Something that runs ocisign: in-process, or the compiled binary as a subprocess. */
export type Run = (...args: string[]) => Promise<CliResult>;

/** Checks one run's exit code (and output in the message when it differs). */
export function ok(r: CliResult, what: string): CliResult {
  assertEquals(r.code, 0, `${what}: ${describeRun(r)}`);
  return r;
}

/**
 * The seed loop on `./<name>` (a layout directory or a `.tar` path in `cwd` tagged v1): sign,
 * list, verify, copy to `<host>/hello-world:v1` with signatures, list and verify there. Returns
 * the signature manifest digest.
 */
export async function seedLoop(
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
export async function seedSetUp(run: Run, cwd: string, host: string): Promise<void> {
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
export async function copyBack(
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
export async function orasLayout(cwd: string, name: string): Promise<string> {
  await Deno.writeTextFile(`${cwd}/${name}.txt`, `hello from ${name}\n`);
  const pushed = await runPeer(ORAS!, ["push", "--oci-layout", `./${name}:v1`, `${name}.txt`], {
    cwd,
  });
  assertEquals(pushed.code, 0, describeRun(pushed));
  return pushed.stdout.match(/Digest: (sha256:[0-9a-f]{64})/)![1]!;
}

/** What a seed test works in: a registry, a temp dir, its `work/` subdir and ocisign there. */
export interface Seed {
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
export async function withSeed(fn: (seed: Seed) => Promise<void>): Promise<void> {
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
