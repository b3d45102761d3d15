/**
 * Signatures made by notation (the notation-go peer, as notation CLI 1.3.2 makes them) in an OCI
 * layout made by oras verify with ocisign's verifier, under the same config directory notation
 * uses (trust policy and trust stores read through the runtime Fs). Needs `notation-peer` and
 * `oras` (scripts/peers/install.sh) and `openssl`; skips without them unless
 * OCISIGN_REQUIRE_PEERS=1. The registry test also needs `docker-registry`.
 */
import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { findPeer, type PeerResult, runPeer } from "../_helpers/peers.ts";
import {
  makeOrasLayout,
  makeTestPki,
  startRegistry,
  startTestTsa,
  strictPolicy,
  writeNotationConfig,
} from "../interop/notation_go/fixtures.ts";
import { openLayout } from "../../lib/layout/mod.ts";
import { Registry } from "../../lib/registry/mod.ts";
import { nodeFs } from "../../lib/runtime/node_fs.ts";
import { FsTrustStore, loadTrustPolicyDocument } from "../../lib/trust/mod.ts";
import { inspectSignatures, listSignatures, verifyArtifact } from "../../lib/verify/mod.ts";

const PEER = findPeer("notation-peer");
const ORAS = findPeer("oras");
const OPENSSL = findPeer("openssl");
const MISSING = PEER === undefined || ORAS === undefined || OPENSSL === undefined;

