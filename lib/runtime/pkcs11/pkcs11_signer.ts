/**
 * A {@linkcode Signer} whose private key stays in a PKCS#11 token: the data is hashed with
 * WebCrypto and the token signs the digest (`CKM_ECDSA`, whose r‖s output is exactly JWS's and
 * COSE's form, or `CKM_RSA_PKCS_PSS` with salt = hash length), with the hash notation uses for
 * the key size. Every signature is checked against the leaf certificate before it is returned.
 *
 * @module
 */
import type { Bytes } from "../../_internal/bytes.ts";
import { KeyInvalidError, NotFoundError } from "../../errors.ts";
import type { Signer } from "../../signature/signer.ts";
import type { Certificate } from "../../x509/certificate.ts";
import type { KeySpec } from "../../x509/key_spec.ts";
import { CKG_MGF1, CKM } from "./_ck.ts";
import type { Mechanism } from "./pkcs11_module.ts";
import { withPkcs11Key } from "./pkcs11_key.ts";
import type { Pkcs11KeyOptions, TokenKey } from "./pkcs11_key.ts";

/** Options of {@linkcode Pkcs11Signer.create}. */
export interface Pkcs11SignerOptions extends Pkcs11KeyOptions {
  /** The chain, leaf first (`--cert`); default: the certificates stored on the token. */
  certificateChain?: readonly Certificate[];
}

const HASH_MECHANISM = { "SHA-256": CKM.SHA256, "SHA-384": CKM.SHA384, "SHA-512": CKM.SHA512 };

/**
 * The mechanism that signs a digest for a key spec.
 *
 * @example
 * ```ts
 * import { digestMechanism } from "./pkcs11_signer.ts";
 * import { keySpecByName } from "../../x509/key_spec.ts";
 * console.log(digestMechanism(keySpecByName("EC-256")).type); // 4161n (CKM_ECDSA)
 * ```
 */
export function digestMechanism(spec: KeySpec): Mechanism {
  if (spec.keyType === "EC") return { type: CKM.ECDSA };
  // CK_RSA_PKCS_PSS_PARAMS { hashAlg, mgf, sLen }.
  const parameter = new Uint8Array(24);
  const view = new DataView(parameter.buffer);
  view.setBigUint64(0, HASH_MECHANISM[spec.hash], true);
  view.setBigUint64(8, CKG_MGF1[spec.hash], true);
  view.setBigUint64(16, BigInt(spec.hashLength), true);
  return { type: CKM.RSA_PKCS_PSS, parameter };
}

/** The certificate chain stored on the token: the key's certificate, then its issuers. */
async function tokenChain(key: TokenKey, what: string): Promise<Certificate[]> {
  const [leaf] = key.certificates();
  if (leaf === undefined) {
    throw new NotFoundError(
      `the token has no certificate for ${what}; store it with the key's id (pkcs11-tool --write-object cert.der --type cert --id ID) or give the chain with --cert FILE`,
    );
  }
  const all = key.allCertificates();
  const chain = [leaf];
  for (let last = leaf; !last.isSelfIssued && chain.length < 10;) {
    let issuer: Certificate | undefined;
    for (const c of all) {
      if (!chain.some((x) => x.equals(c)) && await last.checkSignatureFrom(c) === undefined) {
        issuer = c;
        break;
      }
    }
    if (issuer === undefined) break;
    chain.push(issuer);
    last = issuer;
  }
  return chain;
}

async function signWith(key: TokenKey, spec: KeySpec, data: Uint8Array): Promise<Bytes> {
  const digest = new Uint8Array(await crypto.subtle.digest(spec.hash, data as Bytes));
  const signature = new Uint8Array(key.sign(digestMechanism(spec), digest));
  if (spec.signatureLength !== undefined && signature.length !== spec.signatureLength) {
    throw new KeyInvalidError(
      `the token returned a ${signature.length}-byte ECDSA signature, not ${spec.signatureLength} bytes (r||s); the key does not fit its certificate (${spec.name})`,
    );
  }
  return signature;
}

