import { assert, assertEquals } from "../_helpers/assert.ts";
import { MemoryTrustStore } from "../../lib/trust/mod.ts";
import type { TrustPolicyStatement, TrustStore } from "../../lib/trust/mod.ts";
import { loggedFailures, verifyEnvelope } from "../../lib/verify/mod.ts";
import type { VerificationOutcome, VerifyEnvelopeOptions } from "../../lib/verify/mod.ts";
import type { Descriptor } from "../../lib/oci/descriptor.ts";
import { MEDIA_TYPE_JWS } from "../../lib/oci/media_types.ts";
import { OPENSSL_MISSING } from "./_openssl_pki.ts";
import type { TestCert } from "./_openssl_pki.ts";
import { makeVerifyPki } from "./_pki_fixture.ts";
import { makeJws } from "./_jws.ts";
import type { JwsOptions } from "./_jws.ts";

const SUBJECT: Descriptor = {
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  digest: "sha256:" + "ab".repeat(32),
  size: 1234,
};
const HOUR = 3600_000;
const IDENTITY = "x509.subject: C=US, ST=WA, O=wabbit-networks.io";

function statement(
  level: string,
  extra: Partial<TrustPolicyStatement> & { override?: Record<string, string> } = {},
): TrustPolicyStatement {
  const { override, ...rest } = extra;
  return {
    name: "wabbit",
    registryScopes: ["*"],
    signatureVerification: { level, ...(override ? { override } : {}) },
    trustStores: ["ca:wabbit"],
    trustedIdentities: [IDENTITY],
    ...rest,
  };
}

function assertFailed(outcome: VerificationOutcome, code: string, messagePart?: string): void {
  assert(outcome.error, "expected the outcome to fail");
  assertEquals(outcome.error.code, code, outcome.error.message);
  if (messagePart) assert(outcome.error.message.includes(messagePart), outcome.error.message);
}

function assertPassed(outcome: VerificationOutcome): void {
  assertEquals(outcome.error?.message, undefined);
}

