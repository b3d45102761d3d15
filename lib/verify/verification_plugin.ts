/**
 * Signatures that name a verification plugin (`io.cncf.notary.verificationPlugin`, with an
 * optional `io.cncf.notary.verificationPluginMinVersion`), verified as notation-go does: the
 * plugin must be installed, at least the minimum version (SemVer), and offer
 * `SIGNATURE_VERIFIER.TRUSTED_IDENTITY` and/or `SIGNATURE_VERIFIER.REVOCATION_CHECK`; ocisign
 * skips the checks the plugin covers, runs the rest, then sends `verify-signature` (revocation
 * is not asked for when the level skips it). Every other extended signed attribute must come
 * back in `processedAttributes`, and every capability asked for must have a result; a failed
 * trusted identity goes onto the authenticity result, a failed revocation check onto a
 * revocation result, each with the level's action. Anything else — plugin missing, too old,
 * without verifier capability, failing, timing out, answering junk — fails the signature.
 *
 * The host that finds and runs plugins is given by the caller (see `lib/plugin`), so this
 * module loads no plugin code.
 *
 * @module
 */
import {
  OcisignError,
  RevocationError,
  SignatureIntegrityError,
  TrustedIdentityError,
} from "../errors.ts";
import type { EnvelopeContent } from "../signature/envelope.ts";
import type { PolicyStatement } from "../trust/trust_policy.ts";
import type { VerificationOutcome } from "./verification_outcome.ts";

/** The verifier capabilities of the plugin contract. */
export const VERIFIER_CAPABILITY = {
  trustedIdentity: "SIGNATURE_VERIFIER.TRUSTED_IDENTITY",
  revocationCheck: "SIGNATURE_VERIFIER.REVOCATION_CHECK",
} as const;

const HEADER_PLUGIN = "io.cncf.notary.verificationPlugin";
const HEADER_MIN_VERSION = "io.cncf.notary.verificationPluginMinVersion";

/** What `verify-signature` is asked. */
export interface VerifySignatureInput {
  /** The verified envelope content. */
  content: EnvelopeContent;
  /** The critical extended signed attributes the plugin must process (not the plugin headers). */
  unprocessedAttributes: string[];
  /** The policy's trusted identities. */
  trustedIdentities: string[];
  /** The capabilities to verify. */
  capabilities: string[];
}

/** A checked `verify-signature` answer. */
export interface VerifySignatureOutput {
  /** One result per capability (missing ones fail). */
  verificationResults: Record<string, { success: boolean; reason?: string }>;
  /** The extended attributes the plugin processed. */
  processedAttributes: string[];
}

/** An installed verification plugin. */
export interface OpenedVerificationPlugin {
  /** Its version (`get-plugin-metadata`). */
  version: string;
  /** Its capabilities. */
  capabilities: readonly string[];
  /** Runs `verify-signature`. */
  verifySignature(input: VerifySignatureInput): Promise<VerifySignatureOutput>;
}

/** Finds and runs verification plugins (the CLI runs installed plugin executables). */
export interface VerificationPluginHost {
  /**
   * Opens an installed plugin and reads its metadata.
   * @throws {NotFoundError} ERR_NOT_FOUND when it is not installed.
   */
  open(name: string): Promise<OpenedVerificationPlugin>;
}

/** A plugin opened for one signature, with the capabilities ocisign leaves to it. */
export interface PluginSession {
  /** The plugin's name. */
  name: string;
  /** The plugin. */
  plugin: OpenedVerificationPlugin;
  /** The verifier capabilities it has. */
  capabilities: string[];
}

/**
 * The plugin a signature names, when it names one.
 *
 * @example
 * ```ts ignore
 * const named = namedVerificationPlugin(content); // { name: "aws-signer", minVersion: "1.0.0" }
 * ```
 * @throws {SignatureIntegrityError} ERR_SIGNATURE_INTEGRITY for an empty name or a minimum
 * version that is not SemVer.
 */
export function namedVerificationPlugin(
  content: EnvelopeContent,
): { name: string; minVersion?: string } | undefined {
  const attrs = content.signerInfo.signedAttributes.extendedAttributes;
  const name = attrs.find((a) => a.key === HEADER_PLUGIN)?.value;
  if (name === undefined) return undefined;
  if (typeof name !== "string" || name.trim() === "") {
    throw new SignatureIntegrityError(
      `${HEADER_PLUGIN} from extended attribute is an empty string`,
    );
  }
  const min = attrs.find((a) => a.key === HEADER_MIN_VERSION)?.value;
  if (min === undefined) return { name };
  if (typeof min !== "string" || !isSemver(min)) {
    throw new SignatureIntegrityError(
      `error while getting plugin minimum version, error: ${HEADER_MIN_VERSION} from extended attribute is not a valid SemVer`,
    );
  }
  return { name, minVersion: min };
}

/**
 * Opens the named plugin and checks its version and capabilities (notation's messages).
 *
 * @example
 * ```ts ignore
 * const session = await openVerificationPlugin(named, host);
 * ```
 * @throws {SignatureIntegrityError} ERR_SIGNATURE_INTEGRITY when no host is given, the plugin is
 * missing, too old or without verifier capability.
 */
