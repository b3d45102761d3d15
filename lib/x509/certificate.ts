/**
 * A parsed X.509 certificate with exactly what Notary Project signing and verification need.
 *
 * @module
 */
import { fromUtf8, toHex } from "../_internal/bytes.ts";
import type { Bytes } from "../_internal/bytes.ts";
import { CertificateInvalidError } from "../errors.ts";
import { children, decodeOid, readChildren, readDer, readSingle, TAG, timeOf } from "./asn1.ts";
import type { DerElement } from "./asn1.ts";
import {
  parseExtensions,
  readBasicConstraints,
  readExtendedKeyUsage,
  readKeyUsage,
} from "./_extensions.ts";
import type { Extension } from "./_extensions.ts";
import { formatName, parseName } from "./distinguished_name.ts";
import type { NameAttribute } from "./distinguished_name.ts";
import { describeSpki, keySpecFromSpki } from "./key_spec.ts";
import type { KeySpec } from "./key_spec.ts";
import { decodePem, encodePem } from "./pem.ts";
import { SIGNATURE_DOES_NOT_VERIFY, verifySignedBy } from "./verify_signed_by.ts";

/** Key usage bit names. */
export type KeyUsageBit =
  | "digitalSignature"
  | "contentCommitment"
  | "keyEncipherment"
  | "dataEncipherment"
  | "keyAgreement"
  | "keyCertSign"
  | "cRLSign"
  | "encipherOnly"
  | "decipherOnly";

/** Extended key usage names the profile checks. */
export type EkuName =
  | "anyExtendedKeyUsage"
  | "serverAuth"
  | "clientAuth"
  | "codeSigning"
  | "emailProtection"
  | "timeStamping"
  | "ocspSigning";

/** Key usage bits, numbered as Go's `x509.KeyUsage` (and RFC 5280 bit order). */
export const KEY_USAGE: Readonly<Record<KeyUsageBit, number>> = Object.freeze({
  digitalSignature: 1,
  contentCommitment: 2,
  keyEncipherment: 4,
  dataEncipherment: 8,
  keyAgreement: 16,
  keyCertSign: 32,
  cRLSign: 64,
  encipherOnly: 128,
  decipherOnly: 256,
});

/** Extended key usage OIDs the profile checks name. */
export const EKU: Readonly<Record<EkuName, string>> = Object.freeze({
  anyExtendedKeyUsage: "2.5.29.37.0",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  codeSigning: "1.3.6.1.5.5.7.3.3",
  emailProtection: "1.3.6.1.5.5.7.3.4",
  timeStamping: "1.3.6.1.5.5.7.3.8",
  ocspSigning: "1.3.6.1.5.5.7.3.9",
});

/** Certificate signature algorithms accepted in a chain (SHA-1 and MD5 are refused, as Go does). */
const SECURE_SIGNATURE_ALGORITHMS: Readonly<Record<string, string>> = {
  "1.2.840.113549.1.1.11": "SHA256-RSA",
  "1.2.840.113549.1.1.12": "SHA384-RSA",
  "1.2.840.113549.1.1.13": "SHA512-RSA",
  "1.2.840.113549.1.1.10": "RSASSA-PSS",
  "1.2.840.10045.4.3.2": "ECDSA-SHA256",
  "1.2.840.10045.4.3.3": "ECDSA-SHA384",
  "1.2.840.10045.4.3.4": "ECDSA-SHA512",
  "1.3.101.112": "Ed25519",
};

/** The basicConstraints extension. */
export interface BasicConstraints {
  /** Whether the extension is critical. */
  critical: boolean;
  /** The `cA` flag. */
  ca: boolean;
  /** `pathLenConstraint` when present (0 included). */
  pathLength: number | undefined;
}

/** The keyUsage extension. */
export interface KeyUsage {
  /** Whether the extension is critical. */
  critical: boolean;
  /** Bit set of {@linkcode KEY_USAGE} values. */
  flags: number;
}

/** The extendedKeyUsage extension. */
export interface ExtendedKeyUsage {
  /** Whether the extension is critical. */
  critical: boolean;
  /** Dotted OIDs in certificate order. */
  oids: string[];
}

const OID_BASIC_CONSTRAINTS = "2.5.29.19";
const OID_KEY_USAGE = "2.5.29.15";
const OID_EXT_KEY_USAGE = "2.5.29.37";

/** The serial number as hex, without the sign octet a high first byte needs. */
function serialHex(content: Uint8Array): string {
  return toHex(
    content.length > 1 && content[0] === 0 && content[1]! > 0x7f ? content.subarray(1) : content,
  );
}

