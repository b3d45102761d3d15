import { assert, assertEquals } from "../_helpers/assert.ts";
import { MemoryTrustStore } from "../../lib/trust/mod.ts";
import type { TrustPolicyStatement } from "../../lib/trust/mod.ts";
import { loggedFailures, verifyEnvelope } from "../../lib/verify/mod.ts";
import { verifyTimestampToken } from "../../lib/signature/mod.ts";
import type { VerificationOutcome, VerifyEnvelopeOptions } from "../../lib/verify/mod.ts";
import type { Descriptor } from "../../lib/oci/descriptor.ts";
import { MEDIA_TYPE_JWS } from "../../lib/oci/media_types.ts";
import { parseCertificate } from "../../lib/x509/certificate.ts";
import {
  CA_EXTENSIONS,
  LEAF_EXTENSIONS,
  OPENSSL_MISSING,
  timestampToken,
  TSA_EXTENSIONS,
} from "./_openssl_pki.ts";
import type { TimestampOptions } from "./_openssl_pki.ts";
import { makeVerifyPki } from "./_pki_fixture.ts";
import { makeJws } from "./_jws.ts";
import type { JwsOptions } from "./_jws.ts";

const SUBJECT: Descriptor = {
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  digest: "sha256:" + "ab".repeat(32),
  size: 1234,
};
const HOUR = 3600_000;
const DAY = 24 * HOUR;

function statement(level: string, trustStores: string[]): TrustPolicyStatement {
  return {
    name: "wabbit",
    registryScopes: ["*"],
    signatureVerification: { level },
    trustStores,
    trustedIdentities: ["*"],
  };
}

function assertFailed(outcome: VerificationOutcome, code: string, messagePart: string): void {
  assert(outcome.error, "expected the outcome to fail");
  assertEquals(outcome.error.code, code, outcome.error.message);
  assert(outcome.error.message.includes(messagePart), outcome.error.message);
}

