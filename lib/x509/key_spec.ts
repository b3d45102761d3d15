/**
 * The one table of Notary Project key specs: key type and size → signature algorithm (JWS and
 * COSE names), hash, and the WebCrypto parameters to generate, import, sign and verify. Nothing
 * else in ocisign switches on algorithm names.
 *
 * @see https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#algorithm-selection
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { CertificateInvalidError, UnsupportedError } from "../errors.ts";
import { decodeOid, integerBitLength, readChildren, readSingle, TAG } from "./asn1.ts";

/** Key spec names as the plugin protocol spells them. */
export type KeySpecName = "RSA-2048" | "RSA-3072" | "RSA-4096" | "EC-256" | "EC-384" | "EC-521";

/** JWS signature algorithm names allowed by the Notary Project. */
export type JwsAlgorithm = "PS256" | "PS384" | "PS512" | "ES256" | "ES384" | "ES512";

/** One row of the key-spec table. */
export interface KeySpec {
  /** `RSA-2048`, `EC-256`, ... */
  readonly name: KeySpecName;
  /** Key type. */
  readonly keyType: "RSA" | "EC";
  /** RSA modulus bits or EC curve size. */
  readonly size: 2048 | 3072 | 4096 | 256 | 384 | 521;
  /** JWS `alg`. */
  readonly jwsAlgorithm: JwsAlgorithm;
  /** COSE `alg` label value. */
  readonly coseAlgorithm: number;
  /** Plugin protocol signing algorithm name. */
  readonly signingAlgorithm: string;
  /** Hash used for the signature (and for timestamps). */
  readonly hash: "SHA-256" | "SHA-384" | "SHA-512";
  /** Hash output length in bytes (also the PSS salt length notation uses). */
  readonly hashLength: 32 | 48 | 64;
  /** WebCrypto import parameters for both keys of the pair. */
  readonly importParams: RsaHashedImportParams | EcKeyImportParams;
  /** WebCrypto key generation parameters. */
  readonly generateParams: RsaHashedKeyGenParams | EcKeyGenParams;
  /** WebCrypto sign/verify parameters (PSS salt = hash length). */
  readonly signParams: RsaPssParams | EcdsaParams;
  /** Exact signature length for ECDSA (raw r‖s); undefined for RSA (modulus length). */
  readonly signatureLength: number | undefined;
}

const F4 = new Uint8Array([1, 0, 1]);

function rsa(size: 2048 | 3072 | 4096, bits: 256 | 384 | 512): KeySpec {
  const hash = `SHA-${bits}` as const;
  const hashLength = (bits / 8) as 32 | 48 | 64;
  return Object.freeze({
    name: `RSA-${size}` as KeySpecName,
    keyType: "RSA",
    size,
    jwsAlgorithm: `PS${bits}` as JwsAlgorithm,
    coseAlgorithm: { 256: -37, 384: -38, 512: -39 }[bits],
    signingAlgorithm: `RSASSA-PSS-SHA-${bits}`,
    hash,
    hashLength,
    importParams: { name: "RSA-PSS", hash },
    generateParams: { name: "RSA-PSS", hash, modulusLength: size, publicExponent: F4 },
    signParams: { name: "RSA-PSS", saltLength: hashLength },
    signatureLength: undefined,
  });
}

function ec(size: 256 | 384 | 521, bits: 256 | 384 | 512, cose: number): KeySpec {
  const hash = `SHA-${bits}` as const;
  const namedCurve = `P-${size}`;
  return Object.freeze({
    name: `EC-${size}` as KeySpecName,
    keyType: "EC",
    size,
    jwsAlgorithm: `ES${bits}` as JwsAlgorithm,
    coseAlgorithm: cose,
    signingAlgorithm: `ECDSA-SHA-${bits}`,
    hash,
    hashLength: (bits / 8) as 32 | 48 | 64,
    importParams: { name: "ECDSA", namedCurve },
    generateParams: { name: "ECDSA", namedCurve },
    signParams: { name: "ECDSA", hash },
    signatureLength: 2 * Math.ceil(size / 8),
  });
}

/** Every supported key spec. */
export const KEY_SPECS: readonly KeySpec[] = Object.freeze([
  rsa(2048, 256),
  rsa(3072, 384),
  rsa(4096, 512),
  ec(256, 256, -7),
  ec(384, 384, -35),
  ec(521, 512, -36),
]);

/** OIDs of the EC named curves, by curve size. */
export const CURVE_OIDS: Readonly<Record<string, 256 | 384 | 521>> = Object.freeze({
  "1.2.840.10045.3.1.7": 256,
  "1.3.132.0.34": 384,
  "1.3.132.0.35": 521,
});

/** rsaEncryption. */
export const OID_RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
/** id-ecPublicKey. */
export const OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1";

/**
 * Looks up a key spec by name.
 *
 * @example
 * ```ts
 * import { keySpecByName } from "./key_spec.ts";
 * console.log(keySpecByName("RSA-3072").jwsAlgorithm); // PS384
 * ```
 * @param name A key spec name.
 * @returns The key spec.
 * @throws {UnsupportedError} ERR_UNSUPPORTED for any other name.
 */
