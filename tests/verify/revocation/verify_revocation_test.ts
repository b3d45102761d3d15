import { assert, assertEquals } from "../../_helpers/assert.ts";
import { MemoryTrustStore } from "../../../lib/trust/mod.ts";
import type { TrustPolicyStatement } from "../../../lib/trust/mod.ts";
import { loggedFailures, verifyEnvelope } from "../../../lib/verify/mod.ts";
import type { VerificationOutcome, VerifyEnvelopeOptions } from "../../../lib/verify/mod.ts";
import type { Descriptor } from "../../../lib/oci/descriptor.ts";
import { MEDIA_TYPE_JWS } from "../../../lib/oci/media_types.ts";
import {
  LEAF_EXTENSIONS,
  OPENSSL_MISSING,
  timestampToken,
  TSA_EXTENSIONS,
} from "../_openssl_pki.ts";
import type { TestCert } from "../_openssl_pki.ts";
import { makeJws } from "../_jws.ts";
import { makeRevocationPki } from "../../x509/revocation/_revocation_pki.ts";

const SUBJECT: Descriptor = {
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  digest: "sha256:" + "cd".repeat(32),
  size: 4321,
};
const LEAF_SUBJECT = "CN=Revocable Signer,O=wabbit-networks.io,ST=WA,C=US";
const INT_SUBJECT = "CN=Revocation Intermediate,O=wabbit-networks.io,ST=WA,C=US";

function statement(level: string, override?: Record<string, string>): TrustPolicyStatement {
  return {
    name: "wabbit",
    registryScopes: ["*"],
    signatureVerification: { level, ...(override ? { override } : {}) },
    trustStores: ["ca:wabbit"],
    trustedIdentities: ["*"],
  };
}

function revocationResult(outcome: VerificationOutcome) {
  return outcome.results.find((r) => r.type === "revocation");
}

