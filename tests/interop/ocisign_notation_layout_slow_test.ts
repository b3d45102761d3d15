/**
 * ocisign against notation (notation-peer: the official notation-go v1.3.2 library) in OCI layouts
 * on disk: each tool verifies, lists and inspects what the other signed (JWS and COSE, RSA and EC
 * chains made with openssl), with one notation config directory (trust policy + trust store) that
 * both read; user metadata both ways; tampered and wrongly keyed signatures rejected by both;
 * `cert generate-test` output of one tool used by the other; the 2.x signature manifest shape;
 * RSA-3072 and EC P-384/P-521 chains; x509.subject identities; expiry; RFC 3161 timestamps from an
 * openssl TSA; which trust policy file each tool reads. Needs `notation-peer` and `oras` (scripts/peers/install.sh) and `openssl`; the skopeo/umoci step
 * also needs `skopeo` and `umoci`.
 * In `deno task test:slow`: `notation_cli_test.ts` runs the real notation CLI over the same ground in
 * the default run; this file adds what only the library driver shows (byte-level comparisons).
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { type Bytes, fromBase64Url } from "../../lib/_internal/bytes.ts";
import { CborMap, CborTag, type CborValue, decodeCbor } from "../../lib/signature/cbor/mod.ts";
import { findPeer, type PeerResult, runPeer } from "../_helpers/peers.ts";
import type { CliResult } from "../_helpers/cli.ts";
import {
  copyDir,
  describeRun,
  type InteropSigners,
  makeInteropSigners,
  NOTARY_SIGNATURE,
  ocisign,
  pushedSignature,
  readSignatureManifest,
  stdoutJson,
  tamperEnvelopeInPlace,
  tamperEnvelopeRelinked,
  withTempDir,
} from "../_helpers/e2e.ts";
import {
  makeOrasLayout,
  makeTestPki,
  startTestTsa,
  type TestPki,
  writeNotationConfig,
} from "./notation_go/fixtures.ts";

const PEER = findPeer("notation-peer");
const ORAS = findPeer("oras");
const OPENSSL = findPeer("openssl");
const SKOPEO = findPeer("skopeo");
const UMOCI = findPeer("umoci");
const MISSING = PEER === undefined || ORAS === undefined || OPENSSL === undefined;

const SCOPE = "local/hello";
const ENVELOPE_TYPE = { jws: "application/jose+json", cose: "application/cose" } as const;
type Format = keyof typeof ENVELOPE_TYPE;
type KeyName = "rsa" | "ec";
const COMBOS: Array<{ format: Format; key: KeyName }> = [
  { format: "jws", key: "rsa" },
  { format: "cose", key: "ec" },
  { format: "jws", key: "ec" },
  { format: "cose", key: "rsa" },
];

/** Everything the steps share: one temp dir, PKIs, a pristine oras layout and a config dir. */
interface Fixture {
  dir: string;
  cfg: string;
  pristine: string;
  digest: string;
  pki: InteropSigners;
  /** Runs ocisign in `dir` with config dir `cfg` (or another one) and the real clock (or `now`). */
  ocisign(args: string[], options?: { configDir?: string; now?: () => Date }): Promise<CliResult>;
  /** Runs notation-peer in `dir` (CRL cache inside it). */
  peer(args: string[]): Promise<PeerResult>;
  /** A fresh copy of the pristine layout at `<dir>/<name>`. */
  fresh(name: string): Promise<string>;
}

async function setUp(dir: string): Promise<Fixture> {
  const cfg = `${dir}/cfg`;
  const pki = await makeInteropSigners(OPENSSL!, dir, cfg, [SCOPE]);
  const { layout: pristine, digest } = await makeOrasLayout(ORAS!, dir, "hello", "v1");
  return {
    dir,
    cfg,
    pristine,
    digest,
    pki,
    ocisign: (args, options = {}) =>
      ocisign({ cwd: dir, ...options, configDir: options.configDir ?? cfg }, ...args),
    peer: (args) =>
      runPeer(PEER!, args, { cwd: dir, env: { NOTATION_CACHE: `${dir}/notation-cache` } }),
    fresh: async (name) => {
      await copyDir(pristine, `${dir}/${name}`);
      return `${dir}/${name}`;
    },
  };
}

