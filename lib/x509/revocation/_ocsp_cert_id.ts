/**
 * Private: the issuer hashes of an OCSP CertID (RFC 6960 §4.1.1).
 *
 * @module
 */
import type { Bytes } from "../../_internal/bytes.ts";
import type { Certificate } from "../certificate.ts";
import { certificateParts } from "./_der.ts";

/** SHA-1, the CertID hash notation asks with. */
export const OID_SHA1 = "1.3.14.3.2.26";

async function hash(name: string, data: Uint8Array): Promise<Bytes> {
  return new Uint8Array(await crypto.subtle.digest(name, data as Uint8Array<ArrayBuffer>));
}

/** The issuer name and key hashes of a CertID, with the named hash. */
export async function certIdHashes(
  hashName: string,
  issuer: Certificate,
): Promise<{ nameHash: Bytes; keyHash: Bytes }> {
  return {
    nameHash: await hash(hashName, issuer.rawSubject),
    keyHash: await hash(hashName, certificateParts(issuer).publicKeyBits),
  };
}