Deno.test({
  name: "verifyEnvelope() checks revocation with OCSP and CRL as the policy level says",
  ignore: OPENSSL_MISSING,
}, async (t) => {
  const p = await makeRevocationPki();
  try {
    const trustStore = new MemoryTrustStore({ "ca:wabbit": [p.root.pem] });
    const sign = (leaf: TestCert) =>
      makeJws({
        keyPem: leaf.keyPem,
        chain: [leaf.der, p.int.der, p.root.der],
        payload: { targetArtifact: SUBJECT },
      });
    const verify = async (envelope: Uint8Array, o: Partial<VerifyEnvelopeOptions> = {}) =>
      await verifyEnvelope(envelope as Uint8Array<ArrayBuffer>, {
        mediaType: MEDIA_TYPE_JWS,
        subject: SUBJECT,
        policy: statement("strict"),
        trustStore,
        revocationClient: { fetch, ocspTimeoutMs: 500, crlTimeoutMs: 500 },
        ...o,
      });
    const envelope = await sign(p.leaf);

    await t.step("passes a chain whose OCSP responders answer good", async () => {
      const before = p.ocspRequests.int;
      const outcome = await verify(envelope);
      assertEquals(outcome.error?.message, undefined);
      assertEquals(revocationResult(outcome), { type: "revocation", action: "enforce" });
      assertEquals(p.ocspRequests.int, before + 1);
    });

    await t.step("without a revocation client, skips revocation with a note", async () => {
      const outcome = await verify(envelope, { revocationClient: undefined });
      assertEquals(outcome.error, undefined);
      const r = revocationResult(outcome)!;
      assertEquals(r.action, "skip");
      assert(r.note?.includes("no revocation client"), r.note);
    });

    await t.step("passes certificates without OCSP or CRL endpoints (non-revokable)", async () => {
      const plain = await p.issueLeaf("/C=US/O=wabbit-networks.io/CN=Plain Signer", {});
      const outcome = await verify(await sign(plain));
      assertEquals(outcome.error?.message, undefined);
      assertEquals(revocationResult(outcome)?.error, undefined);
    });

    const revoked = await p.issueLeaf("/C=US/ST=WA/O=wabbit-networks.io/CN=Revoked Signer", {
      ocsp: true,
      crl: true,
    });
    await p.revoke("int", revoked, "keyCompromise");
    const revokedEnvelope = await sign(revoked);
    const revokedMessage =
      `signing certificate with subject "CN=Revoked Signer,O=wabbit-networks.io,ST=WA,C=US" is revoked`;

    await t.step(
      "fails a certificate revoked via OCSP under strict, with notation's message",
      async () => {
        const outcome = await verify(revokedEnvelope);
        assertEquals(outcome.error?.code, "ERR_SIGNATURE_REVOCATION");
        assertEquals(outcome.error?.message, revokedMessage);
        const details = outcome.error?.details as { certificates: { status: string }[] };
        assertEquals(details.certificates.map((c) => c.status), ["revoked", "ok", "nonRevokable"]);
      },
    );

    await t.step("only logs the revocation under permissive and audit", async () => {
      for (const level of ["permissive", "audit"]) {
        const outcome = await verify(revokedEnvelope, { policy: statement(level) });
        assertEquals(outcome.error, undefined);
        const logged = loggedFailures(outcome);
        assertEquals(logged.map((r) => [r.type, r.error?.message]), [
          ["revocation", revokedMessage],
        ]);
      }
    });

    await t.step("does not check revocation when the policy skips it", async () => {
      const before = p.ocspRequests.int + p.crlRequests.int;
      const outcome = await verify(revokedEnvelope, {
        policy: statement("strict", { revocation: "skip" }),
      });
      assertEquals(outcome.error, undefined);
      assertEquals(revocationResult(outcome), { type: "revocation", action: "skip" });
      assertEquals(p.ocspRequests.int + p.crlRequests.int, before);
    });

    await t.step("fails a certificate revoked via CRL only", async () => {
      const crlOnly = await p.issueLeaf("/C=US/O=wabbit-networks.io/CN=CRL Signer", { crl: true });
      const crlEnvelope = await sign(crlOnly);
      await p.publishCrl("int");
      assertEquals((await verify(crlEnvelope)).error?.message, undefined);
      await p.revoke("int", crlOnly);
      await p.publishCrl("int");
      const outcome = await verify(crlEnvelope);
      assertEquals(
        outcome.error?.message,
        `signing certificate with subject "CN=CRL Signer,O=wabbit-networks.io,C=US" is revoked`,
      );
    });

    await t.step(
      "ignores a revocation whose invalidity date follows an authentic signing time",
      async () => {
        const later = await p.issueLeaf("/C=US/O=wabbit-networks.io/CN=Compromised Later", {
          ocsp: true,
          crl: true,
        });
        const compromise = new Date(Date.now() + 3600_000).toISOString().replace(/[-:T]/g, "")
          .slice(0, 14) + "Z";
        // openssl ca index syntax: keyTime,<time> = keyCompromise with an invalidity date
        await p.revoke("int", later, `keyTime,${compromise}`);
        await p.publishCrl("int");
        const sa = await makeJws({
          keyPem: later.keyPem,
          chain: [later.der, p.int.der, p.root.der],
          payload: { targetArtifact: SUBJECT },
          scheme: "notary.x509.signingAuthority",
        });
        const saTrust = new MemoryTrustStore({ "signingAuthority:wabbit": [p.root.pem] });
        const saPolicy = { ...statement("strict"), trustStores: ["signingAuthority:wabbit"] };
        const viaOcsp = await verify(sa, { policy: saPolicy, trustStore: saTrust });
        assertEquals(viaOcsp.error?.message, undefined);
        p.ocspMode.int = "status500";
        try {
          const viaCrl = await verify(sa, { policy: saPolicy, trustStore: saTrust });
          assertEquals(viaCrl.error?.message, undefined);
        } finally {
          p.ocspMode.int = "ok";
        }
        // notary.x509: the signing time is not authentic, so the revocation counts
        const x509 = await verify(await sign(later));
        assertEquals(x509.error?.code, "ERR_SIGNATURE_REVOCATION");
      },
    );

    await t.step("names a revoked intermediate", async () => {
      const saved = p.ocspMode.root;
      await p.revoke("root", p.int, "cACompromise");
      try {
        const outcome = await verify(envelope);
        assertEquals(
          outcome.error?.message,
          `signing certificate with subject ${JSON.stringify(INT_SUBJECT)} is revoked`,
        );
      } finally {
        p.ocspMode.root = saved;
      }
    });
  } finally {
    await p.close();
  }
});

