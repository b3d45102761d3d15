/**
 * Signature verification levels of the Notary Project trust policy: one table that says, for each
 * validation type, whether a failure is enforced, logged or skipped.
 *
 * @see https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#signature-verification-details
 * @module
 */
import { TrustPolicyError } from "../errors.ts";

/** The validations a verifier performs, in notation's order. */
export type ValidationType =
  | "integrity"
  | "authenticity"
  | "authenticTimestamp"
  | "expiry"
  | "revocation";

/** What a failure of one validation does. */
export type ValidationAction = "enforce" | "log" | "skip";

/** The preset level names a policy statement may use. */
export type VerificationLevelName = "strict" | "permissive" | "audit" | "skip";

/** A level: its name (`custom` once overridden) and the action per validation type. */
export interface VerificationLevel {
  /** `strict`, `permissive`, `audit`, `skip`, or `custom` when `override` changed it. */
  readonly name: VerificationLevelName | "custom";
  /** The action for each validation type. */
  readonly enforcement: Readonly<Record<ValidationType, ValidationAction>>;
}

/** Every validation type, in the order notation lists (and runs) them. */
export const VALIDATION_TYPES: readonly ValidationType[] = Object.freeze([
  "integrity",
  "authenticity",
  "authenticTimestamp",
  "expiry",
  "revocation",
]);

/** Every validation action. */
export const VALIDATION_ACTIONS: readonly ValidationAction[] = Object.freeze([
  "enforce",
  "log",
  "skip",
]);

function level(
  name: VerificationLevelName,
  actions: [
    ValidationAction,
    ValidationAction,
    ValidationAction,
    ValidationAction,
    ValidationAction,
  ],
): VerificationLevel {
  const [integrity, authenticity, authenticTimestamp, expiry, revocation] = actions;
  return Object.freeze({
    name,
    enforcement: Object.freeze({ integrity, authenticity, authenticTimestamp, expiry, revocation }),
  });
}

/**
 * The preset levels (trust-store-trust-policy spec, "Signature Verification details"):
 *
 * | level      | integrity | authenticity | authenticTimestamp | expiry  | revocation |
 * |------------|-----------|--------------|--------------------|---------|------------|
 * | strict     | enforce   | enforce      | enforce            | enforce | enforce    |
 * | permissive | enforce   | enforce      | log                | log     | log        |
 * | audit      | enforce   | log          | log                | log     | log        |
 * | skip       | skip      | skip         | skip               | skip    | skip       |
 *
 * @example
 * ```ts
 * import { VERIFICATION_LEVELS } from "./verification_level.ts";
 * console.log(VERIFICATION_LEVELS.audit.enforcement.authenticity); // "log"
 * ```
 */
export const VERIFICATION_LEVELS: Readonly<Record<VerificationLevelName, VerificationLevel>> =
  Object.freeze({
    strict: level("strict", ["enforce", "enforce", "enforce", "enforce", "enforce"]),
    permissive: level("permissive", ["enforce", "enforce", "log", "log", "log"]),
    audit: level("audit", ["enforce", "log", "log", "log", "log"]),
    skip: level("skip", ["skip", "skip", "skip", "skip", "skip"]),
  });

/** The `signatureVerification` member of a trust policy statement. */
export interface SignatureVerification {
  /** `strict`, `permissive`, `audit` or `skip`. */
  level: string;
  /** Per-type actions replacing the level's (not `integrity`; `skip` only for `revocation`). */
  override?: Record<string, string>;
  /** When to verify a timestamp countersignature: `always` (default) or `afterCertExpiry`. */
  verifyTimestamp?: string;
}

function goQuotedList(values: readonly string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(" ")}]`;
}

/**
 * Resolves a statement's `signatureVerification` to a level, applying `override` exactly as
 * notation does. The error messages are notation's (without the statement prefix, which
 * {@linkcode validateTrustPolicyDocument} adds).
 *
 * @example Override expiry to log
 * ```ts
 * import { resolveVerificationLevel } from "./verification_level.ts";
 * const l = resolveVerificationLevel({ level: "strict", override: { expiry: "log" } });
 * console.log(l.name, l.enforcement.expiry); // "custom" "log"
 * ```
 * @param signatureVerification The member as written in the policy.
 * @returns The resolved level.
 * @throws {TrustPolicyError} ERR_TRUST_POLICY when the level, an override or verifyTimestamp is invalid.
 */
export function resolveVerificationLevel(
  signatureVerification: SignatureVerification,
): VerificationLevel {
  const { level: name, override, verifyTimestamp } = signatureVerification;
  if (name === "") {
    throw new TrustPolicyError(
      "signature verification level is empty or missing in the trust policy statement",
    );
  }
  if (!Object.hasOwn(VERIFICATION_LEVELS, name)) {
    throw new TrustPolicyError(`invalid signature verification level ${JSON.stringify(name)}`);
  }
  const base = VERIFICATION_LEVELS[name as VerificationLevelName];
  if (
    verifyTimestamp !== undefined && verifyTimestamp !== "" && verifyTimestamp !== "always" &&
    verifyTimestamp !== "afterCertExpiry"
  ) {
    throw new TrustPolicyError(
      `verifyTimestamp must be "always" or "afterCertExpiry", but got ${
        JSON.stringify(verifyTimestamp)
      }`,
    );
  }
  const entries = Object.entries(override ?? {});
  if (entries.length === 0) return base;
  if (base.name === "skip") {
    throw new TrustPolicyError(
      `signature verification level "skip" can't be used to customize signature verification`,
    );
  }
  const enforcement: Record<ValidationType, ValidationAction> = { ...base.enforcement };
  for (const [key, value] of entries) {
    if (!(VALIDATION_TYPES as readonly string[]).includes(key)) {
      throw new TrustPolicyError(
        `verification type ${
          JSON.stringify(key)
        } in custom signature verification is not supported, supported values are ${
          goQuotedList(VALIDATION_TYPES)
        }`,
      );
    }
    if (!(VALIDATION_ACTIONS as readonly string[]).includes(value)) {
      throw new TrustPolicyError(
        `verification action ${
          JSON.stringify(value)
        } in custom signature verification is not supported, supported values are ${
          goQuotedList(VALIDATION_ACTIONS)
        }`,
      );
    }
    if (key === "integrity") {
      throw new TrustPolicyError(
        `"integrity" verification can not be overridden in custom signature verification`,
      );
    }
    if (key !== "revocation" && value === "skip") {
      throw new TrustPolicyError(
        `${JSON.stringify(key)} verification can not be skipped in custom signature verification`,
      );
    }
    enforcement[key as ValidationType] = value as ValidationAction;
  }
  return Object.freeze({ name: "custom", enforcement: Object.freeze(enforcement) });
}
