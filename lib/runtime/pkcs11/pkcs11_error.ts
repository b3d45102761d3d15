/**
 * A failed PKCS#11 call, with the return value's name and an ocisign error code chosen from it:
 * a wrong PIN is an authentication failure (exit 6), a missing mechanism is unsupported, and so
 * on. The PIN itself never appears in a message.
 *
 * @module
 */
import { OcisignError } from "../../errors.ts";
import type { ErrorCode, OcisignErrorOptions } from "../../errors.ts";
import { CKR, ckrName } from "./_ck.ts";

/**
 * What to do about a locked user PIN (`CKF_USER_PIN_LOCKED`, `CKR_PIN_LOCKED`): only the
 * security officer can set a new one.
 */
export const UNLOCK_PIN_ADVICE =
  "unlock it with the security officer PIN (pkcs11-tool --module MODULE --login --login-type so --init-pin sets a new user PIN), then try again";

/** What to tell the user for the return values that have a remedy. */
const ADVICE: ReadonlyMap<bigint, { code: ErrorCode; advice: string }> = new Map([
  [CKR.PIN_INCORRECT, {
    code: "ERR_UNAUTHORIZED",
    advice: "the PIN is wrong (the token counts failed logins: check it before trying again)",
  }],
  [CKR.PIN_INVALID, { code: "ERR_UNAUTHORIZED", advice: "the PIN has invalid characters" }],
  [CKR.PIN_LEN_RANGE, { code: "ERR_UNAUTHORIZED", advice: "the PIN has the wrong length" }],
  [CKR.PIN_EXPIRED, { code: "ERR_DENIED", advice: "the PIN has expired: change it first" }],
  [CKR.PIN_LOCKED, {
    code: "ERR_DENIED",
    advice: `the token's user PIN is locked: ${UNLOCK_PIN_ADVICE}`,
  }],
  [CKR.USER_PIN_NOT_INITIALIZED, {
    code: "ERR_DENIED",
    advice: "the token's user PIN is not initialised",
  }],
  [CKR.MECHANISM_INVALID, {
    code: "ERR_UNSUPPORTED",
    advice: "the token does not offer this signing mechanism",
  }],
  [CKR.MECHANISM_PARAM_INVALID, {
    code: "ERR_UNSUPPORTED",
    advice: "the token rejects the mechanism's parameters",
  }],
  [CKR.KEY_TYPE_INCONSISTENT, {
    code: "ERR_KEY_INVALID",
    advice: "the key's type does not fit the mechanism",
  }],
  [CKR.KEY_FUNCTION_NOT_PERMITTED, {
    code: "ERR_KEY_INVALID",
    advice: "the key is not allowed to sign (CKA_SIGN is false)",
  }],
]);

/**
 * A PKCS#11 function returned something other than `CKR_OK`.
 *
 * @example
 * ```ts
 * import { Pkcs11Error } from "./pkcs11_error.ts";
 * const err = Pkcs11Error.fromReturnValue("C_Login", 0xa0n);
 * console.log(err.code, err.returnValue); // ERR_UNAUTHORIZED CKR_PIN_INCORRECT
 * ```
 */
export class Pkcs11Error extends OcisignError {
  /** The name of the return value (`CKR_PIN_INCORRECT`). */
  readonly returnValue: string;

  /**
   * Creates the error.
   * @param code The ocisign code.
   * @param message What failed and what to do.
   * @param returnValue The `CKR_*` name (empty when no call failed).
   * @param options Cause and details.
   */
  constructor(
    code: ErrorCode,
    message: string,
    returnValue = "",
    options?: OcisignErrorOptions,
  ) {
    super(code, message, options);
    this.returnValue = returnValue;
  }

  /**
   * The error for a call's return value.
   * @param fn The function (`C_Login`).
   * @param rv Its return value.
   * @returns The error, with advice for the values that have a remedy.
   */
  static fromReturnValue(fn: string, rv: bigint): Pkcs11Error {
    const name = ckrName(rv);
    const known = ADVICE.get(rv);
    const message = known
      ? `PKCS#11 ${fn} failed with ${name}: ${known.advice}`
      : `PKCS#11 ${fn} failed with ${name}`;
    return new Pkcs11Error(known?.code ?? "ERR_INTERNAL", message, name, {
      details: { function: fn, returnValue: name },
    });
  }
}