Deno.test({
  name: "verifyEnvelope() fails closed when the revocation status is unknown",
  ignore: OPENSSL_MISSING,
}, async (t) => {
  const p = await makeRevocationPki();
  try {
    const trustStore = new MemoryTrustStore({ "ca:wabbit": [p.root.pem] });
    const ocspOnly = await p.issueLeaf("/C=US/ST=WA/O=wabbit-networks.io/CN=Revocable Signer", {
      ocsp: true,
    });
    const envelope = await makeJws({
      keyPem: ocspOnly.keyPem,
      chain: [ocspOnly.der, p.int.der, p.root.der],
      payload: { targetArtifact: SUBJECT },
    });
    const verify = async (level = "strict") =>
      await verifyEnvelope(envelope, {
        mediaType: MEDIA_TYPE_JWS,
        subject: SUBJECT,
        policy: statement(level),
        trustStore,
        revocationClient: { fetch, ocspTimeoutMs: 300 },
      });
    const unknown =
      `signing certificate with subject "${LEAF_SUBJECT}" revocation status is unknown`;
    const hint =
      `; for an offline signing station, set "signatureVerification": {"level": "strict", "override": {"revocation": "skip"}} in the trust policy (ocisign policy init --revocation skip)`;
    const reasons = {
      garbage: "bad answer",
      status500: "HTTP 500",
      hang: "timeout",
      noEku: "bad answer",
      otherCa: "bad answer",
      noNextUpdate: "bad answer",
    } as const;
    for (const [mode, reason] of Object.entries(reasons)) {
      await t.step(`strict fails when the OCSP responder gives ${mode}`, async () => {
        p.ocspMode.int = mode as keyof typeof reasons;
        try {
          const outcome = await verify();
          assertEquals(outcome.error?.code, "ERR_SIGNATURE_REVOCATION");
          // notation's wording first, then the URL, the reason and the way out
          assertEquals(
            outcome.error?.message,
            `${unknown} (OCSP ${p.base}/ocsp/int: ${reason})${hint}`,
          );
        } finally {
          p.ocspMode.int = "ok";
        }
      });
    }

    const verifyLeaf = async (leaf: TestCert) =>
      await verifyEnvelope(
        await makeJws({
          keyPem: leaf.keyPem,
          chain: [leaf.der, p.int.der, p.root.der],
          payload: { targetArtifact: SUBJECT },
        }),
        {
          mediaType: MEDIA_TYPE_JWS,
          subject: SUBJECT,
          policy: statement("strict"),
          trustStore,
          revocationClient: { fetch, ocspTimeoutMs: 2000, crlTimeoutMs: 2000 },
        },
      );

    await t.step("names a responder that does not know the certificate", async () => {
      const leaf = await p.issueLeaf("/C=US/ST=WA/O=wabbit-networks.io/CN=Revocable Signer", {
        ocsp: true,
      });
      await p.forget("int", leaf);
      assertEquals(
        (await verifyLeaf(leaf)).error?.message,
        `${unknown} (OCSP ${p.base}/ocsp/int: certificate unknown to the responder)${hint}`,
      );
    });

    await t.step("names a refused responder and a failing CRL", async () => {
      const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const port = closed.addr.port;
      closed.close();
      const leaf = await p.issueLeaf("/C=US/ST=WA/O=wabbit-networks.io/CN=Revocable Signer", {
        crl: true,
      }, [...LEAF_EXTENSIONS, `authorityInfoAccess=OCSP;URI:http://127.0.0.1:${port}/ocsp`]);
      p.crlMode.int = "status500";
      try {
        assertEquals(
          (await verifyLeaf(leaf)).error?.message,
          `${unknown} (OCSP http://127.0.0.1:${port}/ocsp: connection refused; CRL ${p.base}/crl/int.crl: HTTP 500)${hint}`,
        );
      } finally {
        p.crlMode.int = "ok";
      }
    });

    await t.step("permissive logs an unknown status and passes", async () => {
      p.ocspMode.int = "garbage";
      try {
        const outcome = await verify("permissive");
        assertEquals(outcome.error, undefined);
        assert.ok(loggedFailures(outcome)[0]?.error?.message.startsWith(`${unknown} (OCSP `));
      } finally {
        p.ocspMode.int = "ok";
      }
    });

    await t.step("passes again once the responder answers", async () => {
      assertEquals((await verify()).error?.message, undefined);
    });
  } finally {
    await p.close();
  }
});

