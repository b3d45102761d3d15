/**
 * The Notary Project code-signing certificate profile for a signing chain, as notation-core-go's
 * `ValidateCodeSigningCertChain` runs it.
 *
 * @see https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#certificate-requirements
 * @module
 */
import { CertificateInvalidError } from "../errors.ts";
import { EKU } from "./certificate.ts";
import type { Certificate } from "./certificate.ts";

/** Options of {@linkcode validateCodeSigningChain}. */
export interface ValidateCodeSigningChainOptions {
  /** When given (at signing), every certificate must be valid at this time. */
  signingTime?: Date;
}

const LEAF_FORBIDDEN_KEY_USAGES = [
  "keyEncipherment",
  "dataEncipherment",
  "keyAgreement",
  "keyCertSign",
  "cRLSign",
  "encipherOnly",
  "decipherOnly",
] as const;

const LEAF_FORBIDDEN_EKUS: ReadonlyArray<[string, string]> = [
  [EKU.serverAuth, "ServerAuth"],
  [EKU.clientAuth, "ClientAuth"],
  [EKU.emailProtection, "EmailProtection"],
  [EKU.timeStamping, "TimeStamping"],
  [EKU.ocspSigning, "OCSPSigning"],
];

function fail(message: string): never {
  throw new CertificateInvalidError(message);
}

async function isSelfSigned(cert: Certificate): Promise<boolean> {
  return cert.isSelfIssued && (await cert.checkSignatureFrom(cert)) === undefined;
}

function checkSigningTime(cert: Certificate, signingTime: Date | undefined): void {
  if (signingTime && !cert.isValidAt(signingTime)) {
    fail(
      `certificate with subject "${cert.subject}" was invalid at signing time of ${signingTime.toISOString()}. Certificate is valid from [${cert.notBefore.toISOString()}] to [${cert.notAfter.toISOString()}]`,
    );
  }
}

/**
 * Checks the leaf rules: no `cA=true`, keyUsage present and critical with digitalSignature and
 * none of the forbidden bits, no forbidden EKU, and an RSA 2048/3072/4096 or EC P-256/384/521 key.
 *
 * @example
 * ```ts ignore
 * import { validateLeafCertificate } from "./code_signing_chain.ts";
 * validateLeafCertificate(chain[0]);
 * ```
 * @param cert The signing certificate.
 * @throws {CertificateInvalidError} ERR_CERTIFICATE_INVALID naming the broken rule.
 */
export function validateLeafCertificate(cert: Certificate): void {
  const who = `certificate with subject "${cert.subject}"`;
  if (cert.basicConstraints?.ca) {
    fail(
      `${who}: if the basic constraints extension is present, the ca field must be set to false`,
    );
  }
  const ku = cert.keyUsage;
  if (!ku || ku.flags === 0) fail(`${who}: key usage extension must be present`);
  if (!ku.critical) fail(`${who}: key usage extension must be marked critical`);
  if (!cert.hasKeyUsage("digitalSignature")) {
    fail(`${who}: key usage must have the bit positions for digital signature set`);
  }
  const forbidden = LEAF_FORBIDDEN_KEY_USAGES.filter((u) => cert.hasKeyUsage(u));
  if (forbidden.length > 0) {
    fail(`${who}: key usage must not have the bit positions for ${forbidden.join(", ")} set`);
  }
  for (const [oid, name] of LEAF_FORBIDDEN_EKUS) {
    if (cert.extendedKeyUsage?.oids.includes(oid)) {
      fail(`${who}: extended key usage must not contain ${name} eku`);
    }
  }
  cert.keySpec();
}

/**
 * Checks the CA rules for the certificate at `index` of a chain: basicConstraints `cA=true`,
 * a `pathLenConstraint` (when present) of at least `index - 1`, and a critical keyUsage with
 * keyCertSign.
 *
 * @example
 * ```ts ignore
 * import { validateCaCertificate } from "./code_signing_chain.ts";
 * validateCaCertificate(chain[1], 1);
 * ```
 * @param cert A CA certificate of the chain.
 * @param index Its position (1 for the first CA above the leaf).
 * @throws {CertificateInvalidError} ERR_CERTIFICATE_INVALID naming the broken rule.
 */