export function keySpecByName(name: string): KeySpec {
  const spec = KEY_SPECS.find((s) => s.name === name);
  if (!spec) {
    throw new UnsupportedError(
      `Key spec "${name}" is not supported; use one of ${KEY_SPECS.map((s) => s.name).join(", ")}`,
    );
  }
  return spec;
}

/**
 * Looks up a key spec by key type and size (RSA modulus bits, EC curve size).
 *
 * @example
 * ```ts
 * import { keySpecFor } from "./key_spec.ts";
 * console.log(keySpecFor("EC", 521)?.jwsAlgorithm); // ES512
 * ```
 * @param keyType `RSA` or `EC`.
 * @param size Bits.
 * @returns The key spec, or undefined when the pair is not allowed.
 */
export function keySpecFor(keyType: "RSA" | "EC", size: number): KeySpec | undefined {
  return KEY_SPECS.find((s) => s.keyType === keyType && s.size === size);
}

/**
 * Looks up a key spec by JWS algorithm name.
 *
 * @example
 * ```ts
 * import { keySpecByJwsAlgorithm } from "./key_spec.ts";
 * console.log(keySpecByJwsAlgorithm("ES384")?.name); // EC-384
 * ```
 * @param alg The `alg` header value.
 * @returns The key spec, or undefined for any algorithm outside the Notary Project set.
 */
export function keySpecByJwsAlgorithm(alg: unknown): KeySpec | undefined {
  return KEY_SPECS.find((s) => s.jwsAlgorithm === alg);
}

/**
 * Looks up a key spec by COSE algorithm id.
 *
 * @example
 * ```ts
 * import { keySpecByCoseAlgorithm } from "./key_spec.ts";
 * console.log(keySpecByCoseAlgorithm(-37)?.name); // RSA-2048
 * ```
 * @param alg The COSE `alg` label value.
 * @returns The key spec, or undefined for any other algorithm.
 */
export function keySpecByCoseAlgorithm(alg: unknown): KeySpec | undefined {
  return KEY_SPECS.find((s) => s.coseAlgorithm === alg);
}

/**
 * Derives the key spec of a DER SubjectPublicKeyInfo, as notation's `ExtractKeySpec` does:
 * only RSA 2048/3072/4096 and EC P-256/P-384/P-521.
 *
 * @example
 * ```ts ignore
 * import { keySpecFromSpki } from "./key_spec.ts";
 * const spec = keySpecFromSpki(certificate.spki);
 * ```
 * @param spki DER SubjectPublicKeyInfo.
 * @returns The key spec.
 * @throws {CertificateInvalidError} ERR_CERTIFICATE_INVALID for any other key.
 */
export function keySpecFromSpki(spki: Bytes): KeySpec {
  const { keyType, size } = describeSpki(spki);
  const spec = keyType === "RSA" || keyType === "EC" ? keySpecFor(keyType, size) : undefined;
  if (spec) return spec;
  if (keyType === "RSA") {
    throw new CertificateInvalidError(
      `rsa key size ${size} bits is not supported; use an RSA key of 2048, 3072 or 4096 bits`,
    );
  }
  if (keyType === "EC") {
    throw new CertificateInvalidError(
      "ecdsa key curve is not supported; use an EC key on P-256, P-384 or P-521",
    );
  }
  throw new CertificateInvalidError(
    `unsupported public key type (${keyType}); use an RSA or EC key`,
  );
}

/**
 * Describes a DER SubjectPublicKeyInfo: key type and size, without judging it.
 *
 * @example
 * ```ts ignore
 * import { describeSpki } from "./key_spec.ts";
 * console.log(describeSpki(spki)); // { keyType: "RSA", size: 1024 }
 * ```
 * @param spki DER SubjectPublicKeyInfo.
 * @returns `RSA` or `EC` with its size, or the algorithm OID with size 0.
 * @throws {CertificateInvalidError} ERR_CERTIFICATE_INVALID when the structure is malformed.
 */
export function describeSpki(spki: Bytes): { keyType: string; size: number } {
  try {
    const [algId, bits] = readChildren(readSingle(spki, TAG.SEQUENCE));
    const [oidNode, params] = readChildren(algId!);
    const oid = decodeOid(oidNode!.content);
    if (oid === OID_RSA_ENCRYPTION) {
      const key = readSingle(bits!.content.subarray(1), TAG.SEQUENCE);
      const [n] = readChildren(key);
      return { keyType: "RSA", size: integerBitLength(n!.content) };
    }
    if (oid === OID_EC_PUBLIC_KEY) {
      const curve = params?.tag === TAG.OID ? CURVE_OIDS[decodeOid(params.content)] : undefined;
      return { keyType: "EC", size: curve ?? 0 };
    }
    return { keyType: oid, size: 0 };
  } catch (cause) {
    if (cause instanceof CertificateInvalidError) throw cause;
    throw new CertificateInvalidError("The public key info is malformed", { cause });
  }
}
