import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { MemoryStore } from "../../lib/content/memory_store.ts";
import type { ReadOnlyGraphTarget } from "../../lib/content/storage.ts";
import type { VerificationFailedError } from "../../lib/errors.ts";
import type { Descriptor } from "../../lib/oci/descriptor.ts";
import { MEDIA_TYPE_COSE, MEDIA_TYPE_JWS } from "../../lib/oci/media_types.ts";
import { createPayload, LocalSigner, signEnvelope } from "../../lib/signature/mod.ts";
import { MemoryTrustStore, parseTrustPolicyDocument } from "../../lib/trust/mod.ts";
import type { TrustPolicyDocument } from "../../lib/trust/mod.ts";
import { inspectSignatures, listSignatures, verifyArtifact } from "../../lib/verify/mod.ts";
import type { VerifyArtifactOptions } from "../../lib/verify/mod.ts";
import { OPENSSL_MISSING } from "./_openssl_pki.ts";
import type { TestCert } from "./_openssl_pki.ts";
import { makeVerifyPki } from "./_pki_fixture.ts";
import { makeJws } from "./_jws.ts";
import { pushBlob, pushImage, pushSignature, TamperingTarget } from "./_fixtures.ts";

function policy(level = "strict", scopes = ["local/hello-world"]): TrustPolicyDocument {
  return parseTrustPolicyDocument(JSON.stringify({
    version: "1.0",
    trustPolicies: [{
      name: "hello",
      registryScopes: scopes,
      signatureVerification: { level },
      ...(level === "skip" ? {} : {
        trustStores: ["ca:wabbit"],
        trustedIdentities: ["x509.subject: C=US, ST=WA, O=wabbit-networks.io"],
      }),
    }],
  }));
}

function failures(err: unknown): [string, string][] {
  return (err as VerificationFailedError).failures.map((f) => [f.signature, f.error.code]);
}