async function verifies(leaf: Certificate, data: Uint8Array, signature: Bytes): Promise<boolean> {
  const spec = leaf.keySpec();
  return await crypto.subtle.verify(
    spec.signParams,
    await leaf.publicKey(),
    signature,
    data as Bytes,
  );
}

/**
 * Signs with a key in a PKCS#11 token.
 *
 * @example
 * ```ts ignore
 * import { Pkcs11Signer } from "./pkcs11_signer.ts";
 * import { parsePkcs11Uri } from "./pkcs11_uri.ts";
 * const signer = await Pkcs11Signer.create({
 *   uri: parsePkcs11Uri("pkcs11:token=station;object=release"),
 *   modulePath: "/usr/lib/softhsm/libsofthsm2.so",
 *   pin: () => Promise.resolve("1234"),
 * });
 * console.log(signer.keySpec.name); // EC-256
 * ```
 */
export class Pkcs11Signer implements Signer {
  /** The key spec of the leaf certificate (and of the token's key). */
  readonly keySpec: KeySpec;
  /** The chain, leaf first. */
  readonly certificateChain: readonly Certificate[];
  readonly #options: Pkcs11KeyOptions;

  private constructor(options: Pkcs11KeyOptions, chain: readonly Certificate[]) {
    this.#options = options;
    this.certificateChain = chain;
    this.keySpec = chain[0]!.keySpec();
  }

  /**
   * Opens the key, finds its chain (given, or from the token), and checks before any signing
   * that the key is the leaf certificate's: same key type, and a test signature made by the
   * token verifies with the leaf's public key.
   * @param options Key, module, PIN and (optionally) the chain.
   * @returns The signer.
   * @throws {NotFoundError} ERR_NOT_FOUND when the token, key or certificate is missing.
   * @throws {KeyInvalidError} ERR_KEY_INVALID when the key does not match the certificate.
   * @throws {Pkcs11Error} For a failed call (wrong PIN: ERR_UNAUTHORIZED; missing mechanism:
   *   ERR_UNSUPPORTED).
   */
  static async create(options: Pkcs11SignerOptions): Promise<Pkcs11Signer> {
    let pin: string | undefined;
    // The PIN is asked for once; the signing session logs in with the same one.
    const keyOptions: Pkcs11KeyOptions = {
      uri: options.uri,
      modulePath: options.modulePath,
      pin: async (token) => (pin ??= await options.pin(token)),
    };
    const chain = await withPkcs11Key(keyOptions, async (key) => {
      const what = `the key ${JSON.stringify(key.label)}`;
      const chain = options.certificateChain?.length
        ? [...options.certificateChain]
        : await tokenChain(key, what);
      const leaf = chain[0]!;
      const spec = leaf.keySpec();
      if (spec.keyType !== key.keyType) {
        throw new KeyInvalidError(
          `the token's key ${
            JSON.stringify(key.label)
          } (${key.keyType}) does not match the certificate "${leaf.subject}" (${spec.name}); use the certificate issued for this key`,
        );
      }
      const challenge = crypto.getRandomValues(new Uint8Array(32));
      const signature = await signWith(key, spec, challenge);
      if (!await verifies(leaf, challenge, signature)) {
        throw new KeyInvalidError(
          `the token's key ${
            JSON.stringify(key.label)
          } does not match the certificate "${leaf.subject}"; use the certificate issued for this key`,
        );
      }
      return chain;
    });
    return new Pkcs11Signer(keyOptions, chain);
  }

  /**
   * Hashes `data` and has the token sign the digest; the signature is checked with the leaf.
   * @param data The bytes to sign.
   * @returns The signature (r‖s for ECDSA).
   * @throws {KeyInvalidError} ERR_KEY_INVALID when the token's signature does not verify.
   */
  async sign(data: Bytes): Promise<Bytes> {
    const signature = await withPkcs11Key(
      this.#options,
      (key) => signWith(key, this.keySpec, data),
    );
    if (!await verifies(this.certificateChain[0]!, data, signature)) {
      throw new KeyInvalidError(
        "the token's signature does not verify with the leaf certificate; nothing was signed",
      );
    }
    return signature;
  }
}
