/**
 * Selecting the trust policy statement that applies to an artifact.
 *
 * @see https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#selecting-a-trust-policy-based-on-artifact-uri
 * @module
 */
import { TrustPolicyError } from "../errors.ts";
import { validateRegistryScope, WILDCARD } from "./registry_scope.ts";
import { TRUST_POLICY_LINK } from "./trust_policy.ts";
import type { TrustPolicyDocument, TrustPolicyStatement } from "./trust_policy.ts";

/**
 * Returns the statement for `<repository>@<digest>`: the statement whose `registryScopes`
 * contains the repository exactly (no normalisation), else the `*` statement.
 *
 * @example
 * ```ts
 * import { parseTrustPolicyDocument, selectTrustPolicy } from "./mod.ts";
 * const doc = parseTrustPolicyDocument(JSON.stringify({
 *   version: "1.0",
 *   trustPolicies: [{
 *     name: "local", registryScopes: ["local/hello-world"],
 *     signatureVerification: { level: "strict" },
 *     trustStores: ["ca:wabbit"], trustedIdentities: ["*"],
 *   }],
 * }));
 * const s = selectTrustPolicy(doc, "local/hello-world@sha256:" + "a".repeat(64));
 * console.log(s.name); // "local"
 * ```
 * @param doc A validated document.
 * @param artifactReference `<registry>/<repository>@<digest>` (or `<scope>@<digest>` for layouts).
 * @returns A copy of the applicable statement.
 * @throws {TrustPolicyError} ERR_TRUST_POLICY when the reference cannot be parsed or no statement applies.
 */
export function selectTrustPolicy(
  doc: TrustPolicyDocument,
  artifactReference: string,
): TrustPolicyStatement {
  const at = artifactReference.lastIndexOf("@");
  if (at < 0) {
    throw new TrustPolicyError(
      `artifact URI ${
        JSON.stringify(artifactReference)
      } could not be parsed, make sure it is the fully qualified oci artifact URI without the scheme/protocol. e.g domain.com:80/my/repository@sha256:digest`,
    );
  }
  const repository = artifactReference.slice(0, at);
  validateRegistryScope(repository);
  let exact: TrustPolicyStatement | undefined;
  let wildcard: TrustPolicyStatement | undefined;
  for (const statement of doc.trustPolicies) {
    if (statement.registryScopes.includes(WILDCARD)) wildcard = statement;
    else if (statement.registryScopes.includes(repository)) exact = statement;
  }
  const chosen = exact ?? wildcard;
  if (chosen === undefined) {
    throw new TrustPolicyError(
      `artifact ${
        JSON.stringify(artifactReference)
      } has no applicable trust policy statement. Trust policy applicability for a given artifact is determined by registryScopes. To create a trust policy, see: ${TRUST_POLICY_LINK}`,
    );
  }
  return structuredClone(chosen);
}
