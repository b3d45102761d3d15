/**
 * The result of verifying one signature envelope against a trust policy statement.
 *
 * @module
 */
import type { OcisignError } from "../errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import type { EnvelopeContent } from "../signature/envelope.ts";
import type {
  ValidationAction,
  ValidationType,
  VerificationLevel,
} from "../trust/verification_level.ts";

/** The result of one validation step. */
export interface ValidationResult {
  /** Which validation. */
  type: ValidationType;
  /** The action the level assigns to it (`skip` when it was not run). */
  action: ValidationAction;
  /** Why it failed; absent when it passed or was skipped. */
  error?: OcisignError;
  /** Why it was skipped, when ocisign skipped it itself (e.g. no revocation client was given). */
  note?: string;
}

/** The outcome of verifying one envelope. */
export interface VerificationOutcome {
  /** The level used. */
  level: VerificationLevel;
  /** Every validation step run (or skipped), in order. Failures with action `log` are warnings. */
  results: ValidationResult[];
  /** The verified content, once integrity passed. */
  content?: EnvelopeContent;
  /** The signed descriptor (`targetArtifact`) from the verified payload. */
  targetArtifact?: Descriptor;
  /** Why the signature failed; absent when it passed. */
  error?: OcisignError;
}

/**
 * The failures that were only logged (the level says `log`): warnings to show on success.
 *
 * @example
 * ```ts
 * import { loggedFailures } from "./verification_outcome.ts";
 * import { VERIFICATION_LEVELS } from "../trust/verification_level.ts";
 * console.log(loggedFailures({ level: VERIFICATION_LEVELS.strict, results: [] }).length); // 0
 * ```
 * @param outcome An outcome.
 * @returns The results whose action is `log` and that have an error.
 */
export function loggedFailures(outcome: VerificationOutcome): ValidationResult[] {
  return outcome.results.filter((r) => r.action === "log" && r.error !== undefined);
}
