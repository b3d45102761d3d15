/**
 * Signing a payload into a JWS or COSE envelope.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { signCose } from "./cose.ts";
import type { EnvelopeFormat, ExtendedAttribute, SigningScheme } from "./envelope.ts";
import { signJws } from "./jws.ts";
import { prepareSignRequest } from "./_sign_request.ts";
import type { Signer } from "./signer.ts";

/** Options of {@linkcode signEnvelope}. */
export interface SignEnvelopeOptions {
  /** `jws` (`application/jose+json`) or `cose` (`application/cose`). */
  format: EnvelopeFormat;
  /** The payload bytes (see `createPayload`). */
  payload: Bytes;
  /** The signer; its leaf key decides the algorithm. */
  signer: Signer;
  /** The signing time (default now; truncated to seconds). */
  signingTime?: Date;
  /** The signature expiry (truncated to seconds; must be after the signing time). */
  expiry?: Date;
  /** `io.cncf.notary.signingAgent`. */
  signingAgent?: string;
  /** Default `notary.x509`; `notary.x509.signingAuthority` writes `authenticSigningTime`. */
  signingScheme?: SigningScheme;
  /** Extra signed attributes. */
  extendedAttributes?: ExtendedAttribute[];
  /**
   * Countersigns the signature (notation's `--timestamp-url`): receives the raw signature
   * bytes and returns a DER RFC 3161 TimeStampToken over them, which is stored unsigned as
   * `io.cncf.notary.timestampSignature`. Only for the `notary.x509` scheme.
   */
  timestamp?: (signature: Bytes) => Promise<Bytes>;
}

/**
 * Signs a payload into an envelope notation accepts byte for byte in format.
 *
 * @example
 * ```ts ignore
 * import { createPayload, LocalSigner, signEnvelope } from "./mod.ts";
 * const signer = await LocalSigner.create({ privateKey: keyPem, certificateChain: certPem });
 * const envelope = await signEnvelope({
 *   format: "jws",
 *   payload: createPayload(descriptor),
 *   signer,
 *   signingAgent: "ocisign/0.1.0",
 * });
 * ```
 * @param options Format, payload, signer and attributes.
 * @returns The envelope bytes.
 * @throws {InvalidInputError} ERR_INVALID_INPUT for a bad payload, time or attribute.
 * @throws {KeyInvalidError} ERR_KEY_INVALID when the signer's key does not fit its leaf.
 * @throws {CertificateInvalidError} ERR_CERTIFICATE_INVALID when the chain breaks the profile
 * or is not valid at the signing time.
 */
export async function signEnvelope(options: SignEnvelopeOptions): Promise<Bytes> {
  const req = prepareSignRequest(options);
  if (options.format === "jws") return await signJws(req);
  if (options.format === "cose") return await signCose(req);
  throw new TypeError(`Unknown envelope format "${options.format}"; use "jws" or "cose"`);
}
