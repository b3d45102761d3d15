/**
 * `signBlob` / `verifyBlob` over web streams, with the shared test PKI: the digest algorithm
 * follows the key (sha256/384/512), the payload is notation's, and verification fails closed on
 * a changed blob, another media type, missing metadata, an expired signature, an untrusted
 * signer and a signature that is not one.
 */
import { utf8 } from "../../lib/_internal/bytes.ts";
import {
  blobSignatureFileName,
  digestBlob,
  signatureFormatOfFile,
  signBlob,
  verifyBlob,
} from "../../lib/blob/mod.ts";
import type { VerifyBlobOptions } from "../../lib/blob/mod.ts";
import { digestBytes } from "../../lib/digest/digest_bytes.ts";
import { parseEnvelope } from "../../lib/signature/parse_envelope.ts";
import { MemoryTrustStore } from "../../lib/trust/trust_store.ts";
import type { BlobTrustPolicyStatement } from "../../lib/trust/blob_trust_policy.ts";
import type { KeySpecName } from "../../lib/x509/key_spec.ts";
import { assert, assertEquals, assertRejectsCode, assertThrowsCode } from "../_helpers/assert.ts";
import { getTestPki } from "../_helpers/pki.ts";

const BLOB = utf8("release 1.0\n".repeat(50_000));

function stream(bytes: Uint8Array, chunk = 7_777): ReadableStream<Uint8Array> {
  let pos = 0;
  return new ReadableStream({
    pull(c) {
      if (pos >= bytes.length) return c.close();
      c.enqueue(bytes.slice(pos, pos + chunk));
      pos += chunk;
    },
  });
}

function policy(level = "strict"): BlobTrustPolicyStatement {
  return {
    name: "releases",
    signatureVerification: { level },
    trustStores: ["ca:test"],
    trustedIdentities: ["*"],
  };
}

async function verifyOptions(
  spec: KeySpecName = "EC-256",
  extra: Partial<VerifyBlobOptions> = {},
): Promise<VerifyBlobOptions> {
  const pki = await getTestPki(spec);
  return {
    format: "jws",
    policy: policy(),
    trustStore: new MemoryTrustStore({ "ca:test": [pki.root.toPem()] }),
    ...extra,
  };
}

for (
  const [spec, alg] of [
    ["RSA-2048", "sha256"],
    ["RSA-3072", "sha384"],
    ["EC-256", "sha256"],
    ["EC-384", "sha384"],
    ["EC-521", "sha512"],
  ] as const
) {
  Deno.test(`signBlob() with ${spec} hashes with ${alg}; verifyBlob() accepts it (JWS and COSE)`, async () => {
    const pki = await getTestPki(spec);
    for (const format of ["jws", "cose"] as const) {
      const signed = await signBlob(stream(BLOB), {
        signer: pki.signer,
        format,
        userMetadata: { release: "1.0" },
      });
      const hex = (await digestBytes(BLOB, alg)).slice(alg.length + 1);
      assertEquals(signed.targetArtifact, {
        mediaType: "application/octet-stream",
        digest: `${alg}:${hex}`,
        size: BLOB.length,
      });
      const content = parseEnvelope(signed.envelope, signed.envelopeMediaType).unverifiedContent();
      const payload = JSON.parse(new TextDecoder().decode(content.payload.content));
      assertEquals(payload, {
        targetArtifact: { ...signed.targetArtifact, annotations: { release: "1.0" } },
      });
      const result = await verifyBlob(
        stream(BLOB, 65_536),
        signed.envelope,
        await verifyOptions(spec, { format, userMetadata: { release: "1.0" } }),
      );
      assertEquals(result.skipped, false);
      assertEquals(result.targetArtifact?.annotations, { release: "1.0" });
    }
  });
}

Deno.test("verifyBlob() rejects a changed blob, another media type, missing metadata", async () => {
  const pki = await getTestPki();
  const signed = await signBlob(stream(BLOB), {
    signer: pki.signer,
    format: "cose",
    mediaType: "application/vnd.example.release+tar",
  });
  const opts = await verifyOptions("EC-256", { format: "cose" });
  const changed = BLOB.slice();
  changed[100] = changed[100]! ^ 1;
  await assertRejectsCode(
    () => verifyBlob(stream(changed), signed.envelope, opts),
    "ERR_SIGNATURE_SUBJECT_MISMATCH",
  );
  await assertRejectsCode(
    () => verifyBlob(stream(BLOB.subarray(1)), signed.envelope, opts),
    "ERR_SIGNATURE_SUBJECT_MISMATCH",
  );
  // the media type is compared only when one is expected
  await verifyBlob(stream(BLOB), signed.envelope, opts);
  await verifyBlob(stream(BLOB), signed.envelope, {
    ...opts,
    mediaType: "application/vnd.example.release+tar",
  });
  await assertRejectsCode(
    () => verifyBlob(stream(BLOB), signed.envelope, { ...opts, mediaType: "application/x-other" }),
    "ERR_SIGNATURE_SUBJECT_MISMATCH",
    "integrity check failed. signature does not match the given blob",
  );
  await assertRejectsCode(
    () => verifyBlob(stream(BLOB), signed.envelope, { ...opts, userMetadata: { a: "b" } }),
    "ERR_SIGNATURE_USER_METADATA",
  );
  await assertRejectsCode(
    () => verifyBlob(stream(BLOB), signed.envelope, { ...opts, mediaType: "no slash" }),
    "ERR_INVALID_INPUT",
  );
});