export function validateCaCertificate(cert: Certificate, index: number): void {
  const who = `certificate with subject "${cert.subject}"`;
  if (!cert.isCa) {
    fail(`${who}: ca field in basic constraints must be present, critical, and set to true`);
  }
  const pathLength = cert.basicConstraints?.pathLength;
  if (pathLength !== undefined && pathLength < index - 1) {
    fail(
      `${who}: expected path length of ${
        index - 1
      } but certificate has path length ${pathLength} instead`,
    );
  }
  const ku = cert.keyUsage;
  if (!ku || ku.flags === 0) fail(`${who}: key usage extension must be present`);
  if (!ku.critical) fail(`${who}: key usage extension must be marked critical`);
  if (!cert.hasKeyUsage("keyCertSign")) {
    fail(`${who}: key usage must have the bit positions for key certificate signing set`);
  }
}

/**
 * Validates a signing chain (leaf first, root last) against the Notary Project code-signing
 * profile: chain order and signatures, a self-signed root (or a single self-signed leaf), no
 * other self-signed certificate, leaf and CA rules, and, at signing, validity at the signing
 * time. Trust is not decided here (see `verifyChainTrust`).
 *
 * @example
 * ```ts ignore
 * import { validateCodeSigningChain } from "./code_signing_chain.ts";
 * await validateCodeSigningChain([leaf, intermediate, root]);
 * ```
 * @param chain Certificates, leaf first.
 * @param options `signingTime` to check validity at signing.
 * @throws {CertificateInvalidError} ERR_CERTIFICATE_INVALID naming the first broken rule.
 */
export async function validateCodeSigningChain(
  chain: readonly Certificate[],
  options: ValidateCodeSigningChainOptions = {},
): Promise<void> {
  if (chain.length === 0) fail("certificate chain must contain at least one certificate");
  if (chain.length === 1) {
    const cert = chain[0]!;
    checkSigningTime(cert, options.signingTime);
    const problem = await cert.checkSignature(cert);
    if (problem) {
      fail(`invalid self-signed certificate. subject: "${cert.subject}". Error: ${problem}`);
    }
    if (!cert.isSelfIssued) {
      fail(
        `invalid self-signed certificate. subject: "${cert.subject}". Error: issuer(${cert.issuer}) and subject(${cert.subject}) are not the same`,
      );
    }
    validateLeafCertificate(cert);
    return;
  }
  for (let i = 0; i < chain.length; i++) {
    const cert = chain[i]!;
    checkSigningTime(cert, options.signingTime);
    if (i === chain.length - 1) {
      if (!(await isSelfSigned(cert))) {
        const why = cert.isSelfIssued
          ? await cert.checkSignatureFrom(cert)
          : "issuer and subject differ";
        fail(
          `root certificate with subject "${cert.subject}" is invalid or not self-signed. Certificate chain must end with a valid self-signed root certificate. Error: ${why}`,
        );
      }
    } else {
      if (await isSelfSigned(cert)) {
        fail(
          i === 0
            ? `leaf certificate with subject "${cert.subject}" is self-signed. Certificate chain must not contain self-signed leaf certificate`
            : `intermediate certificate with subject "${cert.subject}" is self-signed. Certificate chain must not contain self-signed intermediate certificate`,
        );
      }
      const parent = chain[i + 1]!;
      const why = cert.issuer !== parent.subject || !sameBytes(cert.rawIssuer, parent.rawSubject)
        ? `issuer(${cert.issuer}) and parent subject(${parent.subject}) are not the same`
        : await cert.checkSignatureFrom(parent);
      if (why) {
        fail(
          `invalid certificates or certificate with subject "${cert.subject}" is not issued by "${parent.subject}". Error: ${why}`,
        );
      }
    }
    if (i === 0) validateLeafCertificate(cert);
    else validateCaCertificate(cert, i);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