Deno.test({
  name: "verifyEnvelope() checks trust, identity, time and the subject per level",
  ignore: OPENSSL_MISSING,
}, async (t) => {
  const p = await makeVerifyPki();
  try {
    const chain = (leaf: TestCert, root: TestCert) => [leaf.der, root.der];
    const trustStore: TrustStore = new MemoryTrustStore({
      "ca:wabbit": [p.root.pem],
      "ca:acme": [p.otherRoot.pem],
      "signingAuthority:wabbit-sa": [p.root.der],
    });
    const payload = (target: Partial<Descriptor> & Record<string, unknown> = {}) => ({
      targetArtifact: { ...SUBJECT, ...target },
    });
    const sign = (o: Partial<JwsOptions> = {}) =>
      makeJws({ keyPem: p.leaf.keyPem, chain: chain(p.leaf, p.root), payload: payload(), ...o });
    const verify = async (envelope: Uint8Array, o: Partial<VerifyEnvelopeOptions> = {}) =>
      await verifyEnvelope(envelope as Uint8Array<ArrayBuffer>, {
        mediaType: MEDIA_TYPE_JWS,
        subject: SUBJECT,
        policy: statement("strict"),
        trustStore,
        ...o,
      });
    const good = await sign();

    await t.step("passes a good signature at strict, in notation's step order", async () => {
      const outcome = await verify(good);
      assertPassed(outcome);
      assertEquals(outcome.results.map((r) => [r.type, r.action, r.error?.code]), [
        ["integrity", "enforce", undefined],
        ["authenticity", "enforce", undefined],
        ["expiry", "enforce", undefined],
        ["authenticTimestamp", "enforce", undefined],
        ["revocation", "skip", undefined],
      ]);
      assert(outcome.results[4]!.note?.includes("no revocation client"));
      assertEquals(outcome.targetArtifact, SUBJECT);
      assertEquals(outcome.content?.signerInfo.signedAttributes.signingScheme, "notary.x509");
    });

    await t.step("fails integrity at every level when the envelope was tampered with", async () => {
      const text = new TextDecoder().decode(good);
      const env = JSON.parse(text);
      const sig = env.signature as string;
      env.signature = (sig[0] === "A" ? "B" : "A") + sig.slice(1);
      const tampered = new TextEncoder().encode(JSON.stringify(env));
      for (const level of ["strict", "permissive", "audit"]) {
        const outcome = await verify(tampered, { policy: statement(level) });
        assertFailed(outcome, "ERR_SIGNATURE_INTEGRITY");
        assertEquals(outcome.results.length, 1);
        assertEquals(outcome.content, undefined);
      }
      const garbage = await verify(new TextEncoder().encode("{not json"));
      assertEquals(garbage.results[0]!.type, "integrity");
      assert(garbage.error, "garbage must fail");
    });

    await t.step("fails authenticity when the chain leads to no trusted certificate", async () => {
      const foreign = await makeJws({
        keyPem: p.otherLeaf.keyPem,
        chain: chain(p.otherLeaf, p.otherRoot),
        payload: payload(),
      });
      assertFailed(
        await verify(foreign),
        "ERR_SIGNATURE_AUTHENTICITY",
        "no certificate of the signing chain is in the trust store",
      );
      assertFailed(
        await verify(foreign, { policy: statement("permissive") }),
        "ERR_SIGNATURE_AUTHENTICITY",
      );
      // audit logs the authenticity failure and passes
      const audit = await verify(foreign, { policy: statement("audit") });
      assertPassed(audit);
      assertEquals(loggedFailures(audit).map((r) => [r.type, r.error?.code]), [
        ["authenticity", "ERR_SIGNATURE_AUTHENTICITY"],
      ]);
      // an override can enforce it again
      assertFailed(
        await verify(foreign, {
          policy: statement("audit", { override: { authenticity: "enforce" } }),
        }),
        "ERR_SIGNATURE_AUTHENTICITY",
      );
      // a store holding the other root makes it authentic
      assertPassed(
        await verify(foreign, { policy: statement("strict", { trustStores: ["ca:acme"] }) }),
      );
    });

    await t.step("uses the store type of the signing scheme", async () => {
      const sa = await sign({ scheme: "notary.x509.signingAuthority" });
      // root only in a ca store: an SA signature must not be trusted
      assertFailed(
        await verify(sa),
        "ERR_SIGNATURE_AUTHENTICITY",
        "no trusted certificates are found",
      );
      assertPassed(
        await verify(sa, {
          policy: statement("strict", { trustStores: ["signingAuthority:wabbit-sa"] }),
        }),
      );
      // and the reverse: an x509 signature with the root only in a signingAuthority store
      assertFailed(
        await verify(good, {
          policy: statement("strict", { trustStores: ["signingAuthority:wabbit-sa"] }),
        }),
        "ERR_SIGNATURE_AUTHENTICITY",
        "no trusted certificates are found",
      );
      // a store that cannot be loaded is an authenticity failure
      assertFailed(
        await verify(good, { policy: statement("strict", { trustStores: ["ca:missing"] }) }),
        "ERR_SIGNATURE_AUTHENTICITY",
        `error while loading the trust store, the trust store "missing" of type "ca" does not exist`,
      );
    });

    await t.step("matches trusted identities exactly", async () => {
      assertPassed(
        await verify(good, { policy: statement("strict", { trustedIdentities: ["*"] }) }),
      );
      assertPassed(
        await verify(good, {
          policy: statement("strict", {
            trustedIdentities: [
              "x509.subject: C=US, ST=WA, L=Seattle, O=wabbit-networks.io, CN=signer",
            ],
          }),
        }),
      );
      for (
        const near of [
          "O=Wabbit-networks.io",
          "O=wabbit-networks.io, CN=Signer",
          "O=wabbit-networks.io, L=seattle",
        ]
      ) {
        const outcome = await verify(good, {
          policy: statement("strict", {
            trustedIdentities: [`x509.subject: C=US, ST=WA, ${near}`],
          }),
        });
        assertFailed(
          outcome,
          "ERR_SIGNATURE_TRUSTED_IDENTITY",
          "signing certificate from the digital signature does not match the X.509 trusted identities",
        );
        assertEquals(outcome.results.at(-1)!.type, "authenticity");
      }
      // audit logs the identity failure on the authenticity result and passes
      const audit = await verify(good, {
        policy: statement("audit", { trustedIdentities: ["x509.subject: C=US, ST=WA, O=acme"] }),
      });
      assertPassed(audit);
      assertEquals(loggedFailures(audit)[0]?.error?.code, "ERR_SIGNATURE_TRUSTED_IDENTITY");
      // leaves with an emailAddress RDN or two OUs cannot be matched against a DN identity
      const email = await makeJws({
        keyPem: p.emailLeaf.keyPem,
        chain: chain(p.emailLeaf, p.root),
        payload: payload(),
      });
      assertFailed(
        await verify(email),
        "ERR_SIGNATURE_TRUSTED_IDENTITY",
        "error while parsing the certificate subject",
      );
      assertPassed(
        await verify(email, { policy: statement("strict", { trustedIdentities: ["*"] }) }),
      );
      const twoOu = await makeJws({
        keyPem: p.twoOuLeaf.keyPem,
        chain: chain(p.twoOuLeaf, p.root),
        payload: payload(),
      });
      assertFailed(await verify(twoOu), "ERR_SIGNATURE_TRUSTED_IDENTITY", "multi-valued RDN");
      // only non-x509 identities: nothing to match natively
      assertFailed(
        await verify(good, { policy: statement("strict", { trustedIdentities: ["kms.key:abc"] }) }),
        "ERR_SIGNATURE_TRUSTED_IDENTITY",
        `no x509 trusted identities are configured in the trust policy "wabbit"`,
      );
    });

    await t.step("enforces expiry at strict and logs it at permissive", async () => {
      const expired = await sign({
        signingTime: new Date(Date.now() - 2 * HOUR),
        expiry: new Date(Date.now() - HOUR),
      });
      assertFailed(
        await verify(expired),
        "ERR_SIGNATURE_EXPIRED",
        "digital signature has expired on",
      );
      const permissive = await verify(expired, { policy: statement("permissive") });
      assertPassed(permissive);
      assertEquals(loggedFailures(permissive).map((r) => r.type), ["expiry"]);
      assertPassed(
        await verify(expired, { policy: statement("strict", { override: { expiry: "log" } }) }),
      );
      const fresh = await sign({ expiry: new Date(Date.now() + HOUR) });
      assertPassed(await verify(fresh));
    });

    await t.step(
      "checks certificate validity now for notary.x509 without a timestamp",
      async () => {
        const later = new Date(Date.now() + 3 * 24 * HOUR);
        assertFailed(
          await verify(good, { now: later }),
          "ERR_SIGNATURE_AUTHENTIC_TIMESTAMP",
          "verification time is after certificate",
        );
        const permissive = await verify(good, { now: later, policy: statement("permissive") });
        assertPassed(permissive);
        assertEquals(loggedFailures(permissive).map((r) => r.type), ["authenticTimestamp"]);
        assertFailed(
          await verify(good, { now: new Date(Date.now() - 3 * 24 * HOUR) }),
          "ERR_SIGNATURE_AUTHENTIC_TIMESTAMP",
          "verification time is before certificate",
        );
      },
    );

    await t.step(
      "requires the authentic signing time inside every certificate's validity (SA)",
      async () => {
        const policy = statement("strict", { trustStores: ["signingAuthority:wabbit-sa"] });
        const before = await sign({
          scheme: "notary.x509.signingAuthority",
          signingTime: new Date(Date.now() - 3 * 24 * HOUR),
        });
        assertFailed(
          await verify(before, { policy }),
          "ERR_SIGNATURE_AUTHENTIC_TIMESTAMP",
          "was not valid when the digital signature was produced at",
        );
        const inside = await sign({
          scheme: "notary.x509.signingAuthority",
          signingTime: new Date(Date.now() - 24 * HOUR),
        });
        assertPassed(await verify(inside, { policy }));
        // the current time does not matter for the SA scheme
        assertPassed(await verify(inside, { policy, now: new Date(Date.now() + 5 * 24 * HOUR) }));
      },
    );

    await t.step("requires the payload to name the subject, even at audit", async () => {
      const cases: [string, Partial<Descriptor>][] = [
        ["digest", { digest: "sha256:" + "cd".repeat(32) }],
        ["size", { size: 1235 }],
        ["mediaType", { mediaType: "application/vnd.docker.distribution.manifest.v2+json" }],
      ];
      for (const [, change] of cases) {
        const other = await sign({ payload: payload(change) });
        for (const level of ["strict", "audit"]) {
          const outcome = await verify(other, { policy: statement(level) });
          assertFailed(outcome, "ERR_SIGNATURE_SUBJECT_MISMATCH", "content descriptor mismatch");
        }
      }
      // annotations on the subject do not matter
      assertPassed(await verify(good, { subject: { ...SUBJECT, annotations: { a: "b" } } }));
    });

    await t.step("requires every requested user metadata pair to be signed", async () => {
      const withMeta = await sign({
        payload: payload({ annotations: { buildId: "42", team: "blue" } }),
      });
      assertPassed(await verify(withMeta, { userMetadata: { buildId: "42" } }));
      assertPassed(await verify(withMeta, { userMetadata: { buildId: "42", team: "blue" } }));
      assertFailed(
        await verify(withMeta, { userMetadata: { buildId: "43" } }),
        "ERR_SIGNATURE_USER_METADATA",
        "unable to find specified metadata in the signature",
      );
      assertFailed(
        await verify(withMeta, { userMetadata: { commit: "abc" }, policy: statement("audit") }),
        "ERR_SIGNATURE_USER_METADATA",
      );
      assertFailed(
        await verify(good, { userMetadata: { buildId: "42" } }),
        "ERR_SIGNATURE_USER_METADATA",
      );
    });

    await t.step("skips everything at level skip", async () => {
      const outcome = await verify(new TextEncoder().encode("not an envelope"), {
        policy: { ...statement("skip"), trustStores: [], trustedIdentities: [] },
      });
      assertPassed(outcome);
      assertEquals(outcome.level.name, "skip");
      assertEquals(outcome.results, []);
    });

    await t.step(
      "reports revocation as skipped without a note when the policy skips it",
      async () => {
        const outcome = await verify(good, {
          policy: statement("strict", { override: { revocation: "skip" } }),
        });
        assertPassed(outcome);
        assertEquals(outcome.results.at(-1), { type: "revocation", action: "skip" });
      },
    );
  } finally {
    await p.pki.close();
  }
});
