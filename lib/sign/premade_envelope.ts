/**
 * Envelopes made whole by the key holder (a notation plugin with `SIGNATURE_GENERATOR.ENVELOPE`
 * such as AWS Signer): the {@linkcode EnvelopeSigner} contract, and the checks an envelope passes
 * before ocisign stores it — the envelope type asked for, a signature that verifies, a valid
 * code-signing chain, the payload asked for (descriptor and user metadata, nothing added), a
 * signing time of now and the expiry asked for.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { fromUtf8 } from "../_internal/bytes.ts";
import { EnvelopeInvalidError, OcisignError } from "../errors.ts";
import type { EnvelopeContent, EnvelopeFormat } from "../signature/envelope.ts";
import { parseEnvelope } from "../signature/parse_envelope.ts";
import { createPayload, parsePayload } from "../signature/payload.ts";
import { Certificate } from "../x509/certificate.ts";
import { validateCodeSigningChain } from "../x509/code_signing_chain.ts";

/** What an {@linkcode EnvelopeSigner} is asked to sign. */
export interface EnvelopeRequest {
  /** The payload bytes (`{"targetArtifact":...}`). */
  payload: Bytes;
  /** The envelope format asked for. */
  format: EnvelopeFormat;
  /** The envelope media type asked for (`application/jose+json`, `application/cose`). */
  mediaType: string;
  /** How long the signature stays valid, in seconds, when it expires. */
  expirySeconds?: number;
}

/** What an {@linkcode EnvelopeSigner} answered (not yet checked). */
export interface GeneratedEnvelope {
  /** The envelope bytes. */
  bytes: Bytes;
  /** The media type the key holder says the envelope has. */
  mediaType: string;
  /** Annotations for the signature manifest. */
  annotations: Record<string, string>;
}

/** A key holder that builds the whole envelope itself. */
export interface EnvelopeSigner {
  /** Marks the kind of signer. */
  readonly generatesEnvelopes: true;
  /** Who builds the envelopes, for messages (`plugin "aws-signer"`). */
  readonly name: string;
  /** Builds an envelope over the request's payload. */
  generateEnvelope(request: EnvelopeRequest): Promise<GeneratedEnvelope>;
}

/** An envelope that passed {@linkcode checkGeneratedEnvelope}. */
export interface CheckedEnvelope {
  /** The envelope bytes. */
  bytes: Bytes;
  /** Its media type. */
  mediaType: string;
  /** Its signing time. */
  signingTime: Date;
  /** Its chain, leaf first. */
  certificateChain: Certificate[];
  /** Annotations for the signature manifest. */
  annotations: Record<string, string>;
}

/** How far a generated envelope's signing time may be from the local clock. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * Tells an {@linkcode EnvelopeSigner} from a raw signer.
 *
 * @example
 * ```ts
 * import { generatesEnvelopes } from "./premade_envelope.ts";
 * console.log(generatesEnvelopes({ keySpec: {}, certificateChain: [] })); // false
 * ```
 */
export function generatesEnvelopes(signer: object): signer is EnvelopeSigner {
  return (signer as Partial<EnvelopeSigner>).generatesEnvelopes === true;
}

/**
 * Checks an envelope the key holder made before anything is stored.
 *
 * @example
 * ```ts ignore
 * import { checkGeneratedEnvelope } from "./premade_envelope.ts";
 * const checked = await checkGeneratedEnvelope(request, answer, signer.name, startedAt);
 * ```
 * @param request What was asked.
 * @param answer What came back.
 * @param who Who made it, for messages.
 * @param askedAt When the envelope was asked for.
 * @returns The checked envelope.
 * @throws {EnvelopeInvalidError} ERR_ENVELOPE_INVALID for another type, payload, time or
 * expiry, or an envelope that does not parse or verify.
 * @throws {CertificateInvalidError} ERR_CERTIFICATE_INVALID for a chain that breaks the profile.
 */
export async function checkGeneratedEnvelope(
  request: EnvelopeRequest,
  answer: GeneratedEnvelope,
  who: string,
  askedAt: Date,
): Promise<CheckedEnvelope> {
  const refuse = (reason: string) =>
    new EnvelopeInvalidError(`the envelope ${who} generated ${reason}; nothing was signed`);
  if (answer.mediaType !== request.mediaType) {
    throw refuse(
      `is ${JSON.stringify(answer.mediaType)}, not the requested ${request.mediaType}`,
    );
  }
  let content: EnvelopeContent;
  try {
    content = await parseEnvelope(answer.bytes, request.mediaType).verify();
  } catch (cause) {
    if (!(cause instanceof OcisignError)) throw cause;
    throw new EnvelopeInvalidError(
      `the envelope ${who} generated is refused: ${cause.message}; nothing was signed`,
      { cause },
    );
  }
  if (!samePayload(content.payload.content, request.payload)) {
    throw refuse("signs another payload than the descriptor and annotations asked for");
  }
  const { signingTime, expiry } = content.signerInfo.signedAttributes;
  const now = Date.now();
  if (
    signingTime.getTime() < askedAt.getTime() - CLOCK_SKEW_MS ||
    signingTime.getTime() > now + CLOCK_SKEW_MS
  ) {
    throw refuse(`has signing time ${signingTime.toISOString()}, not now`);
  }
  const wanted = request.expirySeconds
    ? signingTime.getTime() + request.expirySeconds * 1000
    : undefined;
  if (expiry?.getTime() !== wanted) {
    throw refuse(
      wanted === undefined
        ? `expires at ${expiry!.toISOString()} although no expiry was asked for`
        : `expires at ${
          expiry?.toISOString() ?? "never"
        }, not ${request.expirySeconds} s after signing`,
    );
  }
  const certificateChain = content.signerInfo.certificateChain.map((der) => new Certificate(der));
  await validateCodeSigningChain(certificateChain, { signingTime });
  return {
    bytes: answer.bytes,
    mediaType: answer.mediaType,
    signingTime,
    certificateChain,
    annotations: answer.annotations,
  };
}

/** The same target artifact, and no field added to it or beside it. */
function samePayload(content: Bytes, asked: Bytes): boolean {
  const target = parsePayload(content);
  if (fromUtf8(createPayload(target)) !== fromUtf8(asked)) return false;
  const doc = JSON.parse(fromUtf8(content)) as Record<string, unknown>;
  const askedDoc = JSON.parse(fromUtf8(asked)) as { targetArtifact: Record<string, unknown> };
  return Object.keys(doc).length === 1 &&
    Object.keys(doc.targetArtifact as object).length ===
      Object.keys(askedDoc.targetArtifact).length;
}