export async function openVerificationPlugin(
  named: { name: string; minVersion?: string },
  host: VerificationPluginHost | undefined,
): Promise<PluginSession> {
  const { name } = named;
  if (host === undefined) {
    throw new SignatureIntegrityError(
      `the signature requires the verification plugin ${
        JSON.stringify(name)
      }, and this verification runs no plugins`,
    );
  }
  let plugin: OpenedVerificationPlugin;
  try {
    plugin = await host.open(name);
  } catch (err) {
    if (err instanceof OcisignError && err.code !== "ERR_NOT_FOUND") throw err;
    throw new SignatureIntegrityError(
      `error while locating the verification plugin ${
        JSON.stringify(name)
      }, make sure the plugin is installed successfully before verifying the signature. error: ${
        (err as Error).message
      }`,
      { cause: err },
    );
  }
  if (!isSemver(plugin.version)) {
    throw new SignatureIntegrityError(
      `plugin ${name} has pluginVersion ${plugin.version} which is not in valid semver format`,
    );
  }
  if (named.minVersion !== undefined && compareSemver(plugin.version, named.minVersion) < 0) {
    throw new SignatureIntegrityError(
      `found plugin ${name} with version ${plugin.version} but signature verification needs plugin version greater than or equal to ${named.minVersion}`,
    );
  }
  const capabilities = plugin.capabilities.filter((c) =>
    c === VERIFIER_CAPABILITY.trustedIdentity || c === VERIFIER_CAPABILITY.revocationCheck
  );
  if (capabilities.length === 0) {
    throw new SignatureIntegrityError(
      `digital signature requires plugin ${
        JSON.stringify(name)
      } with signature verification capabilities ("${VERIFIER_CAPABILITY.trustedIdentity}" and/or "${VERIFIER_CAPABILITY.revocationCheck}") installed`,
    );
  }
  return { name, plugin, capabilities };
}

/**
 * Runs `verify-signature` after ocisign's own checks and records its answer on the outcome.
 *
 * @example
 * ```ts ignore
 * if (!await runVerificationPlugin(session, content, policy, outcome)) return outcome;
 * ```
 * @returns false when the signature failed (`outcome.error` is set).
 */
export async function runVerificationPlugin(
  session: PluginSession,
  content: EnvelopeContent,
  policy: PolicyStatement,
  outcome: VerificationOutcome,
): Promise<boolean> {
  const revocationAction = outcome.level.enforcement.revocation;
  const asked = session.capabilities.filter((c) =>
    !(c === VERIFIER_CAPABILITY.revocationCheck && revocationAction === "skip")
  );
  if (asked.length === 0) return true;
  const unprocessed = content.signerInfo.signedAttributes.extendedAttributes
    .filter((a) => a.critical)
    .map((a) => a.key)
    .filter((k) => k !== HEADER_PLUGIN && k !== HEADER_MIN_VERSION);
  const name = JSON.stringify(session.name);
  let answer: VerifySignatureOutput;
  try {
    answer = await session.plugin.verifySignature({
      content,
      unprocessedAttributes: unprocessed,
      trustedIdentities: policy.trustedIdentities,
      capabilities: asked,
    });
  } catch (err) {
    if (err instanceof OcisignError && err.code === "ERR_ABORTED") throw err;
    outcome.error = new SignatureIntegrityError(
      `failed to verify with plugin ${session.name}: ${(err as Error).message}`,
      { cause: err },
    );
    return false;
  }
  const missing = unprocessed.find((k) => !answer.processedAttributes.includes(k));
  if (missing !== undefined) {
    outcome.error = new SignatureIntegrityError(
      `extended critical attribute ${
        JSON.stringify(missing)
      } was not processed by the verification plugin ${name} (all extended critical attributes must be processed by the verification plugin)`,
    );
    return false;
  }
  for (const capability of asked) {
    const result = answer.verificationResults[capability];
    if (result === undefined) {
      outcome.error = new SignatureIntegrityError(
        `verification plugin ${name} failed to verify ${JSON.stringify(capability)}`,
      );
      return false;
    }
    const reason = JSON.stringify(result.reason ?? "");
    if (capability === VERIFIER_CAPABILITY.trustedIdentity) {
      if (result.success) continue;
      const authenticity = outcome.results.find((r) => r.type === "authenticity")!;
      authenticity.error = new TrustedIdentityError(
        `trusted identify verification by plugin ${name} failed with reason ${reason}`,
      );
      if (authenticity.action === "enforce") {
        outcome.error = authenticity.error;
        return false;
      }
    } else {
      const revocation = result.success
        ? { type: "revocation" as const, action: revocationAction }
        : {
          type: "revocation" as const,
          action: revocationAction,
          error: new RevocationError(
            `revocation check by verification plugin ${name} failed with reason ${reason}`,
          ),
        };
      outcome.results.push(revocation);
      if (revocation.error && revocationAction === "enforce") {
        outcome.error = revocation.error;
        return false;
      }
    }
  }
  return true;
}

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

function isSemver(v: string): boolean {
  return SEMVER.test(v);
}

/** SemVer 2.0 precedence (build metadata ignored); both must be valid. */
function compareSemver(a: string, b: string): number {
  const [, a1, a2, a3, apre] = SEMVER.exec(a)!;
  const [, b1, b2, b3, bpre] = SEMVER.exec(b)!;
  for (const [x, y] of [[a1, b1], [a2, b2], [a3, b3]]) {
    const d = Number(x) - Number(y);
    if (d !== 0) return Math.sign(d);
  }
  if (apre === undefined || bpre === undefined) {
    return apre === bpre ? 0 : apre === undefined ? 1 : -1;
  }
  const ap = apre.split(".");
  const bp = bpre.split(".");
  for (let i = 0; i < Math.max(ap.length, bp.length); i++) {
    const x = ap[i];
    const y = bp[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) return Math.sign(Number(x) - Number(y));
    if (xn !== yn) return xn ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}
