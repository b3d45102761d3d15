/**
 * Raw signature verification with a key spec: ECDSA signatures must be raw r‖s of the exact
 * curve length; RSASSA-PSS uses salt = hash length, or (JWS, for parity with golang-jwt) any
 * salt length recovered from the signature itself.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { concat } from "../_internal/bytes.ts";
import { readChildren, readSingle, TAG } from "../x509/asn1.ts";
import type { Certificate } from "../x509/certificate.ts";
import type { KeySpec } from "../x509/key_spec.ts";

/** Options of {@linkcode verifyRawSignature}. */
export interface VerifyRawSignatureOptions {
  /** Accept any RSASSA-PSS salt length (golang-jwt `PSSSaltLengthAuto`). */
  anySaltLength?: boolean;
}

/**
 * Verifies `signature` over `data` with the leaf's key; crypto failures become `false`.
 *
 * @param spec The key spec (already matched against the leaf).
 * @param leaf The signing certificate.
 * @param signature Raw signature bytes.
 * @param data The signed bytes.
 * @param options Salt length leniency.
 * @returns Whether the signature verifies.
 */
export async function verifyRawSignature(
  spec: KeySpec,
  leaf: Certificate,
  signature: Bytes,
  data: Bytes,
  options: VerifyRawSignatureOptions = {},
): Promise<boolean> {
  if (spec.signatureLength !== undefined && signature.length !== spec.signatureLength) return false;
  try {
    const key = await leaf.publicKey();
    if (await crypto.subtle.verify(spec.signParams, key, signature, data)) return true;
    if (spec.keyType !== "RSA" || !options.anySaltLength) return false;
    const saltLength = await recoverPssSaltLength(spec, leaf.spki, signature);
    if (saltLength === undefined || saltLength === spec.hashLength) return false;
    return await crypto.subtle.verify({ name: "RSA-PSS", saltLength }, key, signature, data);
  } catch {
    return false;
  }
}

/** Opens an RSASSA-PSS signature (RFC 8017 §9.1.2) just far enough to read its salt length. */
async function recoverPssSaltLength(
  spec: KeySpec,
  spki: Bytes,
  signature: Bytes,
): Promise<number | undefined> {
  // Loaded only for this rare case (`+ ""`: see ../cli/commands/registry.ts).
  const { modPow, toBigInt } = await import(
    "../x509/_rsa_large.ts" + ""
  ) as typeof import("../x509/_rsa_large.ts");
  const [, bits] = readChildren(readSingle(spki, TAG.SEQUENCE));
  const [nNode, eNode] = readChildren(readSingle(bits!.content.subarray(1), TAG.SEQUENCE));
  const n = toBigInt(nNode!.content);
  const s = toBigInt(signature);
  if (s >= n) return undefined;
  const modBits = n.toString(2).length;
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  let m = modPow(s, toBigInt(eNode!.content), n);
  const em = new Uint8Array(emLen);
  for (let i = emLen - 1; i >= 0; i--) {
    em[i] = Number(m & 0xffn);
    m >>= 8n;
  }
  const hLen = spec.hashLength;
  if (m !== 0n || emLen < hLen + 2 || em[emLen - 1] !== 0xbc) return undefined;
  const dbLen = emLen - hLen - 1;
  const h = em.subarray(dbLen, dbLen + hLen);
  const mask: Uint8Array[] = [];
  for (let counter = 0, len = 0; len < dbLen; counter++) {
    const c = new Uint8Array([
      counter >>> 24,
      (counter >>> 16) & 0xff,
      (counter >>> 8) & 0xff,
      counter & 0xff,
    ]);
    const block = new Uint8Array(await crypto.subtle.digest(spec.hash, concat([h, c])));
    mask.push(block);
    len += block.length;
  }
  const dbMask = concat(mask);
  const db = em.subarray(0, dbLen).map((b, i) => b ^ dbMask[i]!);
  db[0] = db[0]! & (0xff >> (8 * emLen - emBits));
  const one = db.findIndex((b) => b !== 0);
  if (one < 0 || db[one] !== 0x01) return undefined;
  return dbLen - one - 1;
}
