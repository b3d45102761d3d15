/**
 * Where ocisign and notation disagree on purpose: a critical extended attribute that the verifier
 * does not understand. The Notary Project specification requires rejecting it; notation 1.x
 * accepts it silently when no verification plugin is named. ocisign fails closed.
 */
import { assert } from "../_helpers/assert.ts";
import { getTestPki } from "../_helpers/pki.ts";
import {
  MEDIA_TYPE_COSE,
  MEDIA_TYPE_JWS,
  MEDIA_TYPE_OCI_MANIFEST,
} from "../../lib/oci/media_types.ts";
import { createPayload } from "../../lib/signature/payload.ts";
import { signEnvelope } from "../../lib/signature/sign_envelope.ts";
import { parseTrustPolicyDocument } from "../../lib/trust/trust_policy.ts";
import { MemoryTrustStore } from "../../lib/trust/trust_store.ts";
import { verifyEnvelope } from "../../lib/verify/verify_envelope.ts";

const subject = {
  mediaType: MEDIA_TYPE_OCI_MANIFEST,
  digest: `sha256:${"ab".repeat(32)}`,
  size: 42,
};

async function outcomeWith(format: "jws" | "cose", critical: boolean, key = "com.example.policy") {
  const pki = await getTestPki("EC-256");
  const envelope = await signEnvelope({
    format,
    payload: createPayload(subject),
    signer: pki.signer,
    extendedAttributes: [{ key, critical, value: "v1" }],
  });
  const policy = parseTrustPolicyDocument(JSON.stringify({
    version: "1.0",
    trustPolicies: [{
      name: "p",
      registryScopes: ["*"],
      signatureVerification: { level: "audit" },
      trustStores: ["ca:test"],
      trustedIdentities: ["*"],
    }],
  })).trustPolicies[0]!;
  return await verifyEnvelope(envelope, {
    mediaType: format === "jws" ? MEDIA_TYPE_JWS : MEDIA_TYPE_COSE,
    subject,
    policy,
    trustStore: new MemoryTrustStore({ "ca:test": [pki.root.toPem()] }),
  });
}

for (const format of ["jws", "cose"] as const) {
  Deno.test(`verifyEnvelope() rejects an unknown critical attribute (${format}), even at audit level`, async () => {
    const outcome = await outcomeWith(format, true);
    assert.equal(outcome.error?.code, "ERR_SIGNATURE_INTEGRITY");
    assert.match(
      outcome.error!.message,
      /critical attribute\(s\) ocisign does not understand: "com\.example\.policy"/,
    );
  });

  Deno.test(`verifyEnvelope() accepts the same attribute when it is not critical (${format})`, async () => {
    const outcome = await outcomeWith(format, false);
    assert.equal(outcome.error, undefined, outcome.error?.message);
  });

  Deno.test(`verifyEnvelope() rejects a signature that needs a verification plugin (${format})`, async () => {
    const outcome = await outcomeWith(format, true, "io.cncf.notary.verificationPlugin");
    assert.equal(outcome.error?.code, "ERR_SIGNATURE_INTEGRITY");
    assert.match(outcome.error!.message, /verification plugin "v1"/);
  });
}
