/**
 * PEM encoding and decoding (RFC 7468) for certificates and private keys. Legacy
 * `RSA PRIVATE KEY` (PKCS#1) and `EC PRIVATE KEY` (SEC 1) blocks are converted to PKCS#8.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { concat, fromBase64, toBase64 } from "../_internal/bytes.ts";
import { InvalidInputError, KeyInvalidError } from "../errors.ts";
import { encodeDer, encodeOid, readChildren, readDer, TAG } from "./asn1.ts";

/** One PEM block. */
export interface PemBlock {
  /** The label, e.g. `CERTIFICATE` or `PRIVATE KEY`. */
  type: string;
  /** The decoded DER bytes. */
  der: Bytes;
}

const BLOCK_REGEXP = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;

/**
 * Decodes every PEM block in a text (text between blocks is ignored, as OpenSSL does).
 *
 * @example
 * ```ts
 * import { decodePem, encodePem } from "./pem.ts";
 * const blocks = decodePem(encodePem("CERTIFICATE", new Uint8Array([1, 2, 3])));
 * console.log(blocks[0]?.type, blocks[0]?.der.length); // CERTIFICATE 3
 * ```
 * @param text PEM text.
 * @returns The blocks in order (empty when there are none).
 * @throws {InvalidInputError} ERR_INVALID_INPUT when a block is malformed.
 */
export function decodePem(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK_REGEXP)) {
    const [, begin, body, end] = m;
    if (begin !== end) {
      throw new InvalidInputError(
        `PEM block "BEGIN ${begin}" ends with "END ${end}"; fix the file`,
      );
    }
    const lines = body!.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "");
    if (lines.some((l) => l.includes(":"))) {
      throw new InvalidInputError(
        `PEM block ${begin} has headers (an encrypted key?); only unencrypted PEM is supported`,
      );
    }
    try {
      out.push({ type: begin!, der: fromBase64(lines.join("")) });
    } catch (err) {
      throw new InvalidInputError(`PEM block ${begin} is not valid base64`, { cause: err });
    }
  }
  return out;
}

/**
 * Encodes DER bytes as one PEM block with 64-character lines.
 *
 * @example
 * ```ts
 * import { encodePem } from "./pem.ts";
 * console.log(encodePem("CERTIFICATE", new Uint8Array([1, 2, 3])));
 * // -----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----\n
 * ```
 * @param type The label.
 * @param der The bytes.
 * @returns PEM text ending in a newline.
 */
export function encodePem(type: string, der: Uint8Array): string {
  const b64 = toBase64(der);
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${lines.join("\n")}${
    lines.length ? "\n" : ""
  }-----END ${type}-----\n`;
}

const RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
const EC_PUBLIC_KEY = "1.2.840.10045.2.1";

function pkcs8(algorithmIdentifier: Uint8Array, privateKey: Uint8Array): Bytes {
  return encodeDer(
    TAG.SEQUENCE,
    concat([
      new Uint8Array([TAG.INTEGER, 1, 0]),
      algorithmIdentifier,
      encodeDer(TAG.OCTET_STRING, privateKey),
    ]),
  );
}

function ecToPkcs8(sec1: Bytes): Bytes {
  // ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, [0] parameters, [1] publicKey }
  const seq = readDer(sec1);
  const params = readChildren(seq).find((c) => c.tag === 0xa0);
  if (seq.tag !== TAG.SEQUENCE || !params) {
    throw new KeyInvalidError(
      "EC PRIVATE KEY has no named-curve parameters; convert it with `openssl pkcs8 -topk8 -nocrypt`",
    );
  }
  const curve = readDer(params.content);
  const algId = encodeDer(TAG.SEQUENCE, concat([encodeOid(EC_PUBLIC_KEY), curve.raw]));
  return pkcs8(algId, sec1);
}

/**
 * Extracts the private key of a PEM text as PKCS#8 DER. Accepts `PRIVATE KEY` (PKCS#8),
 * `RSA PRIVATE KEY` (PKCS#1) and `EC PRIVATE KEY` (SEC 1, named curves); refuses encrypted keys.
 *
 * @example
 * ```ts
 * import { decodePrivateKeyPem } from "./pem.ts";
 * try {
 *   decodePrivateKeyPem("no key here");
 * } catch (err) {
 *   console.log((err as Error).name); // KeyInvalidError
 * }
 * ```
 * @param text PEM text holding exactly one private key.
 * @returns PKCS#8 `PrivateKeyInfo` DER.
 * @throws {KeyInvalidError} ERR_KEY_INVALID when there is no key, more than one, or an encrypted one.
 */
export function decodePrivateKeyPem(text: string): Bytes {
  let blocks: PemBlock[];
  try {
    blocks = decodePem(text);
  } catch (err) {
    throw new KeyInvalidError(`Cannot read the private key: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const keys = blocks.filter((b) => b.type.endsWith("PRIVATE KEY"));
  if (keys.length !== 1) {
    throw new KeyInvalidError(
      `Expected exactly one PEM private key block, found ${keys.length}; provide one unencrypted PKCS#8 "PRIVATE KEY"`,
    );
  }
  const key = keys[0]!;
  try {
    switch (key.type) {
      case "PRIVATE KEY":
        readDer(key.der);
        return key.der;
      case "RSA PRIVATE KEY":
        readDer(key.der);
        return pkcs8(
          encodeDer(TAG.SEQUENCE, concat([encodeOid(RSA_ENCRYPTION), new Uint8Array([5, 0])])),
          key.der,
        );
      case "EC PRIVATE KEY":
        return ecToPkcs8(key.der);
      default:
        throw new KeyInvalidError(
          `PEM block "${key.type}" is not supported (encrypted keys are not); decrypt it with \`openssl pkcs8 -topk8 -nocrypt\``,
        );
    }
  } catch (err) {
    if (err instanceof KeyInvalidError) throw err;
    throw new KeyInvalidError(`Private key is not valid DER: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
