/**
 * The notation-go peer on its own: it signs (JWS and COSE, RSA and EC chains made with openssl),
 * lists and verifies in OCI layouts made with oras and in a real docker-registry, exactly as the
 * notation CLI 1.3.2 does. Needs `notation-peer` and `oras` (scripts/peers/install.sh), `openssl`
 * and, for the registry test, `docker-registry`.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { findPeer, type PeerResult, runPeer } from "../_helpers/peers.ts";
import {
  makeOrasLayout,
  makeTestPki,
  startRegistry,
  startTestTsa,
  strictPolicy,
  writeNotationConfig,
} from "./notation_go/fixtures.ts";

const PEER = findPeer("notation-peer");
const ORAS = findPeer("oras");
const OPENSSL = findPeer("openssl");
const REGISTRY = findPeer("docker-registry");
const MISSING = PEER === undefined || ORAS === undefined || OPENSSL === undefined;

const DIGEST_LINE = /^sha256:[0-9a-f]{64}\n$/;
const NOTARY_SIGNATURE = "application/vnd.cncf.notary.signature";

/** Runs the peer in `dir`, with notation's CRL cache kept inside it. */
function peer(dir: string, args: string[]): Promise<PeerResult> {
  return runPeer(PEER!, args, { cwd: dir, env: { NOTATION_CACHE: `${dir}/notation-cache` } });
}

