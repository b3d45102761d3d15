/**
 * What `notation cert generate-test` produces: a key and a self-signed, non-CA code-signing
 * certificate valid for 24 hours.
 *
 * @module
 */
import { InvalidInputError } from "../errors.ts";
import { generateKeyPair } from "./create_certificate.ts";
import { createTestCertificate } from "./_test_certificate.ts";
import type { Certificate } from "./certificate.ts";
import { keySpecByName, keySpecFor } from "./key_spec.ts";
import type { KeySpec, KeySpecName } from "./key_spec.ts";
import { exportPrivateKeyPem } from "./private_key.ts";

/** Options of {@linkcode generateTestCertificate}. */
export interface GenerateTestCertificateOptions {
  /** The key spec (default `RSA-2048`). */
  keySpec?: KeySpecName;
  /** RSA key size, as `--bits` (2048, 3072 or 4096); ignored when `keySpec` is given. */
  bits?: number;
  /** The issuance time (default now). */
  now?: Date;
}

/** Result of {@linkcode generateTestCertificate}. */
export interface GeneratedTestCertificate {
  /** PKCS#8 PEM private key; write it with mode 0600. */
  keyPem: string;
  /** PEM certificate; write it with mode 0644. */
  certificatePem: string;
  /** The parsed certificate. */
  certificate: Certificate;
  /** The key spec. */
  keySpec: KeySpec;
}

const NAME_REGEXP = /^[a-zA-Z0-9_.-]+$/;

/**
 * Generates a test key and self-signed certificate as `notation cert generate-test` does:
 * subject = issuer = `C=US, ST=WA, L=Seattle, O=Notary, CN=<name>`, valid from now for 24 h,
 * keyUsage digitalSignature (critical), EKU codeSigning, no basicConstraints, a small random
 * serial, signed with SHA-256.
 *
 * @example
 * ```ts
 * import { generateTestCertificate } from "./generate_test_certificate.ts";
 * const { certificate, keyPem } = await generateTestCertificate("wabbit-networks.io", {
 *   keySpec: "EC-256",
 * });
 * console.log(certificate.subject); // CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US
 * console.log(keyPem.startsWith("-----BEGIN PRIVATE KEY-----")); // true
 * ```
 * @param name The key name, used as CN (`^[a-zA-Z0-9_.-]+$`).
 * @param options Key spec or RSA bits, and the time.
 * @returns PEM key and certificate.
 * @throws {InvalidInputError} ERR_INVALID_INPUT for a bad name or key size.
 */
export async function generateTestCertificate(
  name: string,
  options: GenerateTestCertificateOptions = {},
): Promise<GeneratedTestCertificate> {
  if (!NAME_REGEXP.test(name)) {
    throw new InvalidInputError(
      `Invalid key name ${JSON.stringify(name)}: use only letters, digits, "_", "." and "-"`,
    );
  }
  let keySpec: KeySpec;
  if (options.keySpec !== undefined) keySpec = keySpecByName(options.keySpec);
  else {
    const spec = keySpecFor("RSA", options.bits ?? 2048);
    if (!spec) {
      throw new InvalidInputError(
        `RSA key size ${options.bits} is not supported; use 2048, 3072 or 4096`,
      );
    }
    keySpec = spec;
  }
  const keys = await generateKeyPair(keySpec.name);
  const certificate = await createTestCertificate(
    name,
    keys.publicKey,
    keys.privateKey,
    options.now ?? new Date(),
  );
  return {
    keyPem: await exportPrivateKeyPem(keys.privateKey),
    certificatePem: certificate.toPem(),
    certificate,
    keySpec,
  };
}
