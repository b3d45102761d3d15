/**
 * The PKCS#11 constants ocisign uses (values from the OASIS PKCS#11 2.40 headers), and the names
 * of the return values it can meet, for messages.
 *
 * @module
 */

/** Object classes (`CKA_CLASS`). */
export const CKO = { CERTIFICATE: 1n, PUBLIC_KEY: 2n, PRIVATE_KEY: 3n } as const;

/** Key types (`CKA_KEY_TYPE`). */
export const CKK = { RSA: 0n, EC: 3n } as const;

/** Attribute types. */
export const CKA = {
  CLASS: 0x0n,
  LABEL: 0x3n,
  VALUE: 0x11n,
  CERTIFICATE_TYPE: 0x80n,
  KEY_TYPE: 0x100n,
  ID: 0x102n,
  SIGN: 0x108n,
  MODULUS: 0x120n,
  PUBLIC_EXPONENT: 0x122n,
  EC_PARAMS: 0x180n,
  EC_POINT: 0x181n,
  ALWAYS_AUTHENTICATE: 0x202n,
} as const;

/** Mechanisms. */
export const CKM = {
  RSA_PKCS: 0x1n,
  RSA_PKCS_PSS: 0xdn,
  ECDSA: 0x1041n,
  SHA256: 0x250n,
  SHA384: 0x260n,
  SHA512: 0x270n,
} as const;

/** Mask generation functions of `CK_RSA_PKCS_PSS_PARAMS`. */
export const CKG_MGF1 = { "SHA-256": 2n, "SHA-384": 3n, "SHA-512": 4n } as const;

/** User types of `C_Login`. */
export const CKU = { USER: 1n, CONTEXT_SPECIFIC: 2n } as const;

/** `C_OpenSession` flags: CKF_RW_SESSION | CKF_SERIAL_SESSION. */
export const SESSION_FLAGS = 0x6n;

/** Token flags of `CK_TOKEN_INFO.flags`. */
export const CKF_TOKEN = {
  LOGIN_REQUIRED: 0x4n,
  USER_PIN_FINAL_TRY: 0x20000n,
  USER_PIN_LOCKED: 0x40000n,
} as const;

/** Return values. */
export const CKR = {
  OK: 0x0n,
  CRYPTOKI_ALREADY_INITIALIZED: 0x191n,
  MECHANISM_INVALID: 0x70n,
  MECHANISM_PARAM_INVALID: 0x71n,
  KEY_TYPE_INCONSISTENT: 0x63n,
  KEY_FUNCTION_NOT_PERMITTED: 0x68n,
  PIN_INCORRECT: 0xa0n,
  PIN_INVALID: 0xa1n,
  PIN_LEN_RANGE: 0xa2n,
  PIN_EXPIRED: 0xa3n,
  PIN_LOCKED: 0xa4n,
  USER_ALREADY_LOGGED_IN: 0x100n,
  USER_NOT_LOGGED_IN: 0x101n,
  USER_PIN_NOT_INITIALIZED: 0x102n,
  BUFFER_TOO_SMALL: 0x150n,
} as const;

const CKR_NAMES: Readonly<Record<string, string>> = {
  "0": "CKR_OK",
  "1": "CKR_CANCEL",
  "2": "CKR_HOST_MEMORY",
  "3": "CKR_SLOT_ID_INVALID",
  "5": "CKR_GENERAL_ERROR",
  "6": "CKR_FUNCTION_FAILED",
  "7": "CKR_ARGUMENTS_BAD",
  "18": "CKR_ATTRIBUTE_TYPE_INVALID",
  "32": "CKR_DATA_INVALID",
  "33": "CKR_DATA_LEN_RANGE",
  "48": "CKR_DEVICE_ERROR",
  "49": "CKR_DEVICE_MEMORY",
  "50": "CKR_DEVICE_REMOVED",
  "96": "CKR_KEY_HANDLE_INVALID",
  "99": "CKR_KEY_TYPE_INCONSISTENT",
  "104": "CKR_KEY_FUNCTION_NOT_PERMITTED",
  "112": "CKR_MECHANISM_INVALID",
  "113": "CKR_MECHANISM_PARAM_INVALID",
  "130": "CKR_OBJECT_HANDLE_INVALID",
  "144": "CKR_OPERATION_ACTIVE",
  "145": "CKR_OPERATION_NOT_INITIALIZED",
  "160": "CKR_PIN_INCORRECT",
  "161": "CKR_PIN_INVALID",
  "162": "CKR_PIN_LEN_RANGE",
  "163": "CKR_PIN_EXPIRED",
  "164": "CKR_PIN_LOCKED",
  "179": "CKR_SESSION_HANDLE_INVALID",
  "224": "CKR_TOKEN_NOT_PRESENT",
  "225": "CKR_TOKEN_NOT_RECOGNIZED",
  "256": "CKR_USER_ALREADY_LOGGED_IN",
  "257": "CKR_USER_NOT_LOGGED_IN",
  "258": "CKR_USER_PIN_NOT_INITIALIZED",
  "336": "CKR_BUFFER_TOO_SMALL",
  "400": "CKR_CRYPTOKI_NOT_INITIALIZED",
  "401": "CKR_CRYPTOKI_ALREADY_INITIALIZED",
};

/**
 * The name of a PKCS#11 return value (`CKR_PIN_INCORRECT`), or its hex value when unknown.
 *
 * @example
 * ```ts
 * import { ckrName } from "./_ck.ts";
 * console.log(ckrName(0xa0n)); // CKR_PIN_INCORRECT
 * ```
 */
export function ckrName(rv: bigint): string {
  return CKR_NAMES[rv.toString()] ?? `CKR 0x${rv.toString(16)}`;
}
