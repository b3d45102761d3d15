/**
 * Private: the certificate profile of `notation cert generate-test`, shared by the key-generating
 * command and the PKCS#11 token's certificate draft.
 *
 * @module
 */
import type { Certificate } from "./certificate.ts";
import { createCertificate } from "./create_certificate.ts";

/**
 * Creates the certificate `cert generate-test NAME` makes for `publicKey`: subject = issuer =
 * `C=US, ST=WA, L=Seattle, O=Notary, CN=<name>`, valid for 24 h from `now` (whole seconds),
 * keyUsage digitalSignature (critical), EKU codeSigning, a small random serial, signed by
 * `signingKey` (the key's own private key, for a self-signed certificate).
 *
 * @example
 * ```ts ignore
 * const keys = await generateKeyPair("EC-256");
 * const cert = await createTestCertificate("wabbit-networks.io", keys.publicKey, keys.privateKey, new Date());
 * ```
 */
export async function createTestCertificate(
  name: string,
  publicKey: CryptoKey,
  signingKey: CryptoKey,
  now: Date,
): Promise<Certificate> {
  const start = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const serial = 1 + (crypto.getRandomValues(new Uint8Array(1))[0]! % 199);
  return await createCertificate({
    subject: `C=US, ST=WA, L=Seattle, O=Notary, CN=${name}`,
    publicKey,
    privateKey: signingKey,
    notBefore: start,
    notAfter: new Date(start.getTime() + 24 * 3600 * 1000),
    serialNumber: serial.toString(16).padStart(2, "0"),
    keyUsage: { usages: ["digitalSignature"], critical: true },
    extendedKeyUsage: { oids: ["1.3.6.1.5.5.7.3.3"], critical: false },
  });
}
