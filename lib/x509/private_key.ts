/**
 * Private keys: PKCS#8 (and legacy PKCS#1/SEC 1 PEM) imported into WebCrypto for their Notary
 * Project key spec, and exported as PKCS#8 PEM.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { KeyInvalidError } from "../errors.ts";
import { decodeOid, integerBitLength, readChildren, readSingle, TAG } from "./asn1.ts";
import { CURVE_OIDS, keySpecFor, OID_EC_PUBLIC_KEY, OID_RSA_ENCRYPTION } from "./key_spec.ts";
import type { KeySpec } from "./key_spec.ts";
import { decodePrivateKeyPem, encodePem } from "./pem.ts";

/** A private key ready to sign. */
export interface ImportedPrivateKey {
  /** The WebCrypto key (usage `sign`, not extractable). */
  key: CryptoKey;
  /** Its key spec. */
  keySpec: KeySpec;
}

/**
 * Reads the key spec of a PKCS#8 `PrivateKeyInfo`.
 *
 * @example
 * ```ts ignore
 * import { pkcs8KeySpec } from "./private_key.ts";
 * console.log(pkcs8KeySpec(der).name); // RSA-2048
 * ```
 * @param pkcs8 DER PrivateKeyInfo.
 * @returns The key spec.
 * @throws {KeyInvalidError} ERR_KEY_INVALID when malformed or outside the Notary Project key specs.
 */
export function pkcs8KeySpec(pkcs8: Bytes): KeySpec {
  let keyType: "RSA" | "EC";
  let size: number;
  try {
    const [, algId, keyOctets] = readChildren(readSingle(pkcs8, TAG.SEQUENCE));
    const [oid, params] = readChildren(algId!);
    const alg = decodeOid(oid!.content);
    if (alg === OID_RSA_ENCRYPTION) {
      keyType = "RSA";
      const [, n] = readChildren(readSingle(keyOctets!.content, TAG.SEQUENCE));
      size = integerBitLength(n!.content);
    } else if (alg === OID_EC_PUBLIC_KEY) {
      keyType = "EC";
      size = params?.tag === TAG.OID ? CURVE_OIDS[decodeOid(params.content)] ?? 0 : 0;
    } else {
      throw new KeyInvalidError(
        `Private key algorithm ${alg} is not supported; use an RSA or EC key`,
      );
    }
  } catch (cause) {
    if (cause instanceof KeyInvalidError) throw cause;
    throw new KeyInvalidError("The private key is not a valid PKCS#8 structure", { cause });
  }
  const spec = keySpecFor(keyType, size);
  if (!spec) {
    throw new KeyInvalidError(
      `${keyType} private key of size ${
        size || "unknown"
      } is not supported; use RSA 2048/3072/4096 or EC P-256/P-384/P-521`,
    );
  }
  return spec;
}

/**
 * Imports a private key from PEM text (`PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`) or
 * PKCS#8 DER bytes, for signing with the algorithm its key spec mandates.
 *
 * @example
 * ```ts ignore
 * import { importPrivateKey } from "./private_key.ts";
 * const { key, keySpec } = await importPrivateKey(keyPem);
 * ```
 * @param input PEM text or PKCS#8 DER.
 * @returns The key and its spec.
 * @throws {KeyInvalidError} ERR_KEY_INVALID when it cannot be read or imported.
 */
export async function importPrivateKey(input: string | Bytes): Promise<ImportedPrivateKey> {
  const der = typeof input === "string" ? decodePrivateKeyPem(input) : input;
  const keySpec = pkcs8KeySpec(der);
  try {
    const key = await crypto.subtle.importKey("pkcs8", der, keySpec.importParams, false, ["sign"]);
    return { key, keySpec };
  } catch (cause) {
    throw new KeyInvalidError(`Cannot import the ${keySpec.name} private key; is it corrupt?`, {
      cause,
    });
  }
}

/**
 * Exports an extractable private key as PKCS#8 PEM.
 *
 * @example
 * ```ts ignore
 * import { exportPrivateKeyPem } from "./private_key.ts";
 * const pem = await exportPrivateKeyPem(keyPair.privateKey);
 * ```
 * @param key An extractable private CryptoKey.
 * @returns `-----BEGIN PRIVATE KEY-----` PEM.
 */
export async function exportPrivateKeyPem(key: CryptoKey): Promise<string> {
  return encodePem("PRIVATE KEY", new Uint8Array(await crypto.subtle.exportKey("pkcs8", key)));
}
