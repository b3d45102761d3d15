/**
 * Offline verification of one Notary Project signature envelope against the trust policy
 * statement that applies to the artifact: integrity, authenticity and trusted identity, expiry,
 * authentic timestamp, revocation — each with the action the policy's level assigns — then the
 * binding of the payload to the artifact and the requested user metadata, which are always
 * enforced. It fails closed: anything it cannot establish is a failure.
 *
 * @see https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#signature-verification
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import {
  AuthenticTimestampError,
  OcisignError,
  RevocationError,
  SignatureAuthenticityError,
  SignatureExpiredError,
  SignatureIntegrityError,
  SubjectMismatchError,
  TrustedIdentityError,
  UserMetadataError,
} from "../errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { MEDIA_TYPE_NOTARY_PAYLOAD } from "../oci/media_types.ts";
import type { EnvelopeContent } from "../signature/envelope.ts";
import { loadEnvelope } from "../signature/load_envelope.ts";
import { parsePayload } from "../signature/payload.ts";
import type { TargetArtifact } from "../signature/payload.ts";
import { loadTrustedCertificates } from "../trust/trust_store.ts";
import type { TrustStore } from "../trust/trust_store.ts";
import type { PolicyStatement } from "../trust/trust_policy.ts";
import { statementLevel } from "../trust/trust_policy.ts";
import { verifyTrustedIdentity } from "../trust/trusted_identity.ts";
import type { ValidationType, VerificationLevel } from "../trust/verification_level.ts";
import type { Certificate } from "../x509/certificate.ts";
import { verifyChainTrust } from "../x509/chain_trust.ts";
import { formatRfc1123z } from "./_time.ts";
import { assertNotRevoked } from "../x509/revocation/assert_not_revoked.ts";
import type { CheckChainRevocationOptions } from "../x509/revocation/check_chain_revocation.ts";
import type { RevocationClient } from "../x509/revocation/revocation_client.ts";
import type { ValidationResult, VerificationOutcome } from "./verification_outcome.ts";
import {
  namedVerificationPlugin,
  openVerificationPlugin,
  runVerificationPlugin,
  VERIFIER_CAPABILITY,
} from "./verification_plugin.ts";
import type { PluginSession, VerificationPluginHost } from "./verification_plugin.ts";

/** Options for {@linkcode verifyEnvelope}. */
export interface VerifyEnvelopeOptions {
  /** The envelope media type (the signature manifest layer's `mediaType`). */
  mediaType: string;
  /** The artifact being verified (mediaType, digest and size must match the payload). */
  subject: Descriptor;
  /** The trust policy statement selected for the artifact (OCI or blob trust policy). */
  policy: PolicyStatement;
  /** Where the trusted certificates of the policy's stores come from. */
  trustStore: TrustStore;
  /** Key/value pairs that must be present in the signed `targetArtifact.annotations`. */
  userMetadata?: Record<string, string>;
  /** The verification time (default: now); OCSP responses and CRLs must be fresh at it. */
  now?: Date;
  /**
   * Network access for revocation checking (OCSP and CRL). Without it, revocation is not
   * checked: the `revocation` result is skipped with a note, and so is the TSA chain's check.
   */
  revocationClient?: RevocationClient;
  /** Cancels trust store reads and revocation checks. */
  signal?: AbortSignal;
  /**
   * Runs the verification plugin a signature names (`io.cncf.notary.verificationPlugin`).
   * Without it, such a signature fails.
   */
  verificationPlugins?: VerificationPluginHost;
}

function toOcisignError(err: unknown, fallback: (message: string) => OcisignError): OcisignError {
  if (err instanceof OcisignError) return err;
  return fallback(err instanceof Error ? err.message : String(err));
}