/**
 * A parsed certificate. Construct it with {@linkcode parseCertificate} or
 * {@linkcode parseCertificates}.
 *
 * @example
 * ```ts ignore
 * import { parseCertificate } from "./certificate.ts";
 * const cert = parseCertificate(pemText);
 * console.log(cert.subject, cert.notAfter, await cert.sha256Fingerprint());
 * ```
 */
export class Certificate {
  /** DER encoding. */
  readonly raw: Bytes;
  /** Subject as notation prints it, e.g. `CN=name,O=Notary,L=Seattle,ST=WA,C=US`. */
  readonly subject: string;
  /** Issuer as notation prints it. */
  readonly issuer: string;
  /** Subject attributes in certificate order. */
  readonly subjectAttributes: readonly NameAttribute[];
  /** DER of the subject Name. */
  readonly rawSubject: Bytes;
  /** DER of the issuer Name. */
  readonly rawIssuer: Bytes;
  /** X.509 version (1 or 3). */
  readonly version: number;
  /** Lower-case hex of the serial number. */
  readonly serialNumber: string;
  /** Start of validity. */
  readonly notBefore: Date;
  /** End of validity. */
  readonly notAfter: Date;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Bytes;
  /** Public key type (`RSA`, `EC` or an OID) and size in bits. */
  readonly publicKeyInfo: { keyType: string; size: number };
  /** Dotted OID of the certificate's signature algorithm. */
  readonly signatureAlgorithm: string;
  /** basicConstraints, when present. */
  readonly basicConstraints: BasicConstraints | undefined;
  /** keyUsage, when present. */
  readonly keyUsage: KeyUsage | undefined;
  /** extendedKeyUsage, when present. */
  readonly extendedKeyUsage: ExtendedKeyUsage | undefined;
  #publicKey: Promise<CryptoKey> | undefined;
  /** What the issuer signed: TBSCertificate, signature AlgorithmIdentifier, signature value. */
  #signed: { tbs: Bytes; algorithm: DerElement; signature: Bytes };

  /** @internal Use {@linkcode parseCertificate}. */
  constructor(der: Bytes) {
    let parts: DerElement[];
    try {
      parts = readChildren(readSingle(der, TAG.SEQUENCE));
    } catch (cause) {
      throw new CertificateInvalidError(
        "Cannot parse the certificate: not a DER X.509 certificate",
        { cause },
      );
    }
    this.raw = der;
    let extensions: Extension[] = [];
    try {
      const [tbs, sigAlg, sigValue, extra] = parts;
      if (tbs?.tag !== TAG.SEQUENCE || sigAlg?.tag !== TAG.SEQUENCE) {
        throw new SyntaxError("bad Certificate");
      }
      if (sigValue?.tag !== TAG.BIT_STRING || sigValue.content[0] !== 0 || extra) {
        throw new SyntaxError("bad signature value");
      }
      this.#signed = { tbs: tbs.raw, algorithm: sigAlg, signature: sigValue.content.subarray(1) };
      const fields = readChildren(tbs);
      let i = 0;
      this.version = 1;
      if (fields[0]?.tag === 0xa0) {
        const v = readSingle(fields[0].content, TAG.INTEGER).content;
        this.version = (v[v.length - 1] ?? 0) + 1;
        i = 1;
      }
      const [serial, tbsSigAlg, issuer, validity, subject, spki, ...rest] = fields.slice(i);
      if (serial?.tag !== TAG.INTEGER || serial.content.length === 0) {
        throw new SyntaxError("bad serial number");
      }
      if (
        tbsSigAlg?.tag !== TAG.SEQUENCE || issuer?.tag !== TAG.SEQUENCE ||
        subject?.tag !== TAG.SEQUENCE || spki?.tag !== TAG.SEQUENCE
      ) {
        throw new SyntaxError("bad TBSCertificate");
      }
      const [notBefore, notAfter, more] = children(validity, "validity");
      if (more) throw new SyntaxError("bad validity");
      this.notBefore = timeOf(notBefore, "notBefore");
      this.notAfter = timeOf(notAfter, "notAfter");
      this.rawIssuer = issuer.raw;
      this.rawSubject = subject.raw;
      this.spki = spki.raw;
      this.serialNumber = serialHex(serial.content);
      this.signatureAlgorithm = decodeOid(readChildren(sigAlg)[0]!.content);
      if (toHex(tbsSigAlg.raw) !== toHex(sigAlg.raw)) {
        throw new CertificateInvalidError(
          "The certificate's inner and outer signature algorithms differ; the certificate is malformed",
        );
      }
      let last = 0;
      for (const field of rest) {
        // issuerUniqueID [1], subjectUniqueID [2], extensions [3], in this order
        const n = field.tag === 0x81 || field.tag === 0xa1
          ? 1
          : field.tag === 0x82 || field.tag === 0xa2
          ? 2
          : field.tag === 0xa3
          ? 3
          : 0;
        if (n <= last) throw new SyntaxError("bad TBSCertificate");
        last = n;
        if (n === 3) extensions = parseExtensions(readSingle(field.content), "extensions");
      }
    } catch (cause) {
      if (cause instanceof CertificateInvalidError) throw cause;
      throw new CertificateInvalidError("Cannot parse the certificate structure", { cause });
    }
    this.subjectAttributes = parseName(this.rawSubject);
    this.subject = formatName(this.subjectAttributes);
    this.issuer = formatName(parseName(this.rawIssuer));
    this.publicKeyInfo = describeSpki(this.spki);
    const seen = new Set<string>();
    let basic: BasicConstraints | undefined;
    let ku: KeyUsage | undefined;
    let eku: ExtendedKeyUsage | undefined;
    try {
      for (const ext of extensions) {
        if (seen.has(ext.oid)) {
          throw new CertificateInvalidError(
            `The certificate has a duplicate extension ${ext.oid}; it is malformed`,
          );
        }
        seen.add(ext.oid);
        if (ext.oid === OID_BASIC_CONSTRAINTS) {
          basic = { critical: ext.critical, ...readBasicConstraints(ext.value) };
        } else if (ext.oid === OID_KEY_USAGE) {
          ku = { critical: ext.critical, flags: readKeyUsage(ext.value) };
        } else if (ext.oid === OID_EXT_KEY_USAGE) {
          eku = { critical: ext.critical, oids: readExtendedKeyUsage(ext.value) };
        }
      }
    } catch (cause) {
      if (cause instanceof CertificateInvalidError) throw cause;
      throw new CertificateInvalidError(
        `Certificate "${this.subject}" has a malformed extension`,
        { cause },
      );
    }
    this.basicConstraints = basic;
    this.keyUsage = ku;
    this.extendedKeyUsage = eku;
  }

