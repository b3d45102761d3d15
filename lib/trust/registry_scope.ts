/**
 * Registry scopes of OCI trust policy statements: `<domain>/<repository>` with no scheme, tag or
 * digest, matched exactly (no normalisation, no partial wildcards).
 *
 * @see https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#registry-scopes-constraints
 * @module
 */
import { TrustPolicyError } from "../errors.ts";
import { REPOSITORY_REGEXP } from "../oci/reference_grammar.ts";

/** The scope (and trusted identity) that matches everything. */
export const WILDCARD = "*";

/** A domain of a distribution reference, with an optional port. */
const DOMAIN_REGEXP =
  /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$/;
const ENSURE_MESSAGE =
  "make sure it is a fully qualified repository without the scheme, protocol or tag. For example domain.com/my/repository or a local scope like local/myOCILayout";

/**
 * Checks that a registry scope is `<domain>/<repository>` as notation requires.
 *
 * @example
 * ```ts
 * import { validateRegistryScope } from "./registry_scope.ts";
 * validateRegistryScope("localhost:5000/hello-world"); // ok
 * ```
 * @param scope The scope (not `*`).
 * @throws {TrustPolicyError} ERR_TRUST_POLICY with notation's message when it is not valid.
 */
export function validateRegistryScope(scope: string): void {
  if (scope.length > 1 && scope.includes("*")) {
    throw new TrustPolicyError(
      `registry scope ${JSON.stringify(scope)} with wild card(s) is not valid, ${ENSURE_MESSAGE}`,
    );
  }
  const slash = scope.indexOf("/");
  const domain = slash < 0 ? "" : scope.slice(0, slash);
  const repository = slash < 0 ? "" : scope.slice(slash + 1);
  if (
    domain === "" || repository === "" || !DOMAIN_REGEXP.test(domain) ||
    !REPOSITORY_REGEXP.test(repository)
  ) {
    throw new TrustPolicyError(
      `registry scope ${JSON.stringify(scope)} is not valid, ${ENSURE_MESSAGE}`,
    );
  }
}