function peer(dir: string, args: string[]): Promise<PeerResult> {
  return runPeer(PEER!, args, { cwd: dir, env: { NOTATION_CACHE: `${dir}/notation-cache` } });
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-verify-interop-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

for (const format of ["jws", "cose"] as const) {
  Deno.test({
    name: `verifyArtifact() accepts a notation ${format} signature in an oras layout`,
    ignore: MISSING,
    fn: () =>
      withTempDir(async (dir) => {
        const pki = await makeTestPki(
          OPENSSL!,
          dir,
          format === "jws" ? "rsa-2048" : "ec-256",
          "alpha",
        );
        const { layout, digest } = await makeOrasLayout(ORAS!, dir, "hello", "v1");
        const identity = `x509.subject: ${pki.subject}`;
        const cfg = await writeNotationConfig(
          `${dir}/cfg`,
          [strictPolicy("local/hello", "alpha", [identity])],
          { "ca:alpha": [pki.rootCert] },
        );
        const signed = await peer(dir, [
          "sign",
          "--oci-layout",
          `${layout}:v1`,
          "--key",
          pki.leafKey,
          "--cert",
          pki.chain,
          "--signature-format",
          format,
          "-m",
          "buildId=42",
        ]);
        assertEquals(signed.code, 0, signed.stderr);
        const sigDigest = signed.stdout.trim();

        const target = await openLayout(layout, nodeFs);
        const { document } = await loadTrustPolicyDocument(nodeFs, cfg);
        const trustStore = new FsTrustStore(nodeFs, cfg);
        const result = await verifyArtifact(target, "v1", {
          scope: "local/hello",
          policyDocument: document,
          trustStore,
          userMetadata: { buildId: "42" },
        });
        assertEquals(result.subject.digest, digest);
        assertEquals(result.signature?.digest, sigDigest);
        assertEquals(result.outcome?.error, undefined);

        assertEquals((await listSignatures(target, `${digest}`)).signatures.map((d) => d.digest), [
          sigDigest,
        ]);
        const [inspected] = (await inspectSignatures(target, "v1")).signatures;
        assert(inspected && !("error" in inspected));
        assertEquals(inspected.format, format);
        assertEquals(inspected.userMetadata, { buildId: "42" });
        assert(inspected.signingAgent?.startsWith("notation-go/"));

        // the same artifact under a scope no statement covers, and a near-miss identity
        await assertRejectsCode(
          () =>
            verifyArtifact(target, "v1", {
              scope: "local/other",
              policyDocument: document,
              trustStore,
            }),
          "ERR_TRUST_POLICY",
          "has no applicable trust policy statement",
        );
        const nearMiss = identity.replace("O=ocisign test", "O=Ocisign test");
        const cfg2 = await writeNotationConfig(
          `${dir}/cfg2`,
          [strictPolicy("local/hello", "alpha", [nearMiss])],
          { "ca:alpha": [pki.rootCert] },
        );
        const doc2 = (await loadTrustPolicyDocument(nodeFs, cfg2)).document;
        await assertRejectsCode(
          () =>
            verifyArtifact(target, "v1", {
              scope: "local/hello",
              policyDocument: doc2,
              trustStore: new FsTrustStore(nodeFs, cfg2),
            }),
          "ERR_VERIFICATION_FAILED",
        );
        // notation agrees on both configurations
        const ok = await peer(dir, [
          "verify",
          "--oci-layout",
          `${layout}:v1`,
          "--scope",
          "local/hello",
          "--config-dir",
          cfg,
        ]);
        assertEquals(ok.code, 0, ok.stderr);
        const bad = await peer(dir, [
          "verify",
          "--oci-layout",
          `${layout}:v1`,
          "--scope",
          "local/hello",
          "--config-dir",
          cfg2,
        ]);
        assert(bad.code !== 0, "notation must reject the near-miss identity too");
      }),
  });
}

const REGISTRY = findPeer("docker-registry");

Deno.test({
  name: "verifyArtifact() accepts notation signatures found through a real registry's tag schema",
  ignore: MISSING || REGISTRY === undefined,
  fn: () =>
    withTempDir(async (dir) => {
      const pki = await makeTestPki(OPENSSL!, dir, "rsa-2048", "delta");
      const registry = await startRegistry(REGISTRY!, `${dir}/registry`);
      try {
        await Deno.writeTextFile(`${dir}/file.txt`, "hello registry\n");
        const ref = `${registry.host}/hello-world`;
        const pushed = await runPeer(ORAS!, ["push", "--plain-http", `${ref}:v1`, "file.txt"], {
          cwd: dir,
        });
        assertEquals(pushed.code, 0, pushed.stderr);
        const digest = pushed.stdout.match(/Digest: (sha256:[0-9a-f]{64})/)?.[1];
        assert(digest, pushed.stdout);
        // first signature: by an untrusted chain; second: trusted, COSE
        const other = await makeTestPki(OPENSSL!, dir, "ec-256", "other");
        const sign = (key: string, chain: string, format: string) =>
          peer(dir, [
            "sign",
            `${ref}@${digest}`,
            "--plain-http",
            "--key",
            key,
            "--cert",
            chain,
            "--signature-format",
            format,
          ]);
        const bad = await sign(other.leafKey, other.chain, "jws");
        assertEquals(bad.code, 0, bad.stderr);
        const good = await sign(pki.leafKey, pki.chain, "cose");
        assertEquals(good.code, 0, good.stderr);
        const cfg = await writeNotationConfig(`${dir}/cfg`, [strictPolicy(ref, "delta")], {
          "ca:delta": [pki.rootCert],
        });

        const repo = new Registry(registry.host, { plainHttp: true }).repository("hello-world");
        const { document } = await loadTrustPolicyDocument(nodeFs, cfg);
        const result = await verifyArtifact(repo, "v1", {
          scope: ref,
          policyDocument: document,
          trustStore: new FsTrustStore(nodeFs, cfg),
        });
        assertEquals(result.subject.digest, digest);
        assertEquals(result.signature?.digest, good.stdout.trim());
        assertEquals(
          (await listSignatures(repo, digest)).signatures.map((d) => d.digest),
          [bad.stdout.trim(), good.stdout.trim()],
        );
        await assertRejectsCode(
          () =>
            verifyArtifact(repo, "v1", {
              scope: ref,
              policyDocument: document,
              trustStore: new FsTrustStore(nodeFs, cfg),
              maxSignatures: 1,
            }),
          "ERR_VERIFICATION_FAILED",
          "signature evaluation stopped",
        );
      } finally {
        await registry.stop();
      }
    }),
});

Deno.test({
  name: "verifyArtifact() verifies a notation RFC 3161 timestamp against a tsa trust store",
  ignore: MISSING,
  fn: () =>
    withTempDir(async (dir) => {
      const pki = await makeTestPki(OPENSSL!, dir, "rsa-2048", "alpha");
      const tsa = await startTestTsa(OPENSSL!, dir);
      try {
        const { layout } = await makeOrasLayout(ORAS!, dir, "hello", "v1");
        const signed = await peer(dir, [
          "sign",
          "--oci-layout",
          `${layout}:v1`,
          "--key",
          pki.leafKey,
          "--cert",
          pki.chain,
          "--timestamp-url",
          tsa.url,
          "--timestamp-root-cert",
          tsa.rootCert,
        ]);
        assertEquals(signed.code, 0, signed.stderr);
        const policy = strictPolicy("local/hello", "alpha");
        policy.trustStores.push("tsa:ts");
        const cfg = await writeNotationConfig(`${dir}/cfg`, [policy], {
          "ca:alpha": [pki.rootCert],
          "tsa:ts": [tsa.rootCert],
        });
        const target = await openLayout(layout, nodeFs);
        const { document } = await loadTrustPolicyDocument(nodeFs, cfg);
        const trustStore = new FsTrustStore(nodeFs, cfg);
        const result = await verifyArtifact(target, "v1", {
          scope: "local/hello",
          policyDocument: document,
          trustStore,
        });
        const ts = result.outcome?.results.find((r) => r.type === "authenticTimestamp");
        assertEquals(ts?.error, undefined);
        const [inspected] = (await inspectSignatures(target, "v1")).signatures;
        assert(inspected && !("error" in inspected) && inspected.timestamp);
        assert(!("error" in inspected.timestamp));
        assertEquals(
          inspected.timestamp.latest.getTime() - inspected.timestamp.earliest.getTime(),
          2000,
        );
        assert(inspected.timestamp.certificates.some((c) => c.issuedTo.includes("CN=TSA")));
        // three days later the chain (valid for two days) has expired: the timestamp still vouches
        const later = await verifyArtifact(target, "v1", {
          scope: "local/hello",
          policyDocument: document,
          trustStore,
          now: new Date(Date.now() + 3 * 24 * 3600_000),
        });
        assertEquals(later.outcome?.error, undefined);
        // a tsa store with an unrelated root does not
        const cfg2 = await writeNotationConfig(`${dir}/cfg2`, [policy], {
          "ca:alpha": [pki.rootCert],
          "tsa:ts": [pki.rootCert],
        });
        await assertRejectsCode(
          async () =>
            verifyArtifact(target, "v1", {
              scope: "local/hello",
              policyDocument: (await loadTrustPolicyDocument(nodeFs, cfg2)).document,
              trustStore: new FsTrustStore(nodeFs, cfg2),
            }),
          "ERR_VERIFICATION_FAILED",
        );
      } finally {
        await tsa.stop();
      }
    }),
});
