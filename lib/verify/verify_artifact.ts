/**
 * Verifies an artifact in any {@linkcode ReadOnlyGraphTarget} (layout, registry, memory): resolve
 * the reference, select the trust policy statement, find the Notary Project signatures among its
 * referrers and verify them until one passes.
 *
 * @module
 */
import { DEFAULT_MAX_SIGNATURES } from "../_internal/limits.ts";
import { fetchAll } from "../content/fetch_all.ts";
import type { ReadOnlyGraphTarget } from "../content/storage.ts";
import { OcisignError, TrustStoreError, VerificationFailedError } from "../errors.ts";
import type { SignatureFailure } from "../errors.ts";
import type { Descriptor, Platform } from "../oci/descriptor.ts";
import { formatPlatform } from "../oci/platform.ts";
import { choosePlatform, platformManifests } from "../content/platform_manifests.ts";
import { selectTrustPolicy } from "../trust/select_trust_policy.ts";
import { statementLevel } from "../trust/trust_policy.ts";
import type { TrustPolicyDocument, TrustPolicyStatement } from "../trust/trust_policy.ts";
import type { TrustStore } from "../trust/trust_store.ts";
import type { VerificationLevel } from "../trust/verification_level.ts";
import { resolveSubject } from "../content/resolve_subject.ts";
import { MAX_ENVELOPE_BYTES } from "../signature/envelope.ts";
import { findSignatureManifests } from "./signature_manifests.ts";
import { verifyEnvelope } from "./verify_envelope.ts";
import type { VerificationOutcome } from "./verification_outcome.ts";
import type { RevocationClient } from "../x509/revocation/revocation_client.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import { describeContentProblem, verifyContent } from "./verify_content.ts";
import type { ByteProgress } from "../content/byte_progress.ts";
import type { VerifyContentResult } from "./verify_content.ts";
import type { VerificationPluginHost } from "./verification_plugin.ts";

/** Options for {@linkcode verifyArtifact}. */
export interface VerifyArtifactOptions {
  /**
   * The repository the policy is selected for: `<registry>/<repository>` for a registry, the
   * `--scope` (e.g. `local/hello-world`) for a layout.
   */
  scope: string;
  /** The validated trust policy document. */
  policyDocument: TrustPolicyDocument;
  /** Where the trusted certificates come from. */
  trustStore: TrustStore;
  /** How many signatures to try at most (default 100). */
  maxSignatures?: number;
  /** Key/value pairs that must be signed in `targetArtifact.annotations`. */
  userMetadata?: Record<string, string>;
  /** The verification time (default: now). */
  now?: Date;
  /** Network access for OCSP/CRL revocation checks; without it revocation is not checked. */
  revocationClient?: RevocationClient;
  /** Runs the verification plugin a signature names; without it such a signature fails. */
  verificationPlugins?: VerificationPluginHost;
  /**
   * After a signature passes, also read every config and layer the signed manifest reaches
   * (through an index, every platform's), not only the manifests (default false).
   */
  deep?: boolean;
  /**
   * For an image index: also verify the signature of the manifest for this platform (the first
   * that matches), and check only that platform's content.
   */
  platform?: Platform;
  /** Reads in flight at once when checking the content (default 3). */
  concurrency?: number;
  /** Hashes content streams the target did not verify itself (default: pure TypeScript). */
  hasher?: HasherFactory;
  /** Cancels the verification. */
  signal?: AbortSignal;
  /** With `deep`: told the bytes of each config and layer read so far. */
  onProgress?: ByteProgress;
}

/** What {@linkcode verifyArtifact} found. */
export interface VerifyArtifactResult {
  /** The resolved artifact (mediaType, digest, size). */
  subject: Descriptor;
  /** `<scope>@<digest>`, the reference the policy was selected for. */
  reference: string;
  /** The selected statement. */
  policy: TrustPolicyStatement;
  /** Its level. */
  level: VerificationLevel;
  /** True when the level is `skip`: nothing was fetched or checked. */
  skipped: boolean;
  /** The signature manifest that passed (absent when skipped). */
  signature?: Descriptor;
  /** The passing signature's outcome; its logged failures are warnings (absent when skipped). */
  outcome?: VerificationOutcome;
  /** What was read of the signed content and found intact (absent when skipped). */
  content?: VerifyContentResult;
  /** With `platform`: the chosen platform manifest's own verification. */
  platform?: { platform: string; result: VerifyArtifactResult };
}

/**
 * Verifies the artifact `reference` names in `target`. The policy statement is selected for
 * `<scope>@<digest>` before any signature is fetched; a `skip` level returns at once. Signatures
 * are tried in listing order, each manifest and envelope fetched bounded and digest-checked; the
 * first that passes wins. Then the signed content itself is read and checked against the verified
 * digest and size: the manifest, every manifest an index lists, and with `deep` every config and
 * layer, so "verified" also means the bytes a puller gets are the signed ones.
 *
 * @example
 * ```ts ignore
 * import { verifyArtifact } from "./verify_artifact.ts";
 * const result = await verifyArtifact(layout, "v1", {
 *   scope: "local/hello-world", policyDocument, trustStore,
 * });
 * console.log(`Successfully verified signature for ${result.reference}`);
 * ```
 * @param target The layout, registry repository or store holding the artifact.
 * @param reference A tag or digest in `target`.
 * @param opts Scope, policy, trust store, limits, metadata, time.
 * @returns What passed.
 * @throws {TrustPolicyError} ERR_TRUST_POLICY when no statement applies.
 * @throws {VerificationFailedError} ERR_VERIFICATION_FAILED when there is no signature, none
 * passes, or the limit is reached first (`failures` holds each signature's reason), and when
 * signed content is missing or changed (`details.content` lists each piece).
 * @throws {RangeError} when `maxSignatures` is not a positive integer.
 */
