/**
 * Signers: anything that holds a certificate chain and produces raw signatures with the
 * algorithm the leaf key's spec mandates. {@linkcode LocalSigner} does it with WebCrypto.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { KeyInvalidError } from "../errors.ts";
import { parseCertificates } from "../x509/certificate.ts";
import type { Certificate } from "../x509/certificate.ts";
import type { KeySpec } from "../x509/key_spec.ts";
import { importPrivateKey } from "../x509/private_key.ts";

/** Produces raw signatures (RSASSA-PSS with salt = hash length; ECDSA as raw r‖s). */
export interface Signer {
  /** The key spec of the signing key (and leaf certificate). */
  readonly keySpec: KeySpec;
  /** The certificate chain, leaf first, root last. */
  readonly certificateChain: readonly Certificate[];
  /** Signs `data` with the key spec's algorithm. */
  sign(data: Bytes): Promise<Bytes>;
}

/** Options of {@linkcode LocalSigner.create}. */
export interface LocalSignerOptions {
  /** PEM text (`PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`) or PKCS#8 DER. */
  privateKey: string | Bytes;
  /** The chain, leaf first: parsed certificates, or PEM/DER holding them. */
  certificateChain: readonly Certificate[] | string | Bytes;
}

/**
 * A signer holding a private key in WebCrypto.
 *
 * @example
 * ```ts ignore
 * import { LocalSigner } from "./signer.ts";
 * const signer = await LocalSigner.create({
 *   privateKey: keyPem, // PEM text of wabbit-networks.io.key
 *   certificateChain: certificatePem, // PEM text of wabbit-networks.io.crt
 * });
 * console.log(signer.keySpec.jwsAlgorithm); // PS256
 * ```
 */
export class LocalSigner implements Signer {
  /** The key spec. */
  readonly keySpec: KeySpec;
  /** The certificate chain, leaf first. */
  readonly certificateChain: readonly Certificate[];
  #key: CryptoKey;

  private constructor(key: CryptoKey, keySpec: KeySpec, chain: readonly Certificate[]) {
    this.#key = key;
    this.keySpec = keySpec;
    this.certificateChain = chain;
  }

  /**
   * Imports the key, derives its algorithm from the key spec, and checks that the key matches
   * the leaf certificate (same spec, and a test signature verifies with the leaf's key).
   *
   * @param options Key and chain.
   * @returns The signer.
   * @throws {KeyInvalidError} ERR_KEY_INVALID when the key is unusable or not the leaf's.
   * @throws {CertificateInvalidError} ERR_CERTIFICATE_INVALID when the chain cannot be parsed.
   */
  static async create(options: LocalSignerOptions): Promise<LocalSigner> {
    const chain = typeof options.certificateChain === "string" ||
        options.certificateChain instanceof Uint8Array
      ? parseCertificates(options.certificateChain)
      : [...options.certificateChain];
    if (chain.length === 0) {
      throw new KeyInvalidError("The certificate chain is empty; give the leaf certificate first");
    }
    const { key, keySpec } = await importPrivateKey(options.privateKey);
    const leaf = chain[0]!;
    const leafSpec = leaf.keySpec();
    if (leafSpec !== keySpec) {
      throw new KeyInvalidError(
        `The private key (${keySpec.name}) does not match the certificate "${leaf.subject}" (${leafSpec.name}); use the key the certificate was issued for`,
      );
    }
    const challenge = crypto.getRandomValues(new Uint8Array(32));
    const sig = await crypto.subtle.sign(keySpec.signParams, key, challenge);
    const ok = await crypto.subtle.verify(
      keySpec.signParams,
      await leaf.publicKey(),
      sig,
      challenge,
    );
    if (!ok) {
      throw new KeyInvalidError(
        `The private key does not match the certificate "${leaf.subject}"; use the key the certificate was issued for`,
      );
    }
    return new LocalSigner(key, keySpec, chain);
  }

  /** Signs `data` with the key spec's algorithm. */
  async sign(data: Bytes): Promise<Bytes> {
    return new Uint8Array(await crypto.subtle.sign(this.keySpec.signParams, this.#key, data));
  }
}