  /** Whether basicConstraints is present with `cA=true` (Go's `IsCA`). */
  get isCa(): boolean {
    return this.basicConstraints?.ca === true;
  }

  /** Whether the keyUsage extension is present and has the named bit. */
  hasKeyUsage(name: KeyUsageBit): boolean {
    return this.keyUsage !== undefined && (this.keyUsage.flags & KEY_USAGE[name]) !== 0;
  }

  /**
   * The Notary Project key spec of the certificate's public key.
   * @throws {CertificateInvalidError} ERR_CERTIFICATE_INVALID for keys outside the profile.
   */
  keySpec(): KeySpec {
    try {
      return keySpecFromSpki(this.spki);
    } catch (cause) {
      throw new CertificateInvalidError(
        `certificate with subject "${this.subject}": ${(cause as Error).message}`,
        { cause },
      );
    }
  }

  /**
   * The public key as a WebCrypto key for signature verification with its key spec.
   * @throws {CertificateInvalidError} ERR_CERTIFICATE_INVALID for keys outside the profile.
   */
  publicKey(): Promise<CryptoKey> {
    const spec = this.keySpec();
    this.#publicKey ??= crypto.subtle.importKey("spki", this.spki, spec.importParams, true, [
      "verify",
    ]).catch((cause) => {
      throw new CertificateInvalidError(
        `Cannot import the public key of certificate "${this.subject}"`,
        { cause },
      );
    });
    return this.#publicKey;
  }

  /** Lower-case hex SHA-256 of the DER bytes (notation's certificate fingerprint). */
  async sha256Fingerprint(): Promise<string> {
    return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", this.raw)));
  }

  /** Whether `date` lies in `[notBefore, notAfter]` (inclusive). */
  isValidAt(date: Date): boolean {
    const t = date.getTime();
    return t >= this.notBefore.getTime() && t <= this.notAfter.getTime();
  }

  /** Whether the DER bytes are identical. */
  equals(other: Certificate): boolean {
    return this.raw.length === other.raw.length && this.raw.every((b, i) => b === other.raw[i]);
  }

  /** Whether raw subject and raw issuer are byte-identical. */
  get isSelfIssued(): boolean {
    return toHex(this.rawSubject) === toHex(this.rawIssuer);
  }

  /**
   * Whether `parent`'s key verifies this certificate's signature, with Go's
   * `CheckSignatureFrom` rules: the parent must be a CA (v3 with basicConstraints `cA=true`, or
   * v1), have `keyCertSign` when keyUsage is present, and the algorithm must not be SHA-1/MD5.
   * @returns An error message, or undefined when the signature verifies.
   */
  async checkSignatureFrom(parent: Certificate): Promise<string | undefined> {
    if (
      (parent.version === 3 && !parent.basicConstraints) ||
      (parent.basicConstraints && !parent.isCa)
    ) {
      return `certificate with subject "${parent.subject}" is not a CA (basicConstraints cA is not true)`;
    }
    if (parent.keyUsage && !parent.hasKeyUsage("keyCertSign")) {
      return `certificate with subject "${parent.subject}" lacks the keyCertSign key usage`;
    }
    return await this.checkSignature(parent);
  }

  /**
   * Whether `signer`'s key verifies this certificate's signature (no CA rules; Go's
   * `CheckSignature`). SHA-1 and MD5 signatures are refused.
   * @returns An error message, or undefined when the signature verifies.
   */
  async checkSignature(signer: Certificate): Promise<string | undefined> {
    if (!(this.signatureAlgorithm in SECURE_SIGNATURE_ALGORITHMS)) {
      return `certificate with subject "${this.subject}" is signed with an insecure or unsupported algorithm (${this.signatureAlgorithm})`;
    }
    if (signer.publicKeyInfo.keyType === "EC" && signer.publicKeyInfo.size === 0) {
      return `the signature of certificate "${this.subject}" cannot be checked: the key of "${signer.subject}" is on an unsupported EC curve`;
    }
    const { tbs, algorithm, signature } = this.#signed;
    const problem = await verifySignedBy(signer, algorithm, tbs, signature);
    if (problem === undefined) return undefined;
    if (problem.unsupportedKeySize !== undefined) {
      return `the signature of certificate "${this.subject}" cannot be checked: the key of "${signer.subject}" is an unsupported key size of RSA ${signer.publicKeyInfo.size} bits (${problem.unsupportedKeySize})`;
    }
    const reason = problem.reason === SIGNATURE_DOES_NOT_VERIFY ? "" : ` (${problem.reason})`;
    return `the signature of certificate "${this.subject}" does not verify with the key of "${signer.subject}"${reason}`;
  }

  /** PEM encoding. */
  toPem(): string {
    return encodePem("CERTIFICATE", this.raw);
  }
}