Deno.test("verifyBlob() fails closed: wrong format, junk, untrusted signer, expired", async () => {
  const pki = await getTestPki();
  const signed = await signBlob(stream(BLOB), {
    signer: pki.signer,
    format: "jws",
    expirySeconds: 60,
    signingTime: new Date(Date.now() - 3_600_000),
  });
  const opts = await verifyOptions();
  await assertRejectsCode(
    () => verifyBlob(stream(BLOB), signed.envelope, opts),
    "ERR_SIGNATURE_EXPIRED",
  );
  const fresh = await signBlob(stream(BLOB), { signer: pki.signer, format: "jws" });
  await assertRejectsCode(
    () => verifyBlob(stream(BLOB), fresh.envelope, { ...opts, format: "cose" }),
    "ERR_ENVELOPE_INVALID",
  );
  await assertRejectsCode(
    () => verifyBlob(stream(BLOB), utf8("not a signature"), opts),
    "ERR_ENVELOPE_INVALID",
  );
  await assertRejectsCode(
    () => verifyBlob(stream(BLOB), fresh.envelope.subarray(0, 300), opts),
    "ERR_ENVELOPE_INVALID",
  );
  // a store that trusts another signer only (a pinned leaf of another key)
  const other = await getTestPki("RSA-2048");
  const untrusted = {
    ...opts,
    trustStore: new MemoryTrustStore({ "ca:test": [other.leaf.toPem()] }),
  };
  await assertRejectsCode(
    () => verifyBlob(stream(BLOB), fresh.envelope, untrusted),
    "ERR_SIGNATURE_AUTHENTICITY",
  );
  // audit only logs an untrusted signer, but the blob must still match
  const audit = await verifyBlob(stream(BLOB), fresh.envelope, {
    ...untrusted,
    policy: policy("audit"),
  });
  assert.ok(audit.outcome?.results.some((r) => r.type === "authenticity" && r.error));
  await assertRejectsCode(
    () =>
      verifyBlob(stream(utf8("other")), fresh.envelope, { ...untrusted, policy: policy("audit") }),
    "ERR_SIGNATURE_SUBJECT_MISMATCH",
  );
});

Deno.test("verifyBlob() with a skip policy checks nothing and says so", async () => {
  const result = await verifyBlob(stream(BLOB), utf8("junk"), {
    ...await verifyOptions(),
    policy: {
      name: "skip",
      signatureVerification: { level: "skip" },
      trustStores: [],
      trustedIdentities: [],
    },
  });
  assertEquals(result, { skipped: true });
});

Deno.test("blob signature file names are notation's", () => {
  assertEquals(blobSignatureFileName("/srv/dist/app.tar.gz", "cose"), "app.tar.gz.cose.sig");
  assertEquals(signatureFormatOfFile("out/app.tar.gz.jws.sig"), "jws");
  assertEquals(signatureFormatOfFile("app.COSE.sig"), "cose");
  for (
    const [name, message] of [
      ["app.sig", "must contain signature format and .sig file extension"],
      ["app.tar.jws", "The file extension must be .sig"],
      ["app.tar.gz.sig", 'signature format "gz" not supported'],
    ] as const
  ) {
    assertThrowsCode(() => signatureFormatOfFile(name), "ERR_INVALID_INPUT", message);
  }
});

Deno.test("digestBlob() gives one digest over byte streams (BYOB) and plain streams", async () => {
  const expected = await digestBytes(BLOB, "sha512");
  const byteStream = new Blob([BLOB]).stream();
  byteStream.getReader({ mode: "byob" }).releaseLock(); // it is a byte stream
  assertEquals(await digestBlob(byteStream, "sha512"), { digest: expected, size: BLOB.length });
  assertEquals(await digestBlob(stream(BLOB), "sha512"), { digest: expected, size: BLOB.length });
  const empty = await digestBlob(new Blob([]).stream(), "sha256");
  assertEquals(empty, { digest: await digestBytes(new Uint8Array(), "sha256"), size: 0 });
});