Deno.test({
  name: "verifyArtifact() finds, fetches and verifies signatures in a target",
  ignore: OPENSSL_MISSING,
}, async (t) => {
  const p = await makeVerifyPki();
  try {
    const trustStore = new MemoryTrustStore({ "ca:wabbit": [p.root.pem] });
    const signer = async (leaf: TestCert, root: TestCert) =>
      await LocalSigner.create({ privateKey: leaf.keyPem, certificateChain: leaf.pem + root.pem });
    const good = await signer(p.leaf, p.root);
    const untrusted = await signer(p.otherLeaf, p.otherRoot);
    const sign = (subject: Descriptor, format: "jws" | "cose", s = good) =>
      signEnvelope({ format, payload: createPayload(subject), signer: s });
    const opts = (o: Partial<VerifyArtifactOptions> = {}): VerifyArtifactOptions => ({
      scope: "local/hello-world",
      policyDocument: policy(),
      trustStore,
      ...o,
    });

    await t.step("verifies a 1.x-shape JWS and a 2.x-shape COSE signature", async () => {
      for (
        const [format, mediaType, shape] of [["jws", MEDIA_TYPE_JWS, "v1"], [
          "cose",
          MEDIA_TYPE_COSE,
          "v2",
        ]] as const
      ) {
        const store = new MemoryStore();
        const subject = await pushImage(store);
        const sig = await pushSignature(store, subject, await sign(subject, format), mediaType, {
          shape,
        });
        const result = await verifyArtifact(store, "v1", opts());
        assertEquals(result.skipped, false);
        assertEquals(result.signature?.digest, sig.manifest.digest);
        assertEquals(result.reference, `local/hello-world@${subject.digest}`);
        assertEquals(result.subject, {
          mediaType: subject.mediaType,
          digest: subject.digest,
          size: subject.size,
        });
        assertEquals(result.outcome?.error, undefined);
        // by digest too
        assertEquals(
          (await verifyArtifact(store, subject.digest, opts())).signature?.digest,
          sig.manifest.digest,
        );
      }
    });

    await t.step("lets the first passing signature win after a failing one", async () => {
      const store = new MemoryStore();
      const subject = await pushImage(store);
      const bad = await pushSignature(
        store,
        subject,
        await sign(subject, "jws", untrusted),
        MEDIA_TYPE_JWS,
      );
      const ok = await pushSignature(store, subject, await sign(subject, "cose"), MEDIA_TYPE_COSE);
      const result = await verifyArtifact(store, "v1", opts());
      assertEquals(result.signature?.digest, ok.manifest.digest);
      // with a limit of one, the bad one uses up the budget
      const err = await assertRejectsCode(
        () => verifyArtifact(store, "v1", opts({ maxSignatures: 1 })),
        "ERR_VERIFICATION_FAILED",
        "signature evaluation stopped. The configured limit of 1 signatures to verify per artifact exceeded",
      );
      assertEquals(failures(err), [[bad.manifest.digest, "ERR_SIGNATURE_AUTHENTICITY"]]);
    });

    await t.step("fails with every signature's reason when none passes", async () => {
      const store = new MemoryStore();
      const subject = await pushImage(store);
      const other = await pushImage(store, "other");
      const a = await pushSignature(
        store,
        subject,
        await sign(subject, "jws", untrusted),
        MEDIA_TYPE_JWS,
      );
      // signed for another artifact but attached to this one
      const b = await pushSignature(store, subject, await sign(other, "jws"), MEDIA_TYPE_JWS);
      const expired = await makeJws({
        keyPem: p.leaf.keyPem,
        chain: [p.leaf.der, p.root.der],
        payload: JSON.parse(new TextDecoder().decode(createPayload(subject))),
        signingTime: new Date(Date.now() - 7200_000),
        expiry: new Date(Date.now() - 3600_000),
      });
      const c = await pushSignature(store, subject, expired, MEDIA_TYPE_JWS, { shape: "v2" });
      const err = await assertRejectsCode(
        () => verifyArtifact(store, "v1", opts()),
        "ERR_VERIFICATION_FAILED",
        `signature verification failed for all the signatures associated with local/hello-world@${subject.digest}`,
      );
      assertEquals(failures(err), [
        [a.manifest.digest, "ERR_SIGNATURE_AUTHENTICITY"],
        [b.manifest.digest, "ERR_SIGNATURE_SUBJECT_MISMATCH"],
        [c.manifest.digest, "ERR_SIGNATURE_EXPIRED"],
      ]);
      // permissive logs the expiry and passes that one
      const permissive = await verifyArtifact(
        store,
        "v1",
        opts({ policyDocument: policy("permissive") }),
      );
      assertEquals(permissive.signature?.digest, c.manifest.digest);
      assertEquals(
        permissive.outcome?.results.filter((r) => r.error).map((r) => [r.type, r.action]),
        [["expiry", "log"]],
      );
    });

    await t.step("says so when the artifact has no signature", async () => {
      const store = new MemoryStore();
      const subject = await pushImage(store);
      await assertRejectsCode(
        () => verifyArtifact(store, "v1", opts()),
        "ERR_VERIFICATION_FAILED",
        `no signature is associated with "local/hello-world@${subject.digest}", make sure the artifact was signed successfully`,
      );
    });

    await t.step("selects the policy by scope before fetching anything", async () => {
      const store = new MemoryStore();
      const subject = await pushImage(store);
      await pushSignature(store, subject, await sign(subject, "jws"), MEDIA_TYPE_JWS);
      await assertRejectsCode(
        () => verifyArtifact(store, "v1", opts({ scope: "local/other" })),
        "ERR_TRUST_POLICY",
        `artifact "local/other@${subject.digest}" has no applicable trust policy statement`,
      );
      // the * statement applies to any scope
      const wildcard = await verifyArtifact(
        store,
        "v1",
        opts({ scope: "localhost:5000/x", policyDocument: policy("strict", ["*"]) }),
      );
      assertEquals(wildcard.policy.name, "hello");
      // skip never fetches a signature: a target whose every fetch fails still verifies
      const failingFetch: ReadOnlyGraphTarget = {
        resolve: (r, o) => store.resolve(r, o),
        exists: (d, o) => store.exists(d, o),
        referrers: () => {
          throw new Error("referrers must not be listed at level skip");
        },
        fetch: () => Promise.reject(new Error("nothing may be fetched at level skip")),
      };
      const skipped = await verifyArtifact(
        failingFetch,
        "v1",
        opts({ policyDocument: policy("skip") }),
      );
      assertEquals(skipped.skipped, true);
      assertEquals(skipped.outcome, undefined);
    });

    await t.step("rejects tampered signature manifests and envelopes", async () => {
      const store = new MemoryStore();
      const subject = await pushImage(store);
      const sig = await pushSignature(store, subject, await sign(subject, "jws"), MEDIA_TYPE_JWS);
      const envelopeTampered = new TamperingTarget(store, [sig.envelope.digest]);
      const e1 = await assertRejectsCode(
        () => verifyArtifact(envelopeTampered, "v1", opts()),
        "ERR_VERIFICATION_FAILED",
      );
      assertEquals(failures(e1), [[sig.manifest.digest, "ERR_DIGEST_MISMATCH"]]);
      const manifestTampered = new TamperingTarget(store, [sig.manifest.digest]);
      const e2 = await assertRejectsCode(
        () => verifyArtifact(manifestTampered, "v1", opts()),
        "ERR_VERIFICATION_FAILED",
      );
      assertEquals(failures(e2), [[sig.manifest.digest, "ERR_DIGEST_MISMATCH"]]);
      // a signature manifest with two layers, then a good one
      const a = await pushBlob(store, MEDIA_TYPE_JWS, new TextEncoder().encode("{}x"));
      const two = await pushSignature(
        store,
        subject,
        new TextEncoder().encode("{}y"),
        MEDIA_TYPE_JWS,
        { layers: [a, a] },
      );
      const result = await verifyArtifact(store, "v1", opts());
      assertEquals(result.signature?.digest, sig.manifest.digest);
      assert(two.manifest.digest !== sig.manifest.digest);
    });

    await t.step("passes user metadata through to the payload check", async () => {
      const store = new MemoryStore();
      const subject = await pushImage(store);
      const payload = createPayload({ ...subject, annotations: { buildId: "42" } });
      await pushSignature(
        store,
        subject,
        await signEnvelope({ format: "jws", payload, signer: good }),
        MEDIA_TYPE_JWS,
      );
      await verifyArtifact(store, "v1", opts({ userMetadata: { buildId: "42" } }));
      const err = await assertRejectsCode(
        () => verifyArtifact(store, "v1", opts({ userMetadata: { buildId: "7" } })),
        "ERR_VERIFICATION_FAILED",
      );
      assertEquals(failures(err)[0]![1], "ERR_SIGNATURE_USER_METADATA");
    });

    await t.step("listSignatures() and inspectSignatures() describe what is there", async () => {
      const store = new MemoryStore();
      const subject = await pushImage(store);
      const payload = createPayload({ ...subject, annotations: { buildId: "42" } });
      const sig = await pushSignature(
        store,
        subject,
        await signEnvelope({
          format: "cose",
          payload,
          signer: good,
          expiry: new Date(Date.now() + 3600_000),
        }),
        MEDIA_TYPE_COSE,
      );
      const listed = await listSignatures(store, "v1");
      assertEquals(listed.signatures.map((d) => d.digest), [sig.manifest.digest]);
      const inspected = await inspectSignatures(store, "v1");
      assertEquals(inspected.signatures.length, 1);
      const s = inspected.signatures[0]!;
      assert(!("error" in s));
      assertEquals(s.digest, sig.manifest.digest);
      assertEquals(s.format, "cose");
      assertEquals(s.signatureAlgorithm, "ECDSA-SHA-256");
      assertEquals(s.signingScheme, "notary.x509");
      assert(s.expiry instanceof Date);
      assertEquals(s.signedArtifact, {
        mediaType: subject.mediaType,
        digest: subject.digest,
        size: subject.size,
      });
      assertEquals(s.userMetadata, { buildId: "42" });
      assertEquals(s.certificates.map((c) => c.issuedTo), [
        "CN=signer,O=wabbit-networks.io,L=Seattle,ST=WA,C=US",
        "CN=Wabbit Root,O=wabbit-networks.io,ST=WA,C=US",
      ]);
      assert(/^[0-9a-f]{64}$/.test(s.certificates[0]!.sha256Fingerprint));
      // an unreadable envelope is reported, not thrown
      const broken = await pushSignature(
        store,
        subject,
        new TextEncoder().encode("garbage"),
        MEDIA_TYPE_JWS,
      );
      const again = await inspectSignatures(store, "v1");
      const bad = again.signatures.find((x) => x.digest === broken.manifest.digest)!;
      assert("error" in bad && bad.error.code === "ERR_ENVELOPE_INVALID", JSON.stringify(bad));
    });
  } finally {
    await p.pki.close();
  }
});
