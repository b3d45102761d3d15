import { assertEquals, assertRejectsCode, assertThrowsCode } from "../_helpers/assert.ts";
import { createTestLeaf, getTestCas, getTestPki } from "../_helpers/pki.ts";
import { parseCertificate } from "../../lib/x509/certificate.ts";
import type { Certificate } from "../../lib/x509/certificate.ts";
import { createCertificate, generateKeyPair } from "../../lib/x509/create_certificate.ts";
import type { CreateCertificateOptions } from "../../lib/x509/create_certificate.ts";
import { checkChainValidityAt, verifyChainTrust } from "../../lib/x509/chain_trust.ts";
import { validateCodeSigningChain } from "../../lib/x509/code_signing_chain.ts";
import { needsOpenssl, openssl, withTempDir } from "./_openssl.ts";

const CODE_SIGNING = "1.3.6.1.5.5.7.3.3";

Deno.test("validateCodeSigningChain() accepts the test PKI and a generate-test style self-signed leaf", async () => {
  const pki = await getTestPki();
  await validateCodeSigningChain(pki.chain);
  await validateCodeSigningChain(pki.chain, { signingTime: new Date() });
});

Deno.test("validateCodeSigningChain() rejects leaf profile violations", async () => {
  const cases: [Parameters<typeof createTestLeaf>[0], string][] = [
    [{ basicConstraints: { ca: true } }, "the ca field must be set to false"],
    [{ noKeyUsage: true }, "key usage extension must be present"],
    [{ keyUsage: { usages: ["digitalSignature"], critical: false } }, "must be marked critical"],
    [{ keyUsage: { usages: ["contentCommitment"] } }, "digital signature set"],
    [{ keyUsage: { usages: ["digitalSignature", "keyCertSign"] } }, "keyCertSign"],
    [
      { keyUsage: { usages: ["digitalSignature", "dataEncipherment", "keyAgreement"] } },
      "dataEncipherment, keyAgreement",
    ],
    [{ extendedKeyUsage: { oids: ["1.3.6.1.5.5.7.3.2"] } }, "ClientAuth"],
    [{ extendedKeyUsage: { oids: [CODE_SIGNING, "1.3.6.1.5.5.7.3.4"] } }, "EmailProtection"],
    [{ extendedKeyUsage: { oids: ["1.3.6.1.5.5.7.3.9"] } }, "OCSPSigning"],
    [{ key: { rsaBits: 1024 } }, "rsa key size 1024 bits is not supported"],
    [{ signatureHash: "SHA-1" }, "insecure"],
  ];
  for (const [overrides, message] of cases) {
    const id = await createTestLeaf(overrides);
    await assertRejectsCode(
      () => validateCodeSigningChain(id.chain),
      "ERR_CERTIFICATE_INVALID",
      message,
    );
  }
});

Deno.test("validateCodeSigningChain() accepts anyExtendedKeyUsage, unknown EKUs and nonRepudiation (notation ≥ core 1.1)", async () => {
  const id = await createTestLeaf({
    extendedKeyUsage: { oids: ["2.5.29.37.0", "1.2.3.4"] },
    keyUsage: { usages: ["digitalSignature", "contentCommitment"] },
  });
  await validateCodeSigningChain(id.chain);
});

async function ca(
  subject: string,
  issuer: { certificate: Certificate; privateKey: CryptoKey } | undefined,
  extra: Partial<CreateCertificateOptions>,
) {
  const keys = await generateKeyPair("EC-256");
  const certificate = await createCertificate({
    subject,
    publicKey: keys.publicKey,
    ...(issuer ? { issuer } : { privateKey: keys.privateKey }),
    basicConstraints: { ca: true },
    keyUsage: { usages: ["keyCertSign"] },
    ...extra,
  });
  return { certificate, privateKey: keys.privateKey };
}

async function leafUnder(
  issuer: { certificate: Certificate; privateKey: CryptoKey },
): Promise<Certificate> {
  const keys = await generateKeyPair("EC-256");
  return await createCertificate({
    subject: "C=US, ST=WA, O=Test, CN=leaf",
    publicKey: keys.publicKey,
    issuer,
    keyUsage: { usages: ["digitalSignature"] },
  });
}

Deno.test("validateCodeSigningChain() rejects CA profile violations", async () => {
  const root = await ca("CN=root", undefined, {});
  const cases: [Partial<CreateCertificateOptions>, string][] = [
    [{ basicConstraints: undefined }, "is not issued by"],
    [{ basicConstraints: { ca: false } }, "is not issued by"],
    [{ keyUsage: { usages: ["keyCertSign"], critical: false } }, "must be marked critical"],
    [{ keyUsage: undefined }, "key usage extension must be present"],
    [{ keyUsage: { usages: ["cRLSign"] } }, "is not issued by"],
  ];
  for (const [extra, message] of cases) {
    const mid = await ca("CN=mid", root, extra);
    const leaf = await leafUnder(mid);
    await assertRejectsCode(
      () => validateCodeSigningChain([leaf, mid.certificate, root.certificate]),
      "ERR_CERTIFICATE_INVALID",
      message,
    );
  }
});

