/**
 * The verification decisions listed in the README, each next to what notation-core-go v1.3.0 (the
 * envelope library of notation 1.3.2, run through the checker in `tests/signature/notation_core/`)
 * does with the same bytes:
 *
 * - a leaf without extendedKeyUsage is accepted (as notation-core-go accepts it);
 * - a name listed twice in `crit` is refused (notation-core-go refuses a repeated standard name);
 * - a UTF-8 byte order mark before a JWS envelope is refused (Go's JSON decoder refuses it);
 * - a CA with an RSA-8192 key verifies (Go's crypto/rsa verifies it; WebCrypto cannot import it),
 *   and a signature such a key made with RSASSA-PSS is refused as an unsupported key size.
 *
 * (`size` written as `400.0` is refused too: see `payload_binding_test.ts`, where notation-go is
 * shown refusing it.)
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { concat } from "../../lib/_internal/bytes.ts";
import type { Bytes } from "../../lib/_internal/bytes.ts";
import { createTestLeaf, getTestCas } from "../_helpers/pki.ts";
import {
  MEDIA_TYPE_COSE,
  MEDIA_TYPE_JWS,
  MEDIA_TYPE_OCI_MANIFEST,
} from "../../lib/oci/media_types.ts";
import { createPayload } from "../../lib/signature/payload.ts";
import { signEnvelope } from "../../lib/signature/sign_envelope.ts";
import { LocalSigner } from "../../lib/signature/signer.ts";
import type { Signer } from "../../lib/signature/signer.ts";
import { parseTrustPolicyDocument } from "../../lib/trust/trust_policy.ts";
import { MemoryTrustStore } from "../../lib/trust/trust_store.ts";
import { verifyEnvelope } from "../../lib/verify/verify_envelope.ts";
import { parseCertificate } from "../../lib/x509/certificate.ts";
import type { Certificate } from "../../lib/x509/certificate.ts";
import { craftJws, jwsHeader } from "../signature/_craft.ts";
import { CHECKER, run } from "../signature/_notation_core.ts";

const subject = {
  mediaType: MEDIA_TYPE_OCI_MANIFEST,
  digest: `sha256:${"ab".repeat(32)}`,
  size: 42,
};
const policy = parseTrustPolicyDocument(JSON.stringify({
  version: "1.0",
  trustPolicies: [{
    name: "p",
    registryScopes: ["*"],
    signatureVerification: { level: "strict" },
    trustStores: ["ca:test"],
    trustedIdentities: ["*"],
  }],
})).trustPolicies[0]!;
const TESTDATA = new URL("../x509/testdata/", import.meta.url).pathname;

function verify(envelope: Bytes, root: Certificate, mediaType = MEDIA_TYPE_JWS) {
  return verifyEnvelope(envelope, {
    mediaType,
    subject,
    policy,
    trustStore: new MemoryTrustStore({ "ca:test": [root.toPem()] }),
  });
}

/** notation-core-go's verdict on each envelope: `OK ...` or `FAIL <error>`. */
async function notationCore(mediaType: string, envelopes: Bytes[]): Promise<string[]> {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-decisions-" });
  try {
    const bin = CHECKER!;
    const files: string[] = [];
    for (const [i, bytes] of envelopes.entries()) {
      files.push(`${dir}/${i}`);
      await Deno.writeFile(`${dir}/${i}`, bytes);
    }
    const out = await run(bin, ["verify", mediaType, ...files]);
    return out.stdout.trim().split("\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function rsa8192(leafFile: string): Promise<{ root: Certificate; signer: Signer }> {
  const root = parseCertificate(await Deno.readTextFile(`${TESTDATA}rsa8192_root.crt`));
  const leaf = await Deno.readTextFile(`${TESTDATA}${leafFile}`);
  const signer = await LocalSigner.create({
    privateKey: await Deno.readTextFile(`${TESTDATA}rsa8192_leaf.key`),
    certificateChain: `${leaf}${root.toPem()}`,
  });
  return { root, signer };
}

Deno.test("decision: a leaf without extendedKeyUsage verifies", async () => {
  const id = await createTestLeaf({ noExtendedKeyUsage: true });
  assertEquals(id.leaf.extendedKeyUsage, undefined);
  const envelope = await signEnvelope({
    format: "jws",
    payload: createPayload(subject),
    signer: id.signer!,
  });
  const outcome = await verify(envelope, (await getTestCas()).root.certificate);
  assertEquals(outcome.error, undefined, outcome.error?.message);
});

Deno.test("decision: a CA with an RSA-8192 key verifies; its PSS signatures are an unsupported key size", async () => {
  const { root, signer } = await rsa8192("rsa8192_leaf.crt");
  assertEquals(root.publicKeyInfo, { keyType: "RSA", size: 8192 });
  for (const format of ["jws", "cose"] as const) {
    const envelope = await signEnvelope({ format, payload: createPayload(subject), signer });
    const outcome = await verify(
      envelope,
      root,
      format === "jws" ? MEDIA_TYPE_JWS : MEDIA_TYPE_COSE,
    );
    assertEquals(outcome.error, undefined, outcome.error?.message);
  }
  // one bit of the leaf's signature changed: refused
  const leaf = signer.certificateChain[0]!;
  const broken = leaf.raw.slice();
  broken[broken.length - 1]! ^= 1;
  const message = await parseCertificate(broken).checkSignatureFrom(root);
  assert(message?.includes("does not verify with the key of"), message);
  const pss = parseCertificate(await Deno.readTextFile(`${TESTDATA}rsa8192_leaf_pss.crt`));
  const refused = await pss.checkSignatureFrom(root);
  assert(refused?.includes("unsupported key size of RSA 8192 bits"), refused);
});

Deno.test({
  name: "decisions, next to notation-core-go: no EKU, duplicate crit, BOM, RSA-8192 CA",
  ignore: CHECKER === undefined,
  async fn() {
    const noEku = await createTestLeaf({ noExtendedKeyUsage: true });
    const signedNoEku = await signEnvelope({
      format: "jws",
      payload: createPayload(subject),
      signer: noEku.signer!,
    });
    const sign = (data: Bytes) => noEku.signer!.sign(data);
    const chain = noEku.chain;
    const dupScheme = await craftJws({
      header: jwsHeader("ES256", {
        crit: ["io.cncf.notary.signingScheme", "io.cncf.notary.signingScheme"],
      }),
      sign,
      chain,
    });
    const dupExtended = await craftJws({
      header: jwsHeader("ES256", {
        crit: ["io.cncf.notary.signingScheme", "com.example.x", "com.example.x"],
        "com.example.x": "v",
      }),
      sign,
      chain,
    });
    const bom = concat([new Uint8Array([0xef, 0xbb, 0xbf]), signedNoEku]);
    const { signer: bigCa } = await rsa8192("rsa8192_leaf.crt");
    const signedBigCa = await signEnvelope({
      format: "jws",
      payload: createPayload(subject),
      signer: bigCa,
    });
    const verdicts = await notationCore(MEDIA_TYPE_JWS, [
      signedNoEku,
      dupScheme,
      dupExtended,
      bom,
      signedBigCa,
    ]);
    assertEquals(
      verdicts[0],
      "OK ES256 notary.x509",
      "notation-core-go accepts a leaf without EKU",
    );
    assert(verdicts[1]!.startsWith("FAIL"), `repeated signingScheme in crit: ${verdicts[1]}`);
    // notation-core-go accepts a repeated extended name; ocisign refuses every repeated name
    assertEquals(verdicts[2], "OK ES256 notary.x509", "repeated extended name in crit");
    assert(verdicts[3]!.startsWith("FAIL"), `byte order mark: ${verdicts[3]}`);
    assertEquals(verdicts[4], "OK ES256 notary.x509", "RSA-8192 CA");

    const root = (await getTestCas()).root.certificate;
    assertEquals((await verify(signedNoEku, root)).error, undefined);
    for (const envelope of [dupScheme, dupExtended, bom]) {
      const outcome = await verify(envelope, root);
      assert(outcome.error !== undefined, "ocisign refuses it");
      assertEquals(outcome.results[0]?.type, "integrity");
    }
  },
});
