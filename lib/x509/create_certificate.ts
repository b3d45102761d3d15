/**
 * Key pair generation and certificate creation with chosen extensions: what
 * `generate-test` needs, and what tests use to build chains (root → intermediate → leaf) and
 * deliberately broken certificates.
 *
 * @module
 */
import { toHex } from "../_internal/bytes.ts";
import { x509 } from "./_peculiar.ts";
import { Certificate, KEY_USAGE } from "./certificate.ts";
import type { KeyUsageBit } from "./certificate.ts";
import { keySpecByName } from "./key_spec.ts";
import type { KeySpecName } from "./key_spec.ts";

/** What key to generate: a key spec, or an RSA size outside the profile (for negative tests). */
export type KeyGenerationSpec = KeySpecName | { rsaBits: number };

/**
 * Generates an extractable key pair that can sign certificates: RSA keys use PKCS#1 v1.5 with
 * SHA-256 (certificate signatures; envelopes re-import the private key for PSS), EC keys ECDSA.
 *
 * @example
 * ```ts
 * import { generateKeyPair } from "./create_certificate.ts";
 * const pair = await generateKeyPair("EC-256");
 * console.log(pair.privateKey.algorithm.name); // ECDSA
 * ```
 * @param spec The key spec name, or `{ rsaBits }`.
 * @returns The key pair.
 */
export async function generateKeyPair(spec: KeyGenerationSpec): Promise<CryptoKeyPair> {
  const params: RsaHashedKeyGenParams | EcKeyGenParams = typeof spec === "object"
    ? rsaParams(spec.rsaBits)
    : keySpecByName(spec).keyType === "RSA"
    ? rsaParams(keySpecByName(spec).size)
    : keySpecByName(spec).generateParams as EcKeyGenParams;
  return await crypto.subtle.generateKey(params, true, ["sign", "verify"]) as CryptoKeyPair;
}

function rsaParams(bits: number): RsaHashedKeyGenParams {
  return {
    name: "RSASSA-PKCS1-v1_5",
    hash: "SHA-256",
    modulusLength: bits,
    publicExponent: new Uint8Array([1, 0, 1]),
  };
}

/** Options of {@linkcode createCertificate}. */
export interface CreateCertificateOptions {
  /** Subject DN in `C=US, ST=WA, O=Notary, CN=name` form (encoded in the given order). */
  subject: string;
  /** The public key to certify. */
  publicKey: CryptoKey;
  /** The issuer's certificate and private key; omit for a self-signed certificate. */
  issuer?: { certificate: Certificate; privateKey: CryptoKey };
  /** The private key of `publicKey`, needed when self-signed. */
  privateKey?: CryptoKey;
  /** Start of validity (default: now, whole seconds). */
  notBefore?: Date;
  /** End of validity (default: `notBefore` + 24 h). */
  notAfter?: Date;
  /** Serial number in hex (default: 8 random bytes). */
  serialNumber?: string;
  /** basicConstraints; omitted when undefined. */
  basicConstraints?: { ca: boolean; pathLength?: number; critical?: boolean };
  /** keyUsage bits by name; omitted when undefined. Critical unless `critical: false`. */
  keyUsage?: { usages: KeyUsageBit[]; critical?: boolean };
  /** extendedKeyUsage OIDs; omitted when undefined. */
  extendedKeyUsage?: { oids: string[]; critical?: boolean };
  /** Hash of the certificate signature (default: SHA-256; SHA-1 only for negative tests). */
  signatureHash?: "SHA-1" | "SHA-256" | "SHA-384" | "SHA-512";
}

/**
 * Creates a certificate with exactly the extensions asked for.
 *
 * @example Self-signed CA
 * ```ts
 * import { createCertificate, generateKeyPair } from "./create_certificate.ts";
 * const keys = await generateKeyPair("EC-256");
 * const root = await createCertificate({
 *   subject: "C=US, O=Test, CN=Root",
 *   publicKey: keys.publicKey,
 *   privateKey: keys.privateKey,
 *   basicConstraints: { ca: true, critical: true },
 *   keyUsage: { usages: ["keyCertSign"] },
 * });
 * console.log(root.isCa, root.subject); // true CN=Root,O=Test,C=US
 * ```
 * @param options Subject, keys, validity and extensions.
 * @returns The certificate.
 */
export async function createCertificate(options: CreateCertificateOptions): Promise<Certificate> {
  const notBefore = options.notBefore ?? new Date(Math.floor(Date.now() / 1000) * 1000);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + 24 * 3600 * 1000);
  let signingKey = options.issuer?.privateKey ?? options.privateKey;
  if (!signingKey) throw new TypeError("createCertificate() needs issuer or privateKey");
  const extensions: InstanceType<typeof x509.Extension>[] = [];
  const bc = options.basicConstraints;
  if (bc) {
    extensions.push(new x509.BasicConstraintsExtension(bc.ca, bc.pathLength, bc.critical ?? true));
  }
  const ku = options.keyUsage;
  if (ku) {
    const flags = ku.usages.reduce((acc, u) => acc | KEY_USAGE[u], 0);
    extensions.push(new x509.KeyUsagesExtension(flags, ku.critical ?? true));
  }
  const eku = options.extendedKeyUsage;
  if (eku) extensions.push(new x509.ExtendedKeyUsageExtension(eku.oids, eku.critical ?? false));
  const hash = options.signatureHash ?? defaultHash(signingKey);
  const signingAlgorithm = signingKey.algorithm.name === "ECDSA"
    ? { name: "ECDSA", hash }
    : { name: "RSASSA-PKCS1-v1_5", hash };
  const keyHash = (signingKey.algorithm as RsaHashedKeyAlgorithm).hash?.name;
  if (signingAlgorithm.name !== "ECDSA" && keyHash !== hash) {
    // An RSA key is bound to one hash in WebCrypto: re-import it for the requested one.
    const pkcs8 = await crypto.subtle.exportKey("pkcs8", signingKey);
    signingKey = await crypto.subtle.importKey("pkcs8", pkcs8, signingAlgorithm, false, ["sign"]);
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: options.serialNumber ?? randomSerial(),
    subject: options.subject,
    issuer: options.issuer ? new x509.Name(options.issuer.certificate.rawSubject) : options.subject,
    notBefore,
    notAfter,
    publicKey: options.publicKey,
    signingKey,
    signingAlgorithm,
    extensions,
  }, crypto);
  return new Certificate(new Uint8Array(cert.rawData));
}

function defaultHash(key: CryptoKey): "SHA-256" | "SHA-384" | "SHA-512" {
  const curve = (key.algorithm as EcKeyAlgorithm).namedCurve;
  return curve === "P-384" ? "SHA-384" : curve === "P-521" ? "SHA-512" : "SHA-256";
}

function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return toHex(bytes);
}