async function checkAuthenticity(
  chain: readonly Certificate[],
  content: EnvelopeContent,
  opts: VerifyEnvelopeOptions,
): Promise<void> {
  const scheme = content.signerInfo.signedAttributes.signingScheme;
  // signing-scheme spec: notary.x509 chains to `ca` stores, signingAuthority to `signingAuthority` stores
  const storeType = scheme === "notary.x509"
    ? "ca"
    : scheme === "notary.x509.signingAuthority"
    ? "signingAuthority"
    : undefined;
  if (storeType === undefined) {
    throw new SignatureAuthenticityError(
      `error while loading the trust store, unrecognized signing scheme ${JSON.stringify(scheme)}`,
    );
  }
  let trusted: Certificate[];
  try {
    trusted = await loadTrustedCertificates(
      opts.trustStore,
      opts.policy,
      storeType,
      opts.signal ? { signal: opts.signal } : {},
    );
  } catch (err) {
    if (err instanceof OcisignError && err.code === "ERR_ABORTED") throw err;
    throw new SignatureAuthenticityError(
      `error while loading the trust store, ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (trusted.length === 0) {
    throw new SignatureAuthenticityError(
      `no trusted certificates are found to verify authenticity: trust policy statement ${
        JSON.stringify(opts.policy.name)
      } names no trust store of type "${storeType}", which the signing scheme ${scheme} requires`,
    );
  }
  verifyChainTrust(chain, trusted);
}

function checkExpiry(content: EnvelopeContent, now: Date): void {
  const expiry = content.signerInfo.signedAttributes.expiry;
  if (expiry !== undefined && now.getTime() >= expiry.getTime()) {
    throw new SignatureExpiredError(
      `digital signature has expired on ${JSON.stringify(formatRfc1123z(expiry))}`,
    );
  }
}

async function checkAuthenticTimestamp(
  chain: readonly Certificate[],
  content: EnvelopeContent,
  opts: VerifyEnvelopeOptions,
  now: Date,
): Promise<string | undefined> {
  const attrs = content.signerInfo.signedAttributes;
  if (attrs.signingScheme === "notary.x509.signingAuthority") {
    // signing-scheme spec: authenticSigningTime must lie inside every chain certificate's validity
    const t = attrs.signingTime;
    for (const cert of chain) {
      if (!cert.isValidAt(t)) {
        throw new AuthenticTimestampError(
          `certificate ${
            JSON.stringify(cert.subject)
          } was not valid when the digital signature was produced at ${
            JSON.stringify(formatRfc1123z(t))
          }`,
        );
      }
    }
    return undefined;
  }
  const policy = opts.policy;
  const hasTsaStore = policy.trustStores.some((s) => s.startsWith("tsa:"));
  const mode = policy.signatureVerification.verifyTimestamp ?? "always";
  const someExpired = chain.some((c) => now.getTime() > c.notAfter.getTime());
  if (hasTsaStore && (mode !== "afterCertExpiry" || someExpired)) {
    await checkTimestampCountersignature(chain, content, opts, now);
    return opts.revocationClient
      ? undefined
      : "the TSA certificate chain's revocation status is not checked (no revocation client was given)";
  }
  for (const cert of chain) {
    if (now.getTime() < cert.notBefore.getTime()) {
      throw new AuthenticTimestampError(
        `verification time is before certificate ${
          JSON.stringify(cert.subject)
        } validity period, it will be valid from ${JSON.stringify(formatRfc1123z(cert.notBefore))}`,
      );
    }
    if (now.getTime() > cert.notAfter.getTime()) {
      throw new AuthenticTimestampError(
        `verification time is after certificate ${
          JSON.stringify(cert.subject)
        } validity period, it was expired at ${JSON.stringify(formatRfc1123z(cert.notAfter))}`,
      );
    }
  }
  return undefined;
}

async function checkTimestampCountersignature(
  chain: readonly Certificate[],
  content: EnvelopeContent,
  opts: VerifyEnvelopeOptions,
  now: Date,
): Promise<void> {
  const token = content.signerInfo.unsignedAttributes.timestampSignature;
  if (token === undefined || token.length === 0) {
    throw new AuthenticTimestampError(
      "no timestamp countersignature was found in the signature envelope",
    );
  }
  let roots: Certificate[];
  try {
    roots = await loadTrustedCertificates(
      opts.trustStore,
      opts.policy,
      "tsa",
      opts.signal ? { signal: opts.signal } : {},
    );
  } catch (err) {
    if (err instanceof OcisignError && err.code === "ERR_ABORTED") throw err;
    throw new AuthenticTimestampError(
      `failed to load the tsa trust stores: ${(err as Error).message}`,
      { cause: err },
    );
  }
  // Loaded only for a timestamped signature the policy checks (`+ ""`: see
  // ../cli/commands/registry.ts).
  const { verifyTimestampToken } = await import(
    "../signature/timestamp_token.ts" + ""
  ) as typeof import("../signature/timestamp_token.ts");
  const { genTime, accuracyMs, tsaChain } = await verifyTimestampToken(token, {
    signature: content.signerInfo.signature,
    trustedRoots: roots,
  });
  const earliest = genTime.getTime() - accuracyMs;
  const latest = genTime.getTime() + accuracyMs;
  // every signing-chain certificate must be valid over the whole timestamp range
  for (const cert of chain) {
    if (earliest < cert.notBefore.getTime()) {
      throw new AuthenticTimestampError(
        `timestamp can be before certificate ${
          JSON.stringify(cert.subject)
        } validity period, it will be valid from ${JSON.stringify(formatRfc1123z(cert.notBefore))}`,
      );
    }
    if (latest > cert.notAfter.getTime()) {
      throw new AuthenticTimestampError(
        `timestamp can be after certificate ${
          JSON.stringify(cert.subject)
        } validity period, it was expired at ${JSON.stringify(formatRfc1123z(cert.notAfter))}`,
      );
    }
  }
  // notation-go: the TSA chain's revocation is part of the authentic timestamp check
  if (opts.revocationClient) {
    try {
      await assertNotRevoked(
        tsaChain,
        "timestamping",
        revocationOptions(opts.revocationClient, opts, now),
      );
    } catch (err) {
      if (!(err instanceof RevocationError)) throw err;
      const message = err.details?.status === "unknown"
        ? `${err.message}; ${TSA_OFFLINE_HINT}`
        : err.message;
      throw new AuthenticTimestampError(message, { cause: err, details: err.details ?? {} });
    }
  }
}

/** Where no responder can be reached, the trust policy can skip the revocation check. */
const OFFLINE_HINT =
  `for an offline signing station, set "signatureVerification": {"level": "strict", "override": {"revocation": "skip"}} in the trust policy (ocisign policy init --revocation skip)`;

/**
 * The TSA chain's revocation belongs to the authentic timestamp check (as in notation), so
 * `"revocation": "skip"` does not skip it; an offline station logs that check instead.
 */
const TSA_OFFLINE_HINT =
  `for an offline verification station, set "override": {"authenticTimestamp": "log"} in the trust policy's signatureVerification ("revocation": "skip" does not cover the timestamping chain, as in notation)`;

/** An unknown revocation status gains {@linkcode OFFLINE_HINT}; anything else is unchanged. */
function withOfflineHint(err: unknown): unknown {
  if (!(err instanceof RevocationError) || err.details?.status !== "unknown") return err;
  return new RevocationError(`${err.message}; ${OFFLINE_HINT}`, {
    cause: err,
    details: err.details,
  });
}

function revocationOptions(
  client: RevocationClient,
  opts: VerifyEnvelopeOptions,
  now: Date,
  signingTime?: Date,
): CheckChainRevocationOptions {
  return {
    client,
    now,
    ...(signingTime ? { signingTime } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  };
}

function describe(d: Pick<Descriptor, "mediaType" | "digest" | "size">): string {
  return `{mediaType: ${d.mediaType}, digest: ${d.digest}, size: ${d.size}}`;
}

function checkBinding(target: TargetArtifact, opts: VerifyEnvelopeOptions): void {
  const s = opts.subject;
  // notation: the payload descriptor must equal the artifact on mediaType, digest and size
  if (target.mediaType !== s.mediaType || target.digest !== s.digest || target.size !== s.size) {
    throw new SubjectMismatchError(
      `content descriptor mismatch: the signature was made for ${
        describe(target)
      }, but the artifact is ${describe(s)}`,
      { details: { signed: { ...target }, artifact: describe(s) } },
    );
  }
  for (const [key, value] of Object.entries(opts.userMetadata ?? {})) {
    const actual = target.annotations?.[key];
    if (actual !== value) {
      throw new UserMetadataError(
        `unable to find specified metadata in the signature: ${JSON.stringify(key)} is ${
          actual === undefined ? "absent" : "different"
        } in the signed user metadata`,
        { details: { key } },
      );
    }
  }
}

class Run {
  readonly outcome: VerificationOutcome;
  constructor(level: VerificationLevel) {
    this.outcome = { level, results: [] };
  }

  /** Runs a step with the level's action; returns false when it was an enforced failure. */
  async step(
    type: ValidationType,
    fn: () => void | Promise<void>,
    wrap: (message: string) => OcisignError,
  ): Promise<boolean> {
    const action = this.outcome.level.enforcement[type];
    const result: ValidationResult = { type, action };
    this.outcome.results.push(result);
    if (action === "skip") return true;
    try {
      await fn();
    } catch (err) {
      if (err instanceof OcisignError && err.code === "ERR_ABORTED") throw err;
      result.error = toOcisignError(err, wrap);
      if (action === "enforce") {
        this.outcome.error = result.error;
        return false;
      }
    }
    return true;
  }
}

/**
 * A verifier must understand every critical signed attribute (signature specification,
 * "Extended attributes"). ocisign understands none beyond the standard ones, so without a
 * verification plugin (which must process them) any critical extended attribute fails
 * integrity. notation 1.x accepts unknown critical attributes silently when no plugin is named;
 * ocisign fails closed instead.
 */
function rejectUnknownCritical(content: EnvelopeContent): void {
  const critical = content.signerInfo.signedAttributes.extendedAttributes.filter((a) => a.critical);
  if (critical.length > 0) {
    throw new SignatureIntegrityError(
      `the signature has critical attribute(s) ocisign does not understand: ${
        critical.map((a) => JSON.stringify(a.key)).join(", ")
      }; a verifier must reject them (notation 1.x accepts them)`,
    );
  }
}

/**
 * Verifies one envelope for one artifact. Steps run in notation's order: integrity (always
 * enforced: the envelope's signature and format rules, the payload content type), authenticity
 * (some chain certificate is byte-identical to a certificate of the policy's trust stores of the
 * type the signing scheme needs) with the trusted identity of the leaf, expiry, authentic
 * timestamp (SA scheme: the authentic signing time within every certificate's validity; x509
 * scheme: when the policy names a `tsa` store — and, with `verifyTimestamp: afterCertExpiry`,
 * only once a certificate has expired — the RFC 3161 countersignature must verify to a `tsa`
 * root, every certificate must be valid over its time range and, with a revocation client, no
 * TSA certificate may be revoked; otherwise now must lie within every certificate's validity),
 * and revocation (with `revocationClient`: OCSP, falling back to CRLs, for every signing chain
 * certificate — revoked or unknown fails; without it: skipped with a note). Each step's failure
 * is enforced, logged or skipped as the level says. Then the
 * signed `targetArtifact` must equal the subject on mediaType, digest and size, and every
 * requested user metadata pair must be signed — at every level.
 *
 * A signature that names a verification plugin runs it through `verificationPlugins` as
 * notation-go does (see `verification_plugin.ts`): the checks the plugin covers (trusted identity,
 * revocation) are left to its `verify-signature` answer, which comes before the binding check.
 *
 * A `skip` level returns at once with no results and no error.
 *
 * @example
 * ```ts ignore
 * import { verifyEnvelope } from "./verify_envelope.ts";
 * const outcome = await verifyEnvelope(envelopeBytes, {
 *   mediaType: "application/jose+json", subject, policy, trustStore,
 * });
 * if (outcome.error) throw outcome.error;
 * ```
 * @param envelopeBytes The envelope blob (already checked against its descriptor).
 * @param opts Media type, subject, policy statement, trust store, metadata, time.
 * @returns The outcome; `error` is set when the signature must not be trusted.
 * @throws {TrustPolicyError} ERR_TRUST_POLICY when the statement's signatureVerification is invalid.
 * @throws {AbortedError} ERR_ABORTED when cancelled.
 */
export async function verifyEnvelope(
  envelopeBytes: Bytes,
  opts: VerifyEnvelopeOptions,
): Promise<VerificationOutcome> {
  const level = statementLevel(opts.policy);
  const run = new Run(level);
  if (level.name === "skip") return run.outcome;
  const now = opts.now ?? new Date();
  const integrityError = (m: string) => new SignatureIntegrityError(m);

  let content: EnvelopeContent | undefined;
  let chain: readonly Certificate[] = [];
  let target: TargetArtifact | undefined;
  let named: { name: string; minVersion?: string } | undefined;
  const intact = await run.step("integrity", async () => {
    const parsed = await loadEnvelope(envelopeBytes, opts.mediaType);
    content = await parsed.verify();
    // notation-go: the payload content type must be the Notary payload v1
    if (content.payload.contentType !== MEDIA_TYPE_NOTARY_PAYLOAD) {
      throw new SignatureIntegrityError(
        `payload content type ${JSON.stringify(content.payload.contentType)} not supported`,
      );
    }
    named = namedVerificationPlugin(content);
    if (named === undefined) rejectUnknownCritical(content);
    chain = parsed.certificates;
    if (chain.length === 0) throw new SignatureIntegrityError("certificate chain is not present");
    target = parsePayload(content.payload.content);
  }, integrityError);
  if (!intact) return run.outcome;
  if (content === undefined || target === undefined) {
    // Fail closed: integrity cannot have passed without verified content.
    run.outcome.error = new SignatureIntegrityError("the envelope content could not be verified");
    return run.outcome;
  }
  run.outcome.content = content;
  run.outcome.targetArtifact = { ...target };
  const verified: EnvelopeContent = content;
  let plugin: PluginSession | undefined;
  if (named !== undefined) {
    try {
      plugin = await openVerificationPlugin(named, opts.verificationPlugins);
    } catch (err) {
      if (err instanceof OcisignError && err.code === "ERR_ABORTED") throw err;
      run.outcome.error = toOcisignError(err, integrityError);
      return run.outcome;
    }
  }
  const pluginCovers = (c: string) => plugin?.capabilities.includes(c) ?? false;

  const authenticityError = (m: string) => new SignatureAuthenticityError(m);
  const authentic = await run.step("authenticity", async () => {
    await checkAuthenticity(chain, verified, opts);
  }, authenticityError);
  if (!authentic) return run.outcome;
  // notation: the trusted identity failure is recorded on the authenticity result
  const authenticity = run.outcome.results.at(-1)!;
  try {
    if (!pluginCovers(VERIFIER_CAPABILITY.trustedIdentity)) {
      verifyTrustedIdentity(opts.policy, chain[0]!.subject);
    }
  } catch (err) {
    authenticity.error = toOcisignError(err, (m) => new TrustedIdentityError(m));
    if (authenticity.action === "enforce") {
      run.outcome.error = authenticity.error;
      return run.outcome;
    }
  }

  if (
    !await run.step("expiry", () => checkExpiry(verified, now), (m) => new SignatureExpiredError(m))
  ) return run.outcome;
  let timestampNote: string | undefined;
  if (
    !await run.step(
      "authenticTimestamp",
      async () => {
        timestampNote = await checkAuthenticTimestamp(chain, verified, opts, now);
      },
      (m) => new AuthenticTimestampError(m),
    )
  ) return run.outcome;
  if (timestampNote !== undefined) run.outcome.results.at(-1)!.note = timestampNote;
  const client = opts.revocationClient;
  if (
    pluginCovers(VERIFIER_CAPABILITY.revocationCheck) && level.enforcement.revocation !== "skip"
  ) {
    // the plugin checks revocation (below)
  } else if (client === undefined || level.enforcement.revocation === "skip") {
    const revocation: ValidationResult = { type: "revocation", action: "skip" };
    if (level.enforcement.revocation !== "skip") {
      revocation.note = "revocation (OCSP and CRL) is not checked: no revocation client was given";
    }
    run.outcome.results.push(revocation);
  } else {
    // notation-go: only the signing-authority scheme has an authentic signing time to compare
    // invalidity dates with
    const attrs = verified.signerInfo.signedAttributes;
    const signingTime = attrs.signingScheme === "notary.x509.signingAuthority"
      ? attrs.signingTime
      : undefined;
    if (
      !await run.step(
        "revocation",
        () =>
          assertNotRevoked(chain, "signing", revocationOptions(client, opts, now, signingTime))
            .catch((err: unknown) => {
              throw withOfflineHint(err);
            }),
        (m) => new RevocationError(m),
      )
    ) return run.outcome;
  }

  if (plugin && !await runVerificationPlugin(plugin, verified, opts.policy, run.outcome)) {
    return run.outcome;
  }
  try {
    checkBinding(target, opts);
  } catch (err) {
    run.outcome.error = toOcisignError(err, (m) => new SubjectMismatchError(m));
  }
  return run.outcome;
}