Deno.test({
  name: "verifyEnvelope() checks the TSA chain's revocation as part of the authentic timestamp",
  ignore: OPENSSL_MISSING,
}, async (t) => {
  const p = await makeRevocationPki();
  try {
    const tsa = await p.issueLeaf("/C=US/O=wabbit-networks.io/CN=Revocable TSA", {
      ocsp: true,
    }, TSA_EXTENSIONS);
    const trustStore = new MemoryTrustStore({
      "ca:wabbit": [p.root.pem],
      "tsa:wabbit": [p.root.pem],
    });
    const plain = await p.issueLeaf("/C=US/O=wabbit-networks.io/CN=Plain Signer", {});
    const envelope = await makeJws({
      keyPem: plain.keyPem,
      chain: [plain.der, p.int.der, p.root.der],
      payload: { targetArtifact: SUBJECT },
      timestamp: (sig) => timestampToken(p.pki, sig, { tsa, chain: [p.int, p.root] }),
    });
    const verify = async (override?: Record<string, string>, withClient = true) =>
      await verifyEnvelope(envelope, {
        mediaType: MEDIA_TYPE_JWS,
        subject: SUBJECT,
        policy: { ...statement("strict", override), trustStores: ["ca:wabbit", "tsa:wabbit"] },
        trustStore,
        ...(withClient ? { revocationClient: { fetch } } : {}),
      });

    await t.step("passes while the TSA certificate is good", async () => {
      const outcome = await verify();
      assertEquals(outcome.error?.message, undefined);
      const ts = outcome.results.find((r) => r.type === "authenticTimestamp")!;
      assertEquals(ts.note, undefined);
    });

    await t.step("an unknown TSA status names the authenticTimestamp override", async () => {
      p.ocspMode.int = "garbage";
      try {
        const outcome = await verify();
        assertEquals(outcome.error?.code, "ERR_SIGNATURE_AUTHENTIC_TIMESTAMP");
        const message = outcome.error!.message;
        assert.match(message, /revocation status is unknown/);
        assert.match(message, new RegExp(`OCSP ${p.base}/ocsp/int: `));
        assert.ok(
          message.endsWith(
            `"override": {"authenticTimestamp": "log"} in the trust policy's signatureVerification ("revocation": "skip" does not cover the timestamping chain, as in notation)`,
          ),
          message,
        );
        // as notation: skipping revocation leaves the TSA chain's check in place
        assertEquals((await verify({ revocation: "skip" })).error?.message, message);
        const logged = await verify({ authenticTimestamp: "log" });
        assertEquals(logged.error, undefined);
        assertEquals(loggedFailures(logged)[0]?.error?.message, message);
      } finally {
        p.ocspMode.int = "ok";
      }
    });

    await t.step("fails the authentic timestamp once the TSA certificate is revoked", async () => {
      await p.revoke("int", tsa);
      const message =
        `timestamping certificate with subject "CN=Revocable TSA,O=wabbit-networks.io,C=US" is revoked`;
      const outcome = await verify();
      assertEquals(outcome.error?.code, "ERR_SIGNATURE_AUTHENTIC_TIMESTAMP");
      assertEquals(outcome.error?.message, message);
      // notation: it belongs to the timestamp check, so skipping revocation does not skip it
      const skipped = await verify({ revocation: "skip" });
      assertEquals(skipped.error?.message, message);
      const noClient = await verify(undefined, false);
      assertEquals(noClient.error, undefined);
      assert(
        noClient.results.find((r) => r.type === "authenticTimestamp")!.note?.includes(
          "no revocation client",
        ),
      );
    });
  } finally {
    await p.close();
  }
});
