/**
 * Checks that a private key and a certificate chain belong together before they are registered
 * as a signing key (what Go's `tls.LoadX509KeyPair` checks for notation).
 *
 * @module
 */
import { fromUtf8 } from "../../_internal/bytes.ts";
import type { Bytes } from "../../_internal/bytes.ts";
import { KeyInvalidError } from "../../errors.ts";
import { parseCertificates } from "../../x509/certificate.ts";
import type { Certificate } from "../../x509/certificate.ts";
import type { KeySpec } from "../../x509/key_spec.ts";
import { importPrivateKey } from "../../x509/private_key.ts";

/** What {@linkcode checkKeyPair} found. */
export interface CheckedKeyPair {
  /** The key spec shared by the key and the leaf certificate. */
  keySpec: KeySpec;
  /** The certificate chain, leaf first. */
  certificates: Certificate[];
}

/**
 * Parses a PEM private key and a PEM certificate chain and checks that the key is the leaf
 * certificate's: same key spec, and a signature made with the key verifies with the
 * certificate's public key.
 *
 * @example
 * ```ts ignore
 * const { keySpec } = await checkKeyPair(keyPemBytes, certPemBytes);
 * console.log(keySpec.name); // RSA-2048
 * ```
 * @param keyPem The private key file's content.
 * @param certPem The certificate file's content (leaf first).
 * @returns The key spec and the chain.
 * @throws {KeyInvalidError} ERR_KEY_INVALID when the key cannot be read or does not match.
 * @throws {CertificateInvalidError} ERR_CERTIFICATE_INVALID when the chain cannot be read.
 */
export async function checkKeyPair(
  keyPem: Bytes,
  certPem: Bytes,
): Promise<CheckedKeyPair> {
  const certificates = parseCertificates(certPem);
  const leaf = certificates[0]!;
  const { key, keySpec } = await importPrivateKey(fromUtf8(keyPem));
  const leafSpec = leaf.keySpec();
  if (leafSpec.name !== keySpec.name) {
    throw new KeyInvalidError(
      `the private key is ${keySpec.name} but the certificate's key is ${leafSpec.name}; give the key of the first certificate in the file`,
    );
  }
  const probe = crypto.getRandomValues(new Uint8Array(32));
  const signature = await crypto.subtle.sign(keySpec.signParams, key, probe);
  const ok = await crypto.subtle.verify(
    keySpec.signParams,
    await leaf.publicKey(),
    signature,
    probe,
  );
  if (!ok) {
    throw new KeyInvalidError(
      `the private key does not match the certificate with subject "${leaf.subject}"; give the key of the first certificate in the file`,
    );
  }
  return { keySpec, certificates };
}