Deno.test({
  name: "verifyEnvelope() verifies RFC 3161 timestamp countersignatures",
  ignore: OPENSSL_MISSING,
}, async (t) => {
  const p = await makeVerifyPki();
  try {
    const tsaRoot = await p.pki.cert({
      subject: "/C=US/ST=WA/O=TSA/CN=TSA Root",
      extensions: CA_EXTENSIONS,
    });
    const tsa = await p.pki.cert({
      subject: "/C=US/ST=WA/O=TSA/CN=TSA",
      extensions: TSA_EXTENSIONS,
      issuer: tsaRoot,
    });
    const ecTsa = await p.pki.cert({
      subject: "/C=US/ST=WA/O=TSA/CN=EC TSA",
      extensions: TSA_EXTENSIONS,
      issuer: tsaRoot,
      key: "ec:P-384",
    });
    const sloppyTsa = await p.pki.cert({
      subject: "/C=US/ST=WA/O=TSA/CN=Sloppy TSA",
      extensions: ["keyUsage=critical,nonRepudiation", "extendedKeyUsage=critical,timeStamping"],
      issuer: tsaRoot,
    });
    const futureLeaf = await p.pki.cert({
      subject: "/C=US/ST=WA/O=wabbit-networks.io/CN=future",
      extensions: LEAF_EXTENSIONS,
      issuer: p.root,
      key: "ec:P-256",
      notBefore: new Date(Date.now() + HOUR),
      notAfter: new Date(Date.now() + 2 * DAY),
    });
    const trustStore = new MemoryTrustStore({
      "ca:wabbit": [p.root.pem],
      "signingAuthority:wabbit": [p.root.pem],
      "tsa:tsa": [tsaRoot.pem],
      "tsa:other": [p.otherRoot.pem],
    });
    const withTsa = statement("strict", ["ca:wabbit", "tsa:tsa"]);
    const stamp = (o: Partial<TimestampOptions> = {}) => (sig: Uint8Array) =>
      timestampToken(p.pki, sig, { tsa, chain: [tsaRoot], ...o });
    const sign = (o: Partial<JwsOptions> = {}) =>
      makeJws({
        keyPem: p.leaf.keyPem,
        chain: [p.leaf.der, p.root.der],
        payload: { targetArtifact: SUBJECT },
        timestamp: stamp(),
        ...o,
      });
    const verify = (envelope: Uint8Array, o: Partial<VerifyEnvelopeOptions> = {}) =>
      verifyEnvelope(envelope as Uint8Array<ArrayBuffer>, {
        mediaType: MEDIA_TYPE_JWS,
        subject: SUBJECT,
        policy: withTsa,
        trustStore,
        ...o,
      });
    const stamped = await sign();

    await t.step("accepts a valid token, also after the signing certificate expired", async () => {
      const outcome = await verify(stamped);
      assertEquals(outcome.error?.message, undefined);
      const ts = outcome.results.find((r) => r.type === "authenticTimestamp")!;
      assertEquals(ts.error, undefined);
      assert(ts.note?.includes("revocation"));
      // three days later the leaf has expired, but the timestamp proves when it signed
      assertEquals(
        (await verify(stamped, { now: new Date(Date.now() + 3 * DAY) })).error?.message,
        undefined,
      );
      // without a tsa store the current time decides
      assertFailed(
        await verify(stamped, {
          now: new Date(Date.now() + 3 * DAY),
          policy: statement("strict", ["ca:wabbit"]),
        }),
        "ERR_SIGNATURE_AUTHENTIC_TIMESTAMP",
        "verification time is after certificate",
      );
    });

    await t.step("accepts SHA-384/512 imprints and an ECDSA TSA", async () => {
      for (const o of [{ hash: "sha384" as const }, { hash: "sha512" as const }, { tsa: ecTsa }]) {
        const outcome = await verify(await sign({ timestamp: stamp(o) }));
        assertEquals(outcome.error?.message, undefined);
      }
    });

    await t.step("requires a token when the policy names a tsa store", async () => {
      const bare = await sign({ timestamp: undefined });
      assertFailed(
        await verify(bare),
        "ERR_SIGNATURE_AUTHENTIC_TIMESTAMP",
        "no timestamp countersignature was found",
      );
      const permissive = await verify(bare, {
        policy: statement("permissive", ["ca:wabbit", "tsa:tsa"]),
      });
      assertEquals(permissive.error, undefined);
      assertEquals(loggedFailures(permissive).map((r) => r.type), ["authenticTimestamp"]);
      // afterCertExpiry: not needed while the certificates are valid
      const after = statement("strict", ["ca:wabbit", "tsa:tsa"]);
      after.signatureVerification.verifyTimestamp = "afterCertExpiry";
      assertEquals((await verify(bare, { policy: after })).error, undefined);
      assertFailed(
        await verify(bare, { policy: after, now: new Date(Date.now() + 3 * DAY) }),
        "ERR_SIGNATURE_AUTHENTIC_TIMESTAMP",
        "no timestamp countersignature",
      );
    });

    await t.step(
      "rejects a token over other bytes, from an untrusted TSA, or tampered",
      async () => {
        const otherBytes = await sign({
          timestamp: () =>
            timestampToken(p.pki, new Uint8Array([1, 2, 3]), { tsa, chain: [tsaRoot] }),
        });
        assertFailed(
          await verify(otherBytes),
          "ERR_SIGNATURE_AUTHENTIC_TIMESTAMP",
          "message imprint does not match",
        );
        assertFailed(
          await verify(stamped, { policy: statement("strict", ["ca:wabbit", "tsa:other"]) }),
          "ERR_SIGNATURE_AUTHENTIC_TIMESTAMP",
          "does not chain to a certificate of the policy's tsa trust stores",
        );
        assertFailed(
          await verify(stamped, { policy: statement("strict", ["ca:wabbit", "tsa:missing"]) }),
          "ERR_SIGNATURE_AUTHENTIC_TIMESTAMP",
          "failed to load the tsa trust stores",
        );
        const tampered = await sign({
          timestamp: async (sig) => {
            const token = await timestampToken(p.pki, sig, { tsa, chain: [tsaRoot] });
            token[token.length - 5]! ^= 0x01;
            return token;
          },
        });
        assertFailed(
          await verify(tampered),
          "ERR_SIGNATURE_AUTHENTIC_TIMESTAMP",
          "timestamp token",
        );
      },
    );

    await t.step("requires signing-certificate-v2 and the timestamping profile", async () => {
      assertFailed(
        await verify(await sign({ timestamp: stamp({ essCertIdAlg: "sha1" }) })),
        "ERR_SIGNATURE_AUTHENTIC_TIMESTAMP",
        "no signing-certificate-v2 attribute",
      );
      assertFailed(
        await verify(await sign({ timestamp: stamp({ tsa: sloppyTsa }) })),
        "ERR_SIGNATURE_AUTHENTIC_TIMESTAMP",
        "lacks the digitalSignature key usage",
      );
    });

    await t.step("requires every signing certificate to be valid at the timestamp", async () => {
      const early = await makeJws({
        keyPem: futureLeaf.keyPem,
        chain: [futureLeaf.der, p.root.der],
        payload: { targetArtifact: SUBJECT },
        timestamp: stamp(),
      });
      assertFailed(
        await verify(early, { now: new Date(Date.now() + 2 * HOUR) }),
        "ERR_SIGNATURE_AUTHENTIC_TIMESTAMP",
        "timestamp can be before certificate",
      );
    });

    await t.step("ignores a token on a signingAuthority signature", async () => {
      const sa = await sign({
        scheme: "notary.x509.signingAuthority",
        timestamp: () => Promise.resolve(new Uint8Array([0x30, 0x00])),
      });
      const outcome = await verify(sa, {
        policy: statement("strict", ["signingAuthority:wabbit", "tsa:tsa"]),
      });
      assertEquals(outcome.error?.message, undefined);
    });

    await t.step("verifyTimestampToken() reports the time and the TSA chain", async () => {
      const sig = new TextEncoder().encode("signature bytes");
      const token = await timestampToken(p.pki, sig, { tsa, chain: [tsaRoot] });
      const before = Date.now();
      const result = await verifyTimestampToken(token, {
        signature: sig,
        trustedRoots: [parseCertificate(tsaRoot.pem)],
      });
      assert(Math.abs(result.genTime.getTime() - before) < 10 * 60_000);
      assertEquals(result.accuracyMs, 1000);
      assertEquals(result.tsaChain.map((c) => c.subject), [
        "CN=TSA,O=TSA,ST=WA,C=US",
        "CN=TSA Root,O=TSA,ST=WA,C=US",
      ]);
    });
  } finally {
    await p.pki.close();
  }
});
