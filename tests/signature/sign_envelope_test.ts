import { FlattenedSign } from "jose";
import { fromBase64Url, fromUtf8 } from "../../lib/_internal/bytes.ts";
import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { getTestPki } from "../_helpers/pki.ts";
import {
  createPayload,
  parseEnvelope,
  parsePayload,
  signEnvelope,
} from "../../lib/signature/mod.ts";
import type { EnvelopeFormat } from "../../lib/signature/mod.ts";
import { KEY_SPECS } from "../../lib/x509/key_spec.ts";
import { importPrivateKey } from "../../lib/x509/private_key.ts";
import { MEDIA_TYPE_COSE, MEDIA_TYPE_JWS } from "../../lib/oci/media_types.ts";

const DESCRIPTOR = {
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  digest: "sha256:" + "ab".repeat(32),
  size: 1234,
  annotations: { "b.key": "v<&>", "a.key": "1" },
  platform: { os: "linux", architecture: "amd64" },
};

const MEDIA: Record<EnvelopeFormat, string> = { jws: MEDIA_TYPE_JWS, cose: MEDIA_TYPE_COSE };

for (const spec of KEY_SPECS) {
  for (const format of ["jws", "cose"] as const) {
    Deno.test(`signEnvelope() ${format} round trip with ${spec.name} (${spec.jwsAlgorithm})`, async () => {
      const pki = await getTestPki(spec.name);
      const signingTime = new Date(Date.now() - 60_000);
      const expiry = new Date(Date.now() + 3600_000);
      const bytes = await signEnvelope({
        format,
        payload: createPayload(DESCRIPTOR),
        signer: pki.signer,
        signingTime,
        expiry,
        signingAgent: "ocisign/test",
        extendedAttributes: [{ key: "com.example.note", critical: false, value: "hi" }],
      });
      const parsed = parseEnvelope(bytes, MEDIA[format]);
      const content = await parsed.verify();
      const info = content.signerInfo;
      // The chain is parsed once: the parsed certificates are the envelope's, leaf first.
      assertEquals(parsed.certificates.map((c) => c.raw), info.certificateChain);
      assertEquals(parsed.certificates[0]!.subject, pki.signer.certificateChain[0]!.subject);
      assertEquals(info.signatureAlgorithm, spec.jwsAlgorithm);
      assertEquals(info.signedAttributes.signingScheme, "notary.x509");
      assertEquals(
        info.signedAttributes.signingTime.getTime(),
        Math.floor(signingTime.getTime() / 1000) * 1000,
      );
      assertEquals(
        info.signedAttributes.expiry?.getTime(),
        Math.floor(expiry.getTime() / 1000) * 1000,
      );
      assertEquals(info.signedAttributes.extendedAttributes, [
        { key: "com.example.note", critical: false, value: "hi" },
      ]);
      assertEquals(info.unsignedAttributes.signingAgent, "ocisign/test");
      assertEquals(info.certificateChain.length, 3);
      const target = parsePayload(content.payload.content);
      assertEquals(target, {
        mediaType: DESCRIPTOR.mediaType,
        digest: DESCRIPTOR.digest,
        size: DESCRIPTOR.size,
        annotations: DESCRIPTOR.annotations,
      });
      if (spec.signatureLength) assertEquals(info.signature.length, spec.signatureLength);
    });
  }
}

Deno.test("signEnvelope() refuses a chain that is not valid at the signing time", async () => {
  const pki = await getTestPki();
  await assertRejectsCode(
    () =>
      signEnvelope({
        format: "jws",
        payload: createPayload(DESCRIPTOR),
        signer: pki.signer,
        signingTime: new Date(Date.now() + 1000 * 24 * 3600 * 365),
      }),
    "ERR_CERTIFICATE_INVALID",
    "was invalid at signing time",
  );
});

Deno.test("signEnvelope() refuses an expiry not after the signing time", async () => {
  const pki = await getTestPki();
  const t = new Date();
  await assertRejectsCode(
    () =>
      signEnvelope({
        format: "cose",
        payload: createPayload(DESCRIPTOR),
        signer: pki.signer,
        signingTime: t,
        expiry: t,
      }),
    "ERR_INVALID_INPUT",
    "must be after the signing time",
  );
});

Deno.test("signEnvelope() writes notation's signingAuthority scheme when asked", async () => {
  const pki = await getTestPki();
  for (const format of ["jws", "cose"] as const) {
    const bytes = await signEnvelope({
      format,
      payload: createPayload(DESCRIPTOR),
      signer: pki.signer,
      signingScheme: "notary.x509.signingAuthority",
    });
    const content = await parseEnvelope(bytes, MEDIA[format]).verify();
    assertEquals(content.signerInfo.signedAttributes.signingScheme, "notary.x509.signingAuthority");
  }
});

Deno.test("parseEnvelope() refuses an unknown media type", () => {
  let err: unknown;
  try {
    parseEnvelope(new Uint8Array([1]), "application/octet-stream");
  } catch (e) {
    err = e;
  }
  assert(err instanceof Error && (err as { code?: string }).code === "ERR_UNSUPPORTED");
});

Deno.test("signEnvelope() JWS writes the protected header as Go does, which jose cannot (README)", async () => {
  const pki = await getTestPki("EC-256");
  const bytes = await signEnvelope({
    format: "jws",
    payload: createPayload(DESCRIPTOR),
    signer: pki.signer,
    extendedAttributes: [{ key: "com.example.note", critical: false, value: "a<b&c>" }],
  });
  const envelope = JSON.parse(fromUtf8(bytes));
  const header = fromUtf8(fromBase64Url(envelope.protected));
  // golang-jwt marshals with encoding/json, which escapes <, > and & (notation's bytes)
  assert(header.includes('"com.example.note":"a\\u003cb\\u0026c\\u003e"'), header);
  const parsed = JSON.parse(header);
  const { key } = await importPrivateKey(pki.keyPem);
  const jose = await new FlattenedSign(fromBase64Url(envelope.payload))
    .setProtectedHeader(parsed)
    .sign(key, { crit: Object.fromEntries(parsed.crit.map((c: string) => [c, true])) });
  const joseHeader = fromUtf8(fromBase64Url(jose.protected!));
  assert(joseHeader.includes('"com.example.note":"a<b&c>"'), joseHeader);
  assert(jose.protected !== envelope.protected);
});
