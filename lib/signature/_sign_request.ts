/**
 * Validation shared by both envelope formats before anything is signed.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { fromUtf8 } from "../_internal/bytes.ts";
import { InvalidInputError, KeyInvalidError } from "../errors.ts";
import { validateCodeSigningChain } from "../x509/code_signing_chain.ts";
import type { ExtendedAttribute, SigningScheme } from "./envelope.ts";
import { HEADER, SIGNING_SCHEMES } from "./_rules.ts";
import type { Signer } from "./signer.ts";

/** The fields both formats sign, after validation. */
export interface PreparedSignRequest {
  payload: Bytes;
  signer: Signer;
  signingScheme: SigningScheme;
  /** Whole seconds. */
  signingTime: Date;
  /** Whole seconds, after `signingTime`. */
  expiry: Date | undefined;
  signingAgent: string | undefined;
  extendedAttributes: ExtendedAttribute[];
  /** Countersigns the signature bytes (RFC 3161); x509 scheme only. */
  timestamp: ((signature: Bytes) => Promise<Bytes>) | undefined;
}

/** The raw request fields. */
export interface SignRequestFields {
  payload: Bytes;
  signer: Signer;
  signingScheme?: SigningScheme;
  signingTime?: Date;
  expiry?: Date;
  signingAgent?: string;
  extendedAttributes?: ExtendedAttribute[];
  timestamp?: (signature: Bytes) => Promise<Bytes>;
}

const RESERVED = new Set<string>([
  "alg",
  "cty",
  "crit",
  "x5c",
  HEADER.signingScheme,
  HEADER.signingTime,
  HEADER.authenticSigningTime,
  HEADER.expiry,
  HEADER.signingAgent,
  HEADER.timestampSignature,
]);

function seconds(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

/**
 * Validates a sign request as notation-core-go's `base.Envelope.Sign` does: a JSON-object
 * payload, a known scheme, whole-second times with expiry after signing time, no reserved
 * extended attribute. The signer's chain is checked by {@linkcode signChecked}, once it signed.
 * @throws {InvalidInputError} ERR_INVALID_INPUT for a bad payload, time or attribute.
 */
export function prepareSignRequest(req: SignRequestFields): PreparedSignRequest {
  let doc: unknown;
  try {
    doc = JSON.parse(fromUtf8(req.payload));
  } catch (cause) {
    throw new InvalidInputError("The payload to sign is not valid JSON", { cause });
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new InvalidInputError("The payload to sign must be a JSON object");
  }
  const signingScheme = req.signingScheme ?? "notary.x509";
  if (!SIGNING_SCHEMES.includes(signingScheme)) {
    throw new InvalidInputError(`Signing scheme "${signingScheme}" is not supported`);
  }
  const signingTime = seconds(req.signingTime ?? new Date());
  if (Number.isNaN(signingTime.getTime()) || signingTime.getTime() <= 0) {
    throw new InvalidInputError("The signing time is not a valid time");
  }
  const expiry = req.expiry ? seconds(req.expiry) : undefined;
  if (expiry && !(expiry.getTime() > signingTime.getTime())) {
    throw new InvalidInputError(
      `The expiry ${expiry.toISOString()} must be after the signing time ${signingTime.toISOString()}; give a later expiry`,
    );
  }
  if (req.timestamp && signingScheme !== "notary.x509") {
    throw new InvalidInputError(
      "Timestamping applies to the notary.x509 signing scheme only; drop the timestamp or the signingAuthority scheme",
    );
  }
  const extendedAttributes = [...(req.extendedAttributes ?? [])];
  const seen = new Set<string>();
  for (const a of extendedAttributes) {
    if (RESERVED.has(a.key) || seen.has(a.key)) {
      throw new InvalidInputError(
        `Extended attribute "${a.key}" is reserved or repeated; rename it`,
      );
    }
    seen.add(a.key);
  }
  return {
    payload: req.payload,
    signer: req.signer,
    signingScheme,
    signingTime,
    expiry,
    signingAgent: req.signingAgent,
    extendedAttributes,
    timestamp: req.timestamp,
  };
}

/**
 * Has the signer sign `data`, then checks its chain as notation-core-go does before it builds
 * the envelope: a key spec that matches the leaf, and a code-signing chain valid at the signing
 * time. The chain is read after signing, so a signer may learn it from its first signature (a
 * plugin returns it with the signature).
 * @param req The prepared request.
 * @param data The bytes to sign.
 * @returns The signature.
 * @throws {KeyInvalidError} ERR_KEY_INVALID when the signer's key does not fit its leaf.
 * @throws {CertificateInvalidError} ERR_CERTIFICATE_INVALID when the chain breaks the profile.
 */
export async function signChecked(req: PreparedSignRequest, data: Bytes): Promise<Bytes> {
  const signature = await req.signer.sign(data);
  const chain = req.signer.certificateChain;
  if (chain.length === 0) throw new KeyInvalidError("The signer has no certificate chain");
  const leafSpec = chain[0]!.keySpec();
  if (leafSpec !== req.signer.keySpec) {
    throw new KeyInvalidError(
      `The signer's key spec ${req.signer.keySpec.name} does not match its certificate (${leafSpec.name})`,
    );
  }
  await validateCodeSigningChain(chain, { signingTime: req.signingTime });
  return signature;
}