export async function verifyArtifact(
  target: ReadOnlyGraphTarget,
  reference: string,
  opts: VerifyArtifactOptions,
): Promise<VerifyArtifactResult> {
  const maxSignatures = opts.maxSignatures ?? DEFAULT_MAX_SIGNATURES;
  if (!Number.isSafeInteger(maxSignatures) || maxSignatures <= 0) {
    throw new RangeError(`max-signatures value ${maxSignatures} must be a positive number`);
  }
  const op = opts.signal ? { signal: opts.signal } : {};
  const subject = await resolveSubject(target, reference, op);
  const artifact = `${opts.scope}@${subject.digest}`;
  const policy = selectTrustPolicy(opts.policyDocument, artifact);
  const level = statementLevel(policy);
  const base = { subject, reference: artifact, policy, level };
  if (level.name === "skip") return { ...base, skipped: true };

  const failures: SignatureFailure[] = [];
  let tried = 0;
  for await (const sig of findSignatureManifests(target, subject, op)) {
    if (tried >= maxSignatures) break;
    tried++;
    if ("error" in sig) {
      failures.push({ signature: sig.descriptor.digest, error: sig.error });
      continue;
    }
    let outcome: VerificationOutcome;
    try {
      const envelopeBytes = await fetchAll(target, sig.envelope, {
        maxBytes: MAX_ENVELOPE_BYTES,
        ...op,
      });
      outcome = await verifyEnvelope(envelopeBytes, {
        mediaType: sig.envelope.mediaType,
        subject,
        policy,
        trustStore: opts.trustStore,
        ...(opts.userMetadata ? { userMetadata: opts.userMetadata } : {}),
        ...(opts.now ? { now: opts.now } : {}),
        ...(opts.revocationClient ? { revocationClient: opts.revocationClient } : {}),
        ...(opts.verificationPlugins ? { verificationPlugins: opts.verificationPlugins } : {}),
        ...op,
      });
    } catch (err) {
      if (!(err instanceof OcisignError) || err.code === "ERR_ABORTED") throw err;
      failures.push({ signature: sig.descriptor.digest, error: err });
      continue;
    }
    if (outcome.error === undefined) {
      const content = await checkContent(target, subject, artifact, opts);
      const result = { ...base, skipped: false, signature: sig.descriptor, outcome, content };
      if (!opts.platform) return result;
      return { ...result, platform: await verifyPlatform(target, subject, artifact, opts) };
    }
    throwIfConfigurationProblem(outcome.error);
    failures.push({ signature: sig.descriptor.digest, error: outcome.error });
  }
  if (tried === 0) {
    throw new VerificationFailedError(
      `no signature is associated with ${
        JSON.stringify(artifact)
      }, make sure the artifact was signed successfully`,
      [],
    );
  }
  if (tried >= maxSignatures) {
    throw new VerificationFailedError(
      `signature evaluation stopped. The configured limit of ${maxSignatures} signatures to verify per artifact exceeded`,
      failures,
    );
  }
  throw new VerificationFailedError(
    `signature verification failed for all the signatures associated with ${artifact}`,
    failures,
  );
}

/**
 * A trust store the policy names but that cannot be loaded is a configuration problem, not a bad
 * signature: it fails the verification at once with notation's message (exit 4 in the CLI).
 */
function throwIfConfigurationProblem(error: OcisignError): void {
  if (error.cause instanceof TrustStoreError) throw error.cause;
}

/** Verifies the signature of the platform manifest `opts.platform` chooses in the index. */
async function verifyPlatform(
  target: ReadOnlyGraphTarget,
  index: Descriptor,
  artifact: string,
  opts: VerifyArtifactOptions,
): Promise<{ platform: string; result: VerifyArtifactResult }> {
  const wanted = opts.platform!;
  const op = opts.signal ? { signal: opts.signal } : {};
  const chosen = choosePlatform(await platformManifests(target, index, op), wanted, artifact);
  const platform = chosen.platform ?? formatPlatform(wanted);
  const { platform: _, ...rest } = opts;
  try {
    // The index's check already read this platform's content.
    const result = await verifyArtifact(target, chosen.descriptor.digest, { ...rest, deep: false });
    return { platform, result };
  } catch (err) {
    if (!(err instanceof VerificationFailedError)) throw err;
    throw new VerificationFailedError(
      `the index ${artifact} is signed, but its ${platform} manifest ${chosen.descriptor.digest} is not: ${err.message}`,
      err.failures,
      { cause: err, ...(err.details ? { details: err.details } : {}) },
    );
  }
}

/** Most problems named in the message (all are in `details.content`). */
const MAX_PROBLEM_LINES = 20;

async function checkContent(
  target: ReadOnlyGraphTarget,
  subject: Descriptor,
  artifact: string,
  opts: VerifyArtifactOptions,
): Promise<VerifyContentResult> {
  const content = await verifyContent(target, subject, {
    deep: opts.deep ?? false,
    ...(opts.platform ? { platform: opts.platform } : {}),
    ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
    ...(opts.hasher ? { hasher: opts.hasher } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  const { problems } = content;
  if (problems.length === 0) return content;
  const lines = problems.slice(0, MAX_PROBLEM_LINES).map((p) => `  ${describeContentProblem(p)}`);
  if (problems.length > MAX_PROBLEM_LINES) {
    lines.push(`  and ${problems.length - MAX_PROBLEM_LINES} more`);
  }
  throw new VerificationFailedError(
    `the signature of ${artifact} is valid, but the content it covers is missing or changed (${problems.length} of ${
      content.manifests + content.blobs
    } checked):\n${lines.join("\n")}`,
    [],
    { details: { content: problems } },
  );
}