Deno.test("validateCodeSigningChain() enforces pathLenConstraint", async () => {
  const root = await ca("CN=root", undefined, { basicConstraints: { ca: true, pathLength: 0 } });
  const mid = await ca("CN=mid", root, {});
  const leaf = await leafUnder(mid);
  await assertRejectsCode(
    () => validateCodeSigningChain([leaf, mid.certificate, root.certificate]),
    "ERR_CERTIFICATE_INVALID",
    "expected path length of 1 but certificate has path length 0",
  );
  const root1 = await ca("CN=root1", undefined, { basicConstraints: { ca: true, pathLength: 1 } });
  const mid1 = await ca("CN=mid1", root1, { basicConstraints: { ca: true, pathLength: 0 } });
  await validateCodeSigningChain([await leafUnder(mid1), mid1.certificate, root1.certificate]);
});

Deno.test("validateCodeSigningChain() rejects an empty chain, a lone CA and a lone non-self-signed leaf", async () => {
  const pki = await getTestPki();
  await assertRejectsCode(
    () => validateCodeSigningChain([]),
    "ERR_CERTIFICATE_INVALID",
    "at least one certificate",
  );
  await assertRejectsCode(
    () => validateCodeSigningChain([pki.root]),
    "ERR_CERTIFICATE_INVALID",
    "the ca field must be set to false",
  );
  await assertRejectsCode(
    () => validateCodeSigningChain([pki.leaf]),
    "ERR_CERTIFICATE_INVALID",
    "invalid self-signed certificate",
  );
});

Deno.test("validateCodeSigningChain() checks validity only at a given signing time", async () => {
  const past = new Date(Date.now() - 10 * 24 * 3600_000);
  const id = await createTestLeaf({
    notBefore: past,
    notAfter: new Date(past.getTime() + 3600_000),
  });
  await validateCodeSigningChain(id.chain);
  await assertRejectsCode(
    () => validateCodeSigningChain(id.chain, { signingTime: new Date() }),
    "ERR_CERTIFICATE_INVALID",
    "was invalid at signing time",
  );
});

Deno.test("verifyChainTrust() matches any chain certificate byte for byte", async () => {
  const pki = await getTestPki();
  const other = await createTestLeaf();
  assertEquals(verifyChainTrust(pki.chain, [other.leaf, pki.root]), pki.root);
  assertEquals(verifyChainTrust(pki.chain, [pki.intermediate]), pki.intermediate);
  assertThrowsCode(
    () => verifyChainTrust(pki.chain, [other.leaf]),
    "ERR_SIGNATURE_AUTHENTICITY",
    "not produced by a trusted signer",
  );
  assertThrowsCode(() => verifyChainTrust(pki.chain, []), "ERR_SIGNATURE_AUTHENTICITY");
});

Deno.test("checkChainValidityAt() names the expired or not-yet-valid certificate", async () => {
  const { root } = await getTestCas();
  const pki = await getTestPki();
  checkChainValidityAt(pki.chain, new Date());
  assertThrowsCode(
    () => checkChainValidityAt(pki.chain, new Date(Date.now() + 100 * 24 * 3600_000)),
    "ERR_SIGNATURE_AUTHENTIC_TIMESTAMP",
    "is not valid anymore",
  );
  assertThrowsCode(
    () => checkChainValidityAt([root.certificate], new Date(Date.now() - 24 * 3600_000)),
    "ERR_SIGNATURE_AUTHENTIC_TIMESTAMP",
    "is not valid yet",
  );
  checkChainValidityAt([pki.leaf], pki.leaf.notAfter);
});

Deno.test(
  needsOpenssl(
    "validateCodeSigningChain() rejects P-224, Ed25519 and SHA-1 certificates made by openssl",
  ),
  async () => {
    await withTempDir(async (dir) => {
      const ext = [
        "-addext",
        "keyUsage=critical,digitalSignature",
        "-addext",
        "basicConstraints=CA:FALSE",
      ];
      const make = async (keyArgs: string[], extra: string[], out: string) => {
        await openssl([
          "req",
          "-x509",
          "-new",
          "-nodes",
          ...keyArgs,
          "-keyout",
          `${out}.key`,
          "-subj",
          "/C=US/ST=WA/O=T/CN=x",
          "-days",
          "1",
          ...ext,
          ...extra,
          "-out",
          `${out}.pem`,
        ], dir);
        return parseCertificate(await Deno.readTextFile(`${dir}/${out}.pem`));
      };
      const p224 = await make(["-newkey", "EC", "-pkeyopt", "ec_paramgen_curve:P-224"], [], "p224");
      await assertRejectsCode(
        () => validateCodeSigningChain([p224]),
        "ERR_CERTIFICATE_INVALID",
        "unsupported EC curve",
      );
      const ed = await make(["-newkey", "ED25519"], [], "ed");
      await assertRejectsCode(
        () => validateCodeSigningChain([ed]),
        "ERR_CERTIFICATE_INVALID",
        "unsupported public key type",
      );
      const sha1 = await make(["-newkey", "rsa:2048"], ["-sha1"], "sha1");
      await assertRejectsCode(
        () => validateCodeSigningChain([sha1]),
        "ERR_CERTIFICATE_INVALID",
        "insecure",
      );
      const ok = await make(["-newkey", "rsa:2048"], [], "ok");
      await validateCodeSigningChain([ok]);
    });
  },
);