/** notation-peer signs a layout with an openssl chain; returns the signature manifest digest. */
async function peerSign(
  fx: Fixture,
  layout: string,
  pki: TestPki,
  format: Format,
  extra: string[] = [],
): Promise<string> {
  const signed = await fx.peer([
    "sign",
    "--oci-layout",
    `${layout}:v1`,
    "--key",
    pki.leafKey,
    "--cert",
    pki.chain,
    "--signature-format",
    format,
    ...extra,
  ]);
  assertEquals(signed.code, 0, describeRun(signed));
  return signed.stdout.trim();
}

/** ocisign signs a layout with a named key; returns the signature manifest digest. */
async function ocisignSign(
  fx: Fixture,
  layout: string,
  key: string,
  format: Format,
  extra: string[] = [],
): Promise<string> {
  const signed = await fx.ocisign([
    "sign",
    "--oci-layout",
    `${layout}:v1`,
    "--key",
    key,
    "--signature-format",
    format,
    ...extra,
  ]);
  assertEquals(signed.code, 0, describeRun(signed));
  return pushedSignature(signed);
}

function peerVerify(
  fx: Fixture,
  layout: string,
  extra: string[] = [],
  configDir = fx.cfg,
): Promise<PeerResult> {
  return fx.peer([
    "verify",
    "--oci-layout",
    `${layout}:v1`,
    "--scope",
    SCOPE,
    "--config-dir",
    configDir,
    ...extra,
  ]);
}

function ocisignVerify(
  fx: Fixture,
  layout: string,
  extra: string[] = [],
): Promise<CliResult> {
  return fx.ocisign(["verify", "--oci-layout", `${layout}:v1`, "--scope", SCOPE, ...extra]);
}