function describe(r: PeerResult): string {
  return `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-notation-peer-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function readBlob(layout: string, digest: string): Promise<Uint8Array> {
  return await Deno.readFile(`${layout}/blobs/sha256/${digest.slice("sha256:".length)}`);
}

async function readJsonBlob(layout: string, digest: string): Promise<Record<string, unknown>> {
  return JSON.parse(new TextDecoder().decode(await readBlob(layout, digest)));
}

Deno.test({
  name: "notation-peer sign --oci-layout: JWS with an RSA chain, then list and verify",
  ignore: MISSING,
  fn: () =>
    withTempDir(async (dir) => {
      const pki = await makeTestPki(OPENSSL!, dir, "rsa-2048", "alpha");
      const { layout, digest } = await makeOrasLayout(ORAS!, dir, "hello", "v1");
      const cfg = await writeNotationConfig(`${dir}/cfg`, [strictPolicy("local/hello", "alpha")], {
        "ca:alpha": [pki.rootCert],
      });

      const signed = await peer(dir, [
        "sign",
        "--oci-layout",
        `${layout}:v1`,
        "--key",
        pki.leafKey,
        "--cert",
        pki.chain,
      ]);
      assertEquals(signed.code, 0, describe(signed));
      assert.match(signed.stdout, DIGEST_LINE);
      assert.ok(signed.stderr.includes(`Successfully signed ${layout}@${digest}`), signed.stderr);
      const sigDigest = signed.stdout.trim();

      // notation 1.x shape, recorded untagged in index.json
      const manifest = await readJsonBlob(layout, sigDigest);
      assertEquals((manifest.config as Record<string, unknown>).mediaType, NOTARY_SIGNATURE);
      assertEquals(manifest.artifactType, undefined);
      const layers = manifest.layers as Array<Record<string, unknown>>;
      assertEquals(layers.length, 1);
      assertEquals(layers[0]!.mediaType, "application/jose+json");
      assertEquals((manifest.subject as Record<string, unknown>).digest, digest);
      const index = JSON.parse(await Deno.readTextFile(`${layout}/index.json`));
      const entry = index.manifests.find((m: { digest: string }) => m.digest === sigDigest);
      assert.ok(entry, "the signature manifest is listed in index.json");
      assertEquals(entry.annotations["org.opencontainers.image.ref.name"], undefined);

      const envelope = JSON.parse(
        new TextDecoder().decode(await readBlob(layout, layers[0]!.digest as string)),
      );
      assertEquals(Object.keys(envelope), ["payload", "protected", "header", "signature"]);
      assertEquals(envelope.header["io.cncf.notary.signingAgent"], "notation-go/1.3.2");

      const listed = await peer(dir, ["list", "--oci-layout", `${layout}@${digest}`]);
      assertEquals(listed.code, 0, describe(listed));
      assertEquals(listed.stdout, `${sigDigest}\n`);

      const verified = await peer(dir, [
        "verify",
        "--oci-layout",
        `${layout}:v1`,
        "--scope",
        "local/hello",
        "--config-dir",
        cfg,
      ]);
      assertEquals(verified.code, 0, describe(verified));
      assertEquals(verified.stdout, `Successfully verified signature for ${layout}@${digest}\n`);
    }),
});

Deno.test({
  name: "notation-peer sign --signature-format cose: EC P-384 chain, expiry and user metadata",
  ignore: MISSING,
  fn: () =>
    withTempDir(async (dir) => {
      const pki = await makeTestPki(OPENSSL!, dir, "ec-384", "beta");
      const { layout, digest } = await makeOrasLayout(ORAS!, dir, "hello", "v1");
      const cfg = await writeNotationConfig(
        `${dir}/cfg`,
        [strictPolicy("local/hello", "beta", [`x509.subject: ${pki.subject}`])],
        { "ca:beta": [pki.rootCert] },
      );
      const signed = await peer(dir, [
        "sign",
        `${layout}@${digest}`,
        "--oci-layout",
        "--signature-format",
        "cose",
        "--key",
        pki.leafKey,
        "--cert",
        pki.chain,
        "--expiry",
        "1h",
        "-m",
        "team=blue",
      ]);
      assertEquals(signed.code, 0, describe(signed));
      assert.match(signed.stdout, DIGEST_LINE);
      const manifest = await readJsonBlob(layout, signed.stdout.trim());
      const layers = manifest.layers as Array<Record<string, unknown>>;
      assertEquals(layers[0]!.mediaType, "application/cose");
      const cose = await readBlob(layout, layers[0]!.digest as string);
      assertEquals([cose[0], cose[1]], [0xd2, 0x84], "COSE_Sign1_Tagged");

      const base = [
        "verify",
        "--oci-layout",
        `${layout}:v1`,
        "--scope",
        "local/hello",
        "--config-dir",
        cfg,
      ];
      const ok = await peer(dir, [...base, "-m", "team=blue"]);
      assertEquals(ok.code, 0, describe(ok));
      assert.ok(
        ok.stdout.startsWith(`Successfully verified signature for ${layout}@${digest}\n`),
        ok.stdout,
      );
      assert.match(
        ok.stdout,
        /The artifact was signed with the following user metadata\.\n\nKEY +VALUE +\nteam +blue/,
      );

      const wrong = await peer(dir, [...base, "-m", "team=red"]);
      assertEquals(wrong.code, 1, describe(wrong));
      assert.ok(
        wrong.stderr.includes(
          `Error: signature verification failed for all the signatures associated with ${layout}@${digest}`,
        ),
        wrong.stderr,
      );
      assert.ok(
        wrong.stderr.includes("Reason: ") &&
          wrong.stderr.includes("unable to find specified metadata"),
        wrong.stderr,
      );
    }),
});

Deno.test({
  name: "notation-peer verify rejects a chain whose root is not in the trust store",
  ignore: MISSING,
  fn: () =>
    withTempDir(async (dir) => {
      const signer = await makeTestPki(OPENSSL!, dir, "ec-256", "signer");
      const other = await makeTestPki(OPENSSL!, dir, "ec-256", "other");
      const { layout } = await makeOrasLayout(ORAS!, dir, "hello", "v1");
      const cfg = await writeNotationConfig(`${dir}/cfg`, [strictPolicy("local/hello", "other")], {
        "ca:other": [other.rootCert],
      });
      const signed = await peer(dir, [
        "sign",
        "--oci-layout",
        `${layout}:v1`,
        "--key",
        signer.leafKey,
        "--cert",
        signer.chain,
      ]);
      assertEquals(signed.code, 0, describe(signed));

      const verified = await peer(dir, [
        "verify",
        "--oci-layout",
        `${layout}:v1`,
        "--scope",
        "local/hello",
        "--config-dir",
        cfg,
      ]);
      assertEquals(verified.code, 1, describe(verified));
      assertEquals(verified.stdout, "");
      assert.ok(
        verified.stderr.includes("signature verification failed for all the signatures"),
        verified.stderr,
      );
      assert.match(
        verified.stderr,
        /Reason: failed to verify signature with digest sha256:[0-9a-f]{64}, the signature.s certificate chain does not contain any trusted certificate/,
      );
    }),
});

Deno.test({
  name:
    "notation-peer verify fails without an applicable trust policy, and list shows no signatures",
  ignore: MISSING,
  fn: () =>
    withTempDir(async (dir) => {
      const pki = await makeTestPki(OPENSSL!, dir, "rsa-3072", "gamma");
      const { layout } = await makeOrasLayout(ORAS!, dir, "hello", "v1");
      const cfg = await writeNotationConfig(`${dir}/cfg`, [strictPolicy("local/hello", "gamma")], {
        "ca:gamma": [pki.rootCert],
      });

      const listed = await peer(dir, ["list", "--oci-layout", `${layout}:v1`]);
      assertEquals(listed.code, 0, describe(listed));
      assertEquals(listed.stdout, "");
      assert.ok(listed.stderr.includes("has no associated signature"), listed.stderr);

      const unsigned = await peer(dir, [
        "verify",
        "--oci-layout",
        `${layout}:v1`,
        "--scope",
        "local/hello",
        "--config-dir",
        cfg,
      ]);
      assertEquals(unsigned.code, 1, describe(unsigned));
      assert.ok(unsigned.stderr.includes("no signature is associated with"), unsigned.stderr);

      const signed = await peer(dir, [
        "sign",
        "--oci-layout",
        `${layout}:v1`,
        "--key",
        pki.leafKey,
        "--cert",
        pki.chain,
      ]);
      assertEquals(signed.code, 0, describe(signed));
      const noPolicy = await peer(dir, [
        "verify",
        "--oci-layout",
        `${layout}:v1`,
        "--scope",
        "local/elsewhere",
        "--config-dir",
        cfg,
      ]);
      assertEquals(noPolicy.code, 1, describe(noPolicy));
      assert.ok(
        noPolicy.stderr.includes("has no applicable trust policy statement"),
        noPolicy.stderr,
      );
    }),
});

Deno.test({
  name: "notation-peer cert generate-test makes a key pair and trust store that sign and verify",
  ignore: PEER === undefined || ORAS === undefined,
  fn: () =>
    withTempDir(async (dir) => {
      const cfg = `${dir}/cfg`;
      const generated = await peer(dir, [
        "cert",
        "generate-test",
        "wabbit-networks.io",
        "--config-dir",
        cfg,
        "--default",
      ]);
      assertEquals(generated.code, 0, describe(generated));
      assert.ok(generated.stdout.includes("generating RSA Key with 2048 bits"), generated.stdout);
      assert.ok(
        generated.stdout.includes(
          "Successfully added wabbit-networks.io.crt to named store wabbit-networks.io of type ca",
        ),
      );
      const key = `${cfg}/localkeys/wabbit-networks.io.key`;
      assertEquals((await Deno.stat(key)).mode! & 0o777, 0o600);
      const keys = JSON.parse(await Deno.readTextFile(`${cfg}/signingkeys.json`));
      assertEquals(keys.default, "wabbit-networks.io");

      await writeNotationConfig(cfg, [
        strictPolicy("local/hello", "wabbit-networks.io", ["x509.subject: C=US, ST=WA, O=Notary"]),
      ], {});
      const { layout } = await makeOrasLayout(ORAS!, dir, "hello", "v1");
      const signed = await peer(dir, [
        "sign",
        "--oci-layout",
        `${layout}:v1`,
        "--key",
        key,
        "--cert",
        `${cfg}/localkeys/wabbit-networks.io.crt`,
      ]);
      assertEquals(signed.code, 0, describe(signed));
      const verified = await peer(dir, [
        "verify",
        "--oci-layout",
        `${layout}:v1`,
        "--scope",
        "local/hello",
        "--config-dir",
        cfg,
      ]);
      assertEquals(verified.code, 0, describe(verified));

      const again = await peer(dir, [
        "cert",
        "generate-test",
        "wabbit-networks.io",
        "--config-dir",
        cfg,
      ]);
      assertEquals(again.code, 1, describe(again));
    }),
});

Deno.test({
  name: "notation-peer sign, list and verify in a registry with the referrers tag schema",
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
        assertEquals(pushed.code, 0, describe(pushed));
        const digest = pushed.stdout.match(/Digest: (sha256:[0-9a-f]{64})/)?.[1];
        assert.ok(digest, pushed.stdout);
        const cfg = await writeNotationConfig(`${dir}/cfg`, [strictPolicy(ref, "delta")], {
          "ca:delta": [pki.rootCert],
        });
        const sign = [
          "sign",
          `${ref}:v1`,
          "--plain-http",
          "--key",
          pki.leafKey,
          "--cert",
          pki.chain,
        ];

        const first = await peer(dir, sign);
        assertEquals(first.code, 0, describe(first));
        assert.match(first.stdout, DIGEST_LINE);
        // The second signature rewrites the sha256-<hex> index; this registry refuses to delete the
        // old one, which notation reports as a warning only.
        const second = await peer(dir, [
          ...sign,
          "--signature-format",
          "cose",
          "--force-referrers-tag=false",
        ]);
        assertEquals(second.code, 0, describe(second));
        assert.match(second.stdout, DIGEST_LINE);
        assert.ok(second.stderr.includes("Removal of outdated referrers index"), second.stderr);

        const index = await runPeer(ORAS!, [
          "manifest",
          "fetch",
          "--plain-http",
          `${ref}:${digest.replace(":", "-")}`,
        ]);
        assertEquals(index.code, 0, describe(index));
        const listedInIndex = JSON.parse(index.stdout).manifests.map((m: { digest: string }) =>
          m.digest
        );
        assertEquals(listedInIndex, [first.stdout.trim(), second.stdout.trim()]);

        const listed = await peer(dir, ["list", `${ref}@${digest}`, "--plain-http"]);
        assertEquals(listed.code, 0, describe(listed));
        assertEquals(listed.stdout, first.stdout + second.stdout);

        const verified = await peer(dir, [
          "verify",
          `${ref}:v1`,
          "--plain-http",
          "--config-dir",
          cfg,
        ]);
        assertEquals(verified.code, 0, describe(verified));
        assertEquals(verified.stdout, `Successfully verified signature for ${ref}@${digest}\n`);
      } finally {
        await registry.stop();
      }
    }),
});

Deno.test({
  name:
    "notation-peer sign --timestamp-url: RFC 3161 countersignature from an openssl TSA verifies",
  ignore: MISSING,
  fn: () =>
    withTempDir(async (dir) => {
      const pki = await makeTestPki(OPENSSL!, dir, "ec-256", "epsilon");
      const tsa = await startTestTsa(OPENSSL!, dir);
      try {
        const { layout, digest } = await makeOrasLayout(ORAS!, dir, "hello", "v1");
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
        assertEquals(signed.code, 0, describe(signed));
        const manifest = await readJsonBlob(layout, signed.stdout.trim());
        const layer = (manifest.layers as Array<Record<string, unknown>>)[0]!;
        const envelope = JSON.parse(
          new TextDecoder().decode(await readBlob(layout, layer.digest as string)),
        );
        assertEquals(typeof envelope.header["io.cncf.notary.timestampSignature"], "string");

        const statement = strictPolicy("local/hello", "epsilon");
        const trusted = await writeNotationConfig(
          `${dir}/cfg`,
          [{ ...statement, trustStores: ["ca:epsilon", "tsa:tsa"] }],
          { "ca:epsilon": [pki.rootCert], "tsa:tsa": [tsa.rootCert] },
        );
        const verify = ["verify", "--oci-layout", `${layout}:v1`, "--scope", "local/hello"];
        const ok = await peer(dir, [...verify, "--config-dir", trusted]);
        assertEquals(ok.code, 0, describe(ok));
        assertEquals(ok.stdout, `Successfully verified signature for ${layout}@${digest}\n`);

        // A tsa store without the TSA's root makes the timestamp untrusted.
        const untrusted = await writeNotationConfig(
          `${dir}/cfg-wrong-tsa`,
          [{ ...statement, trustStores: ["ca:epsilon", "tsa:tsa"] }],
          { "ca:epsilon": [pki.rootCert], "tsa:tsa": [pki.rootCert] },
        );
        const bad = await peer(dir, [...verify, "--config-dir", untrusted]);
        assertEquals(bad.code, 1, describe(bad));
        assert.match(bad.stderr, /Reason: .*timestamp/i);
      } finally {
        await tsa.stop();
      }
    }),
});

Deno.test({
  name: "notation-peer reports usage errors with exit code 2",
  ignore: PEER === undefined,
  fn: () =>
    withTempDir(async (dir) => {
      const noKey = await peer(dir, ["sign", "--oci-layout", "somewhere:v1"]);
      assertEquals(noKey.code, 2, describe(noKey));
      assert.ok(noKey.stderr.includes("--key and --cert are both required"), noKey.stderr);
      const noScope = await peer(dir, [
        "verify",
        "--oci-layout",
        "somewhere:v1",
        "--config-dir",
        "cfg",
      ]);
      assertEquals(noScope.code, 2, describe(noScope));
      const badFormat = await peer(dir, [
        "sign",
        "x:v1",
        "--oci-layout",
        "--key",
        "k",
        "--cert",
        "c",
        "--signature-format",
        "xml",
      ]);
      assertEquals(badFormat.code, 2, describe(badFormat));
      assert.ok(
        badFormat.stderr.includes(`signature format "xml" not supported`),
        badFormat.stderr,
      );
      const unknown = await peer(dir, ["frobnicate"]);
      assertEquals(unknown.code, 2, describe(unknown));
    }),
});