/**
 * Parses one certificate from DER bytes or PEM text (the first CERTIFICATE block).
 *
 * @example
 * ```ts ignore
 * import { parseCertificate } from "./certificate.ts";
 * const cert = parseCertificate(leafPem);
 * ```
 * @param input DER bytes or PEM text.
 * @returns The certificate.
 * @throws {CertificateInvalidError} ERR_CERTIFICATE_INVALID when it cannot be parsed.
 */
export function parseCertificate(input: Bytes | string): Certificate {
  const certs = parseCertificates(input);
  if (certs.length !== 1) {
    throw new CertificateInvalidError(`Expected exactly one certificate, found ${certs.length}`);
  }
  return certs[0]!;
}

/**
 * Parses every certificate in PEM text or bytes (one or more CERTIFICATE blocks), or in DER
 * bytes (one or more concatenated certificates), as notation's trust store loader does.
 *
 * @example
 * ```ts ignore
 * import { parseCertificates } from "./certificate.ts";
 * const chain = parseCertificates(chainBytes);
 * ```
 * @param input PEM or DER.
 * @returns The certificates, in order.
 * @throws {CertificateInvalidError} ERR_CERTIFICATE_INVALID when nothing or something invalid is found.
 */
export function parseCertificates(input: Bytes | string): Certificate[] {
  let text: string | undefined;
  if (typeof input === "string") text = input;
  else if (input[0] !== TAG.SEQUENCE) {
    try {
      text = fromUtf8(input);
    } catch {
      text = undefined;
    }
  }
  if (text !== undefined) {
    const blocks = decodePem(text).filter((b) => b.type === "CERTIFICATE");
    if (blocks.length === 0) {
      throw new CertificateInvalidError(
        "No PEM CERTIFICATE block found; give a PEM or DER certificate",
      );
    }
    return blocks.map((b) => new Certificate(b.der));
  }
  const der = input as Bytes;
  const out: Certificate[] = [];
  let pos = 0;
  while (pos < der.length) {
    let len: number;
    try {
      const node = readDer(der, pos);
      if (node.tag !== TAG.SEQUENCE) throw new SyntaxError("not a SEQUENCE");
      len = node.raw.length;
    } catch (cause) {
      throw new CertificateInvalidError("Cannot parse DER certificate data", { cause });
    }
    out.push(new Certificate(der.slice(pos, pos + len)));
    pos += len;
  }
  return out;
}