/** `Uint8Array`s as hex, CBOR maps as entry lists and tags as `{tag, value}`, for comparisons. */
function plain(value: CborValue): unknown {
  if (value instanceof Uint8Array) {
    return Array.from(value, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  if (value instanceof CborMap) return [...value.entries()].map(([k, v]) => [k, plain(v)]);
  if (value instanceof CborTag) return { tag: value.tag, value: plain(value.value) };
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

/**
 * A signature manifest and its envelope in a form that is equal for two tools that write the
 * same bytes: the signature manifest with the envelope digest, size and creation time masked;
 * the envelope's member order, protected header (signing time and expiry masked), unprotected header
 * (signing agent masked) and payload, all as written.
 */
async function comparable(layout: string, signature: string): Promise<unknown> {
  const { manifest, envelope } = await readSignatureManifest(layout, signature);
  const layer = { ...envelope, digest: "ENVELOPE", size: 0 };
  const annotations = {
    ...(manifest.annotations as Record<string, string>),
    "org.opencontainers.image.created": "CREATED",
  };
  const masked = JSON.stringify({ ...manifest, layers: [layer], annotations });
  const bytes = await Deno.readFile(`${layout}/blobs/sha256/${envelope.digest.slice(7)}`);
  if (envelope.mediaType === "application/jose+json") {
    const jws = JSON.parse(new TextDecoder().decode(bytes));
    const decode = (s: string) => new TextDecoder().decode(fromBase64Url(s));
    return {
      manifest: masked,
      members: Object.keys(jws),
      protected: decode(jws.protected)
        .replace(/"io\.cncf\.notary\.signingTime":"[^"]+"/, "TIME")
        .replace(/"io\.cncf\.notary\.expiry":"[^"]+"/, "EXPIRY"),
      header: JSON.stringify({ ...jws.header, "io.cncf.notary.signingAgent": "AGENT" }),
      payload: decode(jws.payload),
    };
  }
  const sign1 = decodeCbor(bytes) as CborTag;
  const [protectedBytes, unprotected, payload] = sign1.value as [Bytes, CborMap, Bytes];
  const header = decodeCbor(protectedBytes) as CborMap;
  header.set("io.cncf.notary.signingTime", "TIME");
  if (header.has("io.cncf.notary.expiry")) header.set("io.cncf.notary.expiry", "EXPIRY");
  unprotected.set("io.cncf.notary.signingAgent", "AGENT");
  return {
    manifest: masked,
    tag: sign1.tag,
    protected: plain(header),
    unprotected: plain(unprotected),
    payload: new TextDecoder().decode(payload),
  };
}

Deno.test({
  name: "ocisign and notation-peer sign, list, inspect and verify each other's layouts",
  ignore: MISSING,
  fn: (t) =>
    withTempDir("ocisign-interop-layout-", async (dir) => {
      const fx = await setUp(dir);

      await t.step("notation-peer lists and verifies ocisign's signatures", async () => {
        for (const { format, key } of COMBOS) {
          const layout = await fx.fresh(`ocisign-${format}-${key}`);
          const sig = await ocisignSign(fx, layout, key, format, ["-m", "team=blue"]);
          const { manifest, envelope } = await readSignatureManifest(layout, sig);
          assertEquals((manifest.config as { mediaType: string }).mediaType, NOTARY_SIGNATURE);
          assertEquals(manifest.artifactType, undefined, "1.x shape by default");
          assertEquals(envelope.mediaType, ENVELOPE_TYPE[format]);

          const listed = await fx.peer(["list", "--oci-layout", `${layout}:v1`]);
          assertEquals([listed.code, listed.stdout], [0, `${sig}\n`], describeRun(listed));
          const ok = await peerVerify(fx, layout, ["-m", "team=blue"]);
          assertEquals(ok.code, 0, `${format}/${key}: ${describeRun(ok)}`);
          assert.ok(
            ok.stdout.startsWith(`Successfully verified signature for ${layout}@${fx.digest}\n`),
            ok.stdout,
          );
          assert.match(ok.stdout, /KEY +VALUE +\nteam +blue/);
          const wrong = await peerVerify(fx, layout, ["-m", "team=red"]);
          assertEquals(wrong.code, 1, describeRun(wrong));
          assert.match(wrong.stderr, /Reason: .*unable to find specified metadata/);
        }
      });

      await t.step(
        "ocisign's signature manifests and envelopes match notation's byte for byte, apart from time, agent and signature",
        async () => {
          for (const { format, key } of COMBOS.slice(0, 2)) {
            const layout = await fx.fresh(`bytes-${format}`);
            const flags = ["-m", "b=2", "-m", "a=1"];
            const ours = await ocisignSign(fx, layout, key, format, flags);
            const theirs = await peerSign(fx, layout, fx.pki[key], format, flags);
            const [a, b] = await Promise.all([ours, theirs].map((d) => comparable(layout, d)));
            assertEquals(a, b, `${format}: ocisign vs notation-peer`);
          }
        },
      );

      await t.step("ocisign lists, inspects and verifies notation-peer's signatures", async () => {
        for (const { format, key } of COMBOS) {
          const layout = await fx.fresh(`peer-${format}-${key}`);
          const sig = await peerSign(fx, layout, fx.pki[key], format, ["-m", "team=green"]);

          const listed = stdoutJson(
            await fx.ocisign(["list", "--oci-layout", `${layout}:v1`, "-o", "json"]),
          );
          const signatures = listed.signatures as Array<{ digest: string; artifactType: string }>;
          assertEquals(signatures.map((s) => [s.digest, s.artifactType]), [
            [sig, NOTARY_SIGNATURE],
          ]);

          const ok = await ocisignVerify(fx, layout, ["-m", "team=green", "-o", "json"]);
          assertEquals(ok.code, 0, `${format}/${key}: ${describeRun(ok)}`);
          const result = stdoutJson(ok);
          assertEquals(result.verified, true);
          assertEquals(result.userMetadata, { team: "green" });
          assertEquals((result.signature as { digest: string }).digest, sig);
          const text = await ocisignVerify(fx, layout);
          assertEquals(
            text.stdout,
            `Successfully verified signature for ${layout}@${fx.digest}\n\n` +
              "The artifact was signed with the following user metadata.\n\n" +
              "KEY    VALUE   \nteam   green   \n",
            describeRun(text),
          );
          const wrong = await ocisignVerify(fx, layout, ["-m", "team=red"]);
          assertEquals(wrong.code, 3, describeRun(wrong));
          assert.match(wrong.stderr, /unable to find specified metadata/);

          const inspected = stdoutJson(
            await fx.ocisign(["inspect", "--oci-layout", `${layout}:v1`, "-o", "json"]),
          );
          const [entry] = inspected.Signatures as Array<Record<string, unknown>>;
          assertEquals(entry!.mediaType, ENVELOPE_TYPE[format]);
          assertEquals(entry!.digest, sig);
          assertEquals(entry!.userDefinedAttributes, { team: "green" });
          assertEquals(entry!.unsignedAttributes, { signingAgent: "notation-go/1.3.2" });
          assertEquals(
            entry!.signatureAlgorithm,
            key === "rsa" ? "RSASSA-PSS-SHA-256" : "ECDSA-SHA-256",
          );
          assertEquals((entry!.certificates as unknown[]).length, 2);
        }
      });

      await t.step("both tools reject a tampered or wrongly keyed signature", async () => {
        const signers = {
          ocisign: (layout: string, key: KeyName | "mallory", format: Format) =>
            ocisignSign(fx, layout, key, format),
          peer: (layout: string, key: KeyName | "mallory", format: Format) =>
            peerSign(fx, layout, fx.pki[key], format),
        };
        for (const [signer, sign] of Object.entries(signers)) {
          for (const { format, key } of COMBOS.slice(0, 2)) {
            for (const variant of ["in-place", "relinked", "other-key"] as const) {
              const name = `${signer}-${format}-${key}-${variant}`;
              const layout = await fx.fresh(name);
              const sig = await sign(layout, variant === "other-key" ? "mallory" : key, format);
              if (variant === "in-place") await tamperEnvelopeInPlace(layout, sig);
              if (variant === "relinked") await tamperEnvelopeRelinked(layout, sig);

              const ours = await ocisignVerify(fx, layout);
              const theirs = await peerVerify(fx, layout);
              const both = `${name}\n--- ocisign: ${describeRun(ours)}\n--- notation-peer: ${
                describeRun(theirs)
              }`;
              assertEquals(theirs.code, 1, `both must reject: ${both}`);
              const expected = {
                "in-place": { ours: /digest mismatch/i, theirs: /error : mismatched digest/ },
                "relinked": {
                  ours: /signature is invalid/,
                  theirs: /Reason: .*signature is invalid/,
                },
                "other-key": {
                  ours: /not produced by a trusted signer/,
                  theirs: /Reason: .*does not contain any trusted certificate/,
                },
              }[variant];
              assertEquals(ours.code, 3, both);
              assert.match(ours.stderr, expected.ours, both);
              assert.match(theirs.stderr, expected.theirs, both);
            }
          }
        }
      });

      await t.step(
        "ocisign uses a config dir written by notation-peer cert generate-test",
        async () => {
          const cfgA = `${dir}/cfg-peer-generated`;
          const gen = await fx.peer([
            "cert",
            "generate-test",
            "peer.example",
            "--config-dir",
            cfgA,
            "--default",
          ]);
          assertEquals(gen.code, 0, describeRun(gen));
          await writeNotationConfig(cfgA, [{
            name: "peer-generated",
            registryScopes: [SCOPE],
            signatureVerification: { level: "strict" },
            trustStores: ["ca:peer.example"],
            trustedIdentities: ["*"],
          }], {});
          const layout = await fx.fresh("peer-generated");
          const signed = await fx.ocisign(["sign", "--oci-layout", `${layout}:v1`], {
            configDir: cfgA,
          });
          assertEquals(signed.code, 0, describeRun(signed));
          const sig = pushedSignature(signed);
          const ours = await fx.ocisign(
            ["verify", "--oci-layout", `${layout}:v1`, "--scope", SCOPE, "-o", "json"],
            { configDir: cfgA },
          );
          assertEquals(ours.code, 0, describeRun(ours));
          assertEquals((stdoutJson(ours).signature as { digest: string }).digest, sig);
          const theirs = await fx.peer([
            "verify",
            "--oci-layout",
            `${layout}:v1`,
            "--scope",
            SCOPE,
            "--config-dir",
            cfgA,
          ]);
          assertEquals(theirs.code, 0, describeRun(theirs));
        },
      );

      await t.step(
        "notation-peer uses a config dir written by ocisign cert generate-test",
        async () => {
          const cfgB = `${dir}/cfg-ocisign-generated`;
          const gen = await fx.ocisign(
            ["cert", "generate-test", "ocisign.example", "--default"],
            { configDir: cfgB },
          );
          assertEquals(gen.code, 0, describeRun(gen));
          await writeNotationConfig(cfgB, [{
            name: "ocisign-generated",
            registryScopes: [SCOPE],
            signatureVerification: { level: "strict" },
            trustStores: ["ca:ocisign.example"],
            trustedIdentities: ["*"],
          }], {});
          const signingKeys = JSON.parse(await Deno.readTextFile(`${cfgB}/signingkeys.json`));
          assertEquals(signingKeys.default, "ocisign.example");
          const layout = await fx.fresh("ocisign-generated");
          const peerSig = await fx.peer([
            "sign",
            "--oci-layout",
            `${layout}:v1`,
            "--key",
            `${cfgB}/localkeys/ocisign.example.key`,
            "--cert",
            `${cfgB}/localkeys/ocisign.example.crt`,
          ]);
          assertEquals(peerSig.code, 0, describeRun(peerSig));
          const ourSig = await fx.ocisign(
            ["sign", "--oci-layout", `${layout}:v1`, "--signature-format", "cose"],
            { configDir: cfgB },
          );
          assertEquals(ourSig.code, 0, describeRun(ourSig));
          const theirs = await fx.peer([
            "verify",
            "--oci-layout",
            `${layout}:v1`,
            "--scope",
            SCOPE,
            "--config-dir",
            cfgB,
          ]);
          assertEquals(theirs.code, 0, describeRun(theirs));
          const ours = await fx.ocisign(
            ["verify", "--oci-layout", `${layout}:v1`, "--scope", SCOPE],
            { configDir: cfgB },
          );
          assertEquals(ours.code, 0, describeRun(ours));
          const listed = await fx.ocisign(
            ["list", "--oci-layout", `${layout}:v1`, "-o", "json"],
            { configDir: cfgB },
          );
          assertEquals((stdoutJson(listed).signatures as unknown[]).length, 2);
        },
      );

      await t.step(
        "a 2.x-shape signature is verified by ocisign but not seen by notation 1.3.2",
        async () => {
          const layout = await fx.fresh("artifact-type-manifest");
          const sig = await ocisignSign(fx, layout, "ec", "jws", ["--artifact-type-manifest"]);
          const { manifest } = await readSignatureManifest(layout, sig);
          assertEquals(manifest.artifactType, NOTARY_SIGNATURE);
          assertEquals(
            (manifest.config as { mediaType: string }).mediaType,
            "application/vnd.oci.empty.v1+json",
          );
          const ours = await ocisignVerify(fx, layout, ["-o", "json"]);
          assertEquals(ours.code, 0, describeRun(ours));
          assertEquals((stdoutJson(ours).signature as { digest: string }).digest, sig);

          // notation-go 1.3.2 only reads signature manifests whose config media type is the
          // signature type, so in a layout it finds none.
          const listed = await fx.peer(["list", "--oci-layout", `${layout}:v1`]);
          assertEquals([listed.code, listed.stdout], [0, ""], describeRun(listed));
          const theirs = await peerVerify(fx, layout);
          assertEquals(theirs.code, 1, describeRun(theirs));
          assert.match(theirs.stderr, /no signature is associated with/);
        },
      );

      await t.step(
        "RSA-3072, EC P-384 and EC P-521 chains in both formats, both ways",
        async () => {
          const specs = [
            { spec: "rsa-3072", alg: "RSASSA-PSS-SHA-384" },
            { spec: "ec-384", alg: "ECDSA-SHA-384" },
            { spec: "ec-521", alg: "ECDSA-SHA-512" },
          ] as const;
          const configDir = `${dir}/cfg-specs`;
          const pkis = await Promise.all(
            specs.map(({ spec }) => makeTestPki(OPENSSL!, dir, spec, `spec-${spec}`)),
          );
          await writeNotationConfig(
            configDir,
            [{
              name: "specs",
              registryScopes: [SCOPE],
              signatureVerification: { level: "strict" },
              trustStores: specs.map(({ spec }) => `ca:spec-${spec}`),
              trustedIdentities: ["*"],
            }],
            Object.fromEntries(
              specs.map(({ spec }, i) => [`ca:spec-${spec}`, [pkis[i]!.rootCert]]),
            ),
          );
          for (const [i, { spec, alg }] of specs.entries()) {
            const pki = pkis[i]!;
            const added = await fx.ocisign(
              ["key", "add", `spec-${spec}`, "--key", pki.leafKey, "--cert", pki.chain],
              { configDir },
            );
            assertEquals(added.code, 0, describeRun(added));
            for (const format of ["jws", "cose"] as const) {
              const ours = await fx.fresh(`spec-ocisign-${spec}-${format}`);
              const signed = await fx.ocisign([
                "sign",
                "--oci-layout",
                `${ours}:v1`,
                "--key",
                `spec-${spec}`,
                "--signature-format",
                format,
              ], { configDir });
              assertEquals(signed.code, 0, describeRun(signed));
              const theirs = await peerVerify(fx, ours, [], configDir);
              assertEquals(theirs.code, 0, `ocisign ${spec} ${format}: ${describeRun(theirs)}`);

              const peers = await fx.fresh(`spec-peer-${spec}-${format}`);
              await peerSign(fx, peers, pki, format);
              const verified = await fx.ocisign(
                ["verify", "--oci-layout", `${peers}:v1`, "--scope", SCOPE],
                { configDir },
              );
              assertEquals(
                verified.code,
                0,
                `notation-peer ${spec} ${format}: ${describeRun(verified)}`,
              );
              for (const layout of [ours, peers]) {
                const inspected = stdoutJson(
                  await fx.ocisign(["inspect", "--oci-layout", `${layout}:v1`, "-o", "json"]),
                );
                const [entry] = inspected.Signatures as Array<Record<string, unknown>>;
                assertEquals(entry!.signatureAlgorithm, alg, `${layout}`);
              }
            }
          }
        },
      );

      await t.step(
        "x509.subject identities: exact accepted, near miss rejected by both",
        async () => {
          const configDir = `${dir}/cfg-identity`;
          const statement = (scope: string, subject: string) => ({
            name: scope.replace("/", "-"),
            registryScopes: [scope],
            signatureVerification: { level: "strict" },
            trustStores: ["ca:rsa"],
            trustedIdentities: [`x509.subject: ${subject}`],
          });
          await writeNotationConfig(configDir, [
            statement("local/exact", fx.pki.rsa.subject),
            statement("local/near", fx.pki.rsa.subject.replace("CN=rsa leaf", "CN=rsa lea")),
          ], { "ca:rsa": [fx.pki.rsa.rootCert] });
          const signed = {
            ocisign: await fx.fresh("identity-ocisign"),
            peer: await fx.fresh("identity-peer"),
          };
          await ocisignSign(fx, signed.ocisign, "rsa", "jws");
          await peerSign(fx, signed.peer, fx.pki.rsa, "cose");
          for (const [signer, layout] of Object.entries(signed)) {
            for (const scope of ["local/exact", "local/near"]) {
              const ours = await fx.ocisign(
                ["verify", "--oci-layout", `${layout}:v1`, "--scope", scope],
                { configDir },
              );
              const theirs = await fx.peer([
                "verify",
                "--oci-layout",
                `${layout}:v1`,
                "--scope",
                scope,
                "--config-dir",
                configDir,
              ]);
              const both = `${signer} ${scope}\n--- ocisign: ${describeRun(ours)}\n` +
                `--- notation-peer: ${describeRun(theirs)}`;
              if (scope === "local/exact") {
                assertEquals([ours.code, theirs.code], [0, 0], both);
              } else {
                assertEquals([ours.code, theirs.code], [3, 1], both);
                assert.match(ours.stderr, /trusted identit/i, both);
                assert.match(theirs.stderr, /Reason: .*trusted identit/i, both);
              }
            }
          }
        },
      );

      await t.step("a trusted signature next to an untrusted one verifies in both", async () => {
        const layout = await fx.fresh("mixed");
        await ocisignSign(fx, layout, "mallory", "cose");
        await peerSign(fx, layout, fx.pki.mallory, "jws");
        const good = await peerSign(fx, layout, fx.pki.ec, "cose");
        const ours = await ocisignVerify(fx, layout, ["-o", "json"]);
        assertEquals(ours.code, 0, describeRun(ours));
        assertEquals((stdoutJson(ours).signature as { digest: string }).digest, good);
        const theirs = await peerVerify(fx, layout);
        assertEquals(theirs.code, 0, describeRun(theirs));
      });

      await t.step("signature expiry set by either tool is honoured by ocisign", async () => {
        const later = () => new Date(Date.now() + 2 * 3_600_000);
        const theirs = await fx.fresh("expiry-peer");
        await peerSign(fx, theirs, fx.pki.ec, "jws", ["--expiry", "1h"]);
        const ours = await fx.fresh("expiry-ocisign");
        await ocisignSign(fx, ours, "rsa", "cose", ["--expiry", "1h"]);
        for (const layout of [theirs, ours]) {
          const now = await ocisignVerify(fx, layout);
          assertEquals(now.code, 0, describeRun(now));
          const peerNow = await peerVerify(fx, layout);
          assertEquals(peerNow.code, 0, describeRun(peerNow));
          const inspected = stdoutJson(
            await fx.ocisign(["inspect", "--oci-layout", `${layout}:v1`, "-o", "json"]),
          );
          const [entry] = inspected.Signatures as Array<{ signedAttributes: { expiry?: string } }>;
          const expiry = Date.parse(entry!.signedAttributes.expiry ?? "");
          assert.ok(Math.abs(expiry - Date.now() - 3_600_000) < 120_000, JSON.stringify(entry));
          const expired = await fx.ocisign(
            ["verify", "--oci-layout", `${layout}:v1`, "--scope", SCOPE],
            { now: later },
          );
          assertEquals(expired.code, 3, describeRun(expired));
          assert.match(expired.stderr, /expired/);
        }
      });

      await t.step("ocisign verifies notation-peer's RFC 3161 timestamps", async () => {
        const tsa = await startTestTsa(OPENSSL!, dir);
        try {
          const configDir = `${dir}/cfg-tsa`;
          await writeNotationConfig(configDir, [{
            name: "tsa",
            registryScopes: [SCOPE],
            signatureVerification: { level: "strict" },
            trustStores: ["ca:rsa", "tsa:tsa"],
            trustedIdentities: ["*"],
          }], { "ca:rsa": [fx.pki.rsa.rootCert], "tsa:tsa": [tsa.rootCert] });
          const stamped = await fx.fresh("timestamped");
          const plain = await fx.fresh("not-timestamped");
          for (const format of ["jws", "cose"] as const) {
            await peerSign(fx, stamped, fx.pki.rsa, format, [
              "--timestamp-url",
              tsa.url,
              "--timestamp-root-cert",
              tsa.rootCert,
            ]);
          }
          await peerSign(fx, plain, fx.pki.rsa, "jws");
          const verify = (layout: string, now?: () => Date) =>
            fx.ocisign(
              ["verify", "--oci-layout", `${layout}:v1`, "--scope", SCOPE],
              now ? { configDir, now } : { configDir },
            );
          const today = await verify(stamped);
          assertEquals(today.code, 0, describeRun(today));
          const theirs = await peerVerify(fx, stamped, [], configDir);
          assertEquals(theirs.code, 0, describeRun(theirs));

          // A policy naming a tsa store requires a countersignature (notation 1.2+).
          const ours = await verify(plain);
          const theirsPlain = await peerVerify(fx, plain, [], configDir);
          const both = `--- ocisign: ${describeRun(ours)}\n--- notation-peer: ${
            describeRun(theirsPlain)
          }`;
          assertEquals([ours.code, theirsPlain.code], [3, 1], both);
          assert.match(ours.stderr, /no timestamp countersignature was found/, both);
          assert.match(theirsPlain.stderr, /no timestamp countersignature was found/, both);

          // Three days on, every certificate has expired: only the timestamp keeps a signature
          // valid (its time is inside the signing chain's validity).
          const later = () => new Date(Date.now() + 72 * 3_600_000);
          const stampedLater = await verify(stamped, later);
          assertEquals(stampedLater.code, 0, describeRun(stampedLater));
          const plainLater = await fx.ocisign(
            ["verify", "--oci-layout", `${plain}:v1`, "--scope", SCOPE],
            { now: later },
          );
          assertEquals(plainLater.code, 3, describeRun(plainLater));
          assert.match(plainLater.stderr, /expired/, describeRun(plainLater));
        } finally {
          await tsa.stop();
        }
      });

      await t.step("user metadata with '=', spaces and non-ASCII text, both ways", async () => {
        const pairs = ["note=a=b", "msg=hello, world", "naïve=café ☕"];
        const flags = pairs.flatMap((p) => ["-m", p]);
        const ours = await fx.fresh("metadata-ocisign");
        await ocisignSign(fx, ours, "ec", "cose", flags);
        const theirs = await fx.fresh("metadata-peer");
        await peerSign(fx, theirs, fx.pki.rsa, "jws", flags);
        const expected = { note: "a=b", msg: "hello, world", "naïve": "café ☕" };
        for (const layout of [ours, theirs]) {
          const peerOk = await peerVerify(fx, layout, flags);
          assertEquals(peerOk.code, 0, describeRun(peerOk));
          const ourOk = await ocisignVerify(fx, layout, [...flags, "-o", "json"]);
          assertEquals(ourOk.code, 0, describeRun(ourOk));
          assertEquals(stdoutJson(ourOk).userMetadata, expected);
          const near = ["-m", "note=a"];
          const [peerNear, ourNear] = [
            await peerVerify(fx, layout, near),
            await ocisignVerify(fx, layout, near),
          ];
          assertEquals([peerNear.code, ourNear.code], [1, 3], describeRun(ourNear));
        }
      });

      await t.step(
        "with both policy files, ocisign reads trustpolicy.oci.json (as notation 2.x does) and notation 1.3.2 trustpolicy.json",
        async () => {
          const configDir = `${dir}/cfg-oci-policy`;
          const statement = (store: string) => ({
            name: `only-${store}`,
            registryScopes: [SCOPE],
            signatureVerification: { level: "strict" },
            trustStores: [`ca:${store}`],
            trustedIdentities: ["*"],
          });
          await writeNotationConfig(configDir, [statement("rsa")], {
            "ca:rsa": [fx.pki.rsa.rootCert],
            "ca:ec": [fx.pki.ec.rootCert],
          });
          await Deno.writeTextFile(
            `${configDir}/trustpolicy.oci.json`,
            JSON.stringify({ version: "1.0", trustPolicies: [statement("ec")] }),
          );
          const byRsa = await fx.fresh("oci-policy-rsa");
          await ocisignSign(fx, byRsa, "rsa", "jws");
          const byEc = await fx.fresh("oci-policy-ec");
          await peerSign(fx, byEc, fx.pki.ec, "jws");
          // [ocisign, notation-peer] exit codes: each tool applies its own file's statement.
          for (const [layout, expected] of [[byRsa, [3, 0]], [byEc, [0, 1]]] as const) {
            const ours = await fx.ocisign(
              ["verify", "--oci-layout", `${layout}:v1`, "--scope", SCOPE],
              { configDir },
            );
            const theirs = await peerVerify(fx, layout, [], configDir);
            assertEquals(
              [ours.code, theirs.code],
              expected,
              `${layout}\n--- ocisign: ${describeRun(ours)}\n--- notation-peer: ${
                describeRun(theirs)
              }`,
            );
          }
        },
      );

      await t.step({
        name: "a layout made by umoci and skopeo copy is signed and verified both ways",
        ignore: SKOPEO === undefined || UMOCI === undefined,
        fn: async () => {
          const init = await runPeer(UMOCI!, ["init", "--layout", `${dir}/umoci`]);
          assertEquals(init.code, 0, describeRun(init));
          const made = await runPeer(UMOCI!, ["new", "--image", `${dir}/umoci:v1`]);
          assertEquals(made.code, 0, describeRun(made));
          const layout = `${dir}/skopeo`;
          const copied = await runPeer(SKOPEO!, [
            "copy",
            "--quiet",
            `oci:${dir}/umoci:v1`,
            `oci:${layout}:v1`,
          ]);
          assertEquals(copied.code, 0, describeRun(copied));

          const ourSig = await ocisignSign(fx, layout, "ec", "cose");
          const theirSig = await peerSign(fx, layout, fx.pki.rsa, "jws");
          const listed = await fx.peer(["list", "--oci-layout", `${layout}:v1`]);
          assertEquals(listed.stdout.trim().split("\n").sort(), [ourSig, theirSig].sort());
          const theirs = await peerVerify(fx, layout);
          assertEquals(theirs.code, 0, describeRun(theirs));
          const ours = await fx.ocisign([
            "list",
            "--oci-layout",
            `${layout}:v1`,
            "-o",
            "json",
          ]);
          const digests = (stdoutJson(ours).signatures as Array<{ digest: string }>)
            .map((s) => s.digest).sort();
          assertEquals(digests, [ourSig, theirSig].sort());
          const verified = await ocisignVerify(fx, layout);
          assertEquals(verified.code, 0, describeRun(verified));
          const inspected = await runPeer(SKOPEO!, ["inspect", `oci:${layout}:v1`]);
          assertEquals(inspected.code, 0, describeRun(inspected));

          // umoci's garbage collection keeps the signatures: index.json lists their manifests.
          const gc = await runPeer(UMOCI!, ["gc", "--layout", layout]);
          assertEquals(gc.code, 0, describeRun(gc));
          const afterGc = await fx.peer(["list", "--oci-layout", `${layout}:v1`]);
          assertEquals(afterGc.stdout.trim().split("\n").sort(), [ourSig, theirSig].sort());
          const verifiedAfterGc = await ocisignVerify(fx, layout);
          assertEquals(verifiedAfterGc.code, 0, describeRun(verifiedAfterGc));
        },
      });
    }),
});
