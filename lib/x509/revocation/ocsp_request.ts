/**
 * The OCSP request notation sends (RFC 6960 §4.1): one SHA-1 CertID, no nonce, no extensions.
 *
 * @module
 */
import type { Bytes } from "../../_internal/bytes.ts";
import { concat } from "../../_internal/bytes.ts";
import { encodeDer, encodeOid, TAG } from "../asn1.ts";
import type { Certificate } from "../certificate.ts";
import { certificateParts } from "./_der.ts";
import { certIdHashes, OID_SHA1 } from "./_ocsp_cert_id.ts";

/**
 * The DER OCSPRequest for `cert` (one SHA-1 CertID, no extensions), as Go's `ocsp.CreateRequest`.
 *
 * @example
 * ```ts ignore
 * import { createOcspRequest } from "./ocsp_request.ts";
 * const der = await createOcspRequest(leaf, issuer);
 * ```
 * @param cert The certificate asked about.
 * @param issuer Its issuer.
 * @returns The request bytes.
 */
export async function createOcspRequest(cert: Certificate, issuer: Certificate): Promise<Bytes> {
  const { nameHash, keyHash } = await certIdHashes("SHA-1", issuer);
  const algorithm = encodeDer(
    TAG.SEQUENCE,
    concat([encodeOid(OID_SHA1), encodeDer(TAG.NULL, new Uint8Array(0))]),
  );
  const certId = encodeDer(
    TAG.SEQUENCE,
    concat([
      algorithm,
      encodeDer(TAG.OCTET_STRING, nameHash),
      encodeDer(TAG.OCTET_STRING, keyHash),
      encodeDer(TAG.INTEGER, certificateParts(cert).serial),
    ]),
  );
  const request = encodeDer(TAG.SEQUENCE, certId);
  const requestList = encodeDer(TAG.SEQUENCE, request);
  const tbsRequest = encodeDer(TAG.SEQUENCE, requestList);
  return encodeDer(TAG.SEQUENCE, tbsRequest);
}
