/**
 * The Notary Project plugin contract 1.0 as notation-go speaks it: commands, capabilities, the
 * JSON shapes of requests and responses (binary fields are standard padded base64, as Go
 * marshals `[]byte`), the error shape on stderr, and strict checks of what a plugin answers.
 *
 * @see https://github.com/notaryproject/specifications/blob/main/specs/plugin-extensibility.md
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { fromBase64 } from "../_internal/bytes.ts";
import { InvalidInputError } from "../errors.ts";
import { MAX_ENVELOPE_BYTES } from "../signature/envelope.ts";
import { Certificate } from "../x509/certificate.ts";
import { keySpecByName } from "../x509/key_spec.ts";
import type { KeySpec } from "../x509/key_spec.ts";

/** The only contract version. */
export const CONTRACT_VERSION = "1.0";

/** Plugin commands. */
export type PluginCommand =
  | "get-plugin-metadata"
  | "describe-key"
  | "generate-signature"
  | "generate-envelope"
  | "verify-signature";

/** Capabilities. */
export const CAPABILITY = {
  raw: "SIGNATURE_GENERATOR.RAW",
  envelope: "SIGNATURE_GENERATOR.ENVELOPE",
  trustedIdentity: "SIGNATURE_VERIFIER.TRUSTED_IDENTITY",
  revocationCheck: "SIGNATURE_VERIFIER.REVOCATION_CHECK",
} as const;

/** Error codes a plugin writes on stderr. */
export type PluginErrorCode =
  | "VALIDATION_ERROR"
  | "UNSUPPORTED_CONTRACT_VERSION"
  | "ACCESS_DENIED"
  | "TIMEOUT"
  | "THROTTLED"
  | "ERROR";

/** The error a plugin writes on stderr when it exits non-zero. */
export interface PluginErrorResponse {
  /** The code. */
  errorCode: PluginErrorCode;
  /** What failed. */
  errorMessage: string;
  /** Extra details. */
  errorMetadata?: Record<string, string>;
}

/** `get-plugin-metadata` response. */
export interface PluginMetadata {
  /** The plugin's name: its directory and `notation-<name>`. */
  name: string;
  /** What it does. */
  description: string;
  /** Its version (SemVer). */
  version: string;
  /** Where it comes from. */
  url: string;
  /** Contract versions it speaks (`1.0`). */
  supportedContractVersions: string[];
  /** What it can do ({@linkcode CAPABILITY}). */
  capabilities: string[];
}

/** `describe-key` request. */
export interface DescribeKeyRequest {
  /** Always {@linkcode CONTRACT_VERSION}. */
  contractVersion: string;
  /** The key id (`--id`). */
  keyId: string;
  /** The plugin configuration. */
  pluginConfig?: Record<string, string>;
}

/** `generate-signature` request. */
export interface GenerateSignatureRequest {
  /** Always {@linkcode CONTRACT_VERSION}. */
  contractVersion: string;
  /** The key id. */
  keyId: string;
  /** The key spec `describe-key` gave (`EC-256`). */
  keySpec: string;
  /** The hash of the key spec (`SHA-256`). */
  hashAlgorithm: string;
  /** Base64 of the bytes to sign. */
  payload: string;
  /** The plugin configuration. */
  pluginConfig?: Record<string, string>;
}

/** A checked `generate-signature` response. */
export interface RawSignature {
  /** The signature (r‖s for ECDSA). */
  signature: Bytes;
  /** The chain, leaf first. */
  certificateChain: Certificate[];
}

function invalid(plugin: string, command: string, reason: string): InvalidInputError {
  return new InvalidInputError(
    `plugin ${JSON.stringify(plugin)} gave an invalid ${command} response: ${reason}`,
  );
}

function object(value: unknown, plugin: string, command: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw invalid(plugin, command, "it is not a JSON object");
  }
  return value as Record<string, unknown>;
}

function text(
  obj: Record<string, unknown>,
  field: string,
  plugin: string,
  command: string,
): string {
  const value = obj[field];
  if (typeof value !== "string" || value === "") {
    throw invalid(plugin, command, `${field} is missing or not a non-empty string`);
  }
  return value;
}

function base64(value: string, field: string, plugin: string, command: string): Bytes {
  try {
    return fromBase64(value);
  } catch {
    throw invalid(plugin, command, `${field} is not standard base64`);
  }
}

/**
 * Checks a `get-plugin-metadata` response: every field non-empty, the name equal to the
 * plugin's directory name, contract 1.0 supported.
 *
 * @example
 * ```ts
 * import { checkMetadata } from "./protocol.ts";
 * const m = checkMetadata({
 *   name: "x", description: "d", version: "1.0.0", url: "https://x",
 *   supportedContractVersions: ["1.0"], capabilities: ["SIGNATURE_GENERATOR.RAW"],
 * }, "x");
 * console.log(m.capabilities); // [ "SIGNATURE_GENERATOR.RAW" ]
 * ```
 * @throws {InvalidInputError} ERR_INVALID_INPUT for a malformed or mismatching response.
 */
export function checkMetadata(value: unknown, plugin: string): PluginMetadata {
  const command = "get-plugin-metadata";
  const obj = object(value, plugin, command);
  const list = (field: string): string[] => {
    const v = obj[field];
    if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== "string" || x === "")) {
      throw invalid(plugin, command, `${field} is missing or not a list of strings`);
    }
    return v as string[];
  };
  const metadata: PluginMetadata = {
    name: text(obj, "name", plugin, command),
    description: text(obj, "description", plugin, command),
    version: text(obj, "version", plugin, command),
    url: text(obj, "url", plugin, command),
    supportedContractVersions: list("supportedContractVersions"),
    capabilities: list("capabilities"),
  };
  if (metadata.name !== plugin) {
    throw new InvalidInputError(
      `plugin executable file name must be "notation-${metadata.name}" instead of "notation-${plugin}"`,
    );
  }
  if (!metadata.supportedContractVersions.includes(CONTRACT_VERSION)) {
    throw invalid(plugin, command, `it does not support contract version ${CONTRACT_VERSION}`);
  }
  return metadata;
}

/** Checks that a response echoes the key id that was asked for. */
function checkKeyId(
  obj: Record<string, unknown>,
  keyId: string,
  plugin: string,
  command: string,
): void {
  const got = text(obj, "keyId", plugin, command);
  if (got !== keyId) {
    throw invalid(plugin, command, `keyId ${JSON.stringify(got)} is not the requested key`);
  }
}

/**
 * Checks a `describe-key` response: the key id echoed, a known key spec.
 *
 * @example
 * ```ts
 * import { checkDescribeKey } from "./protocol.ts";
 * console.log(checkDescribeKey({ keyId: "k", keySpec: "EC-384" }, "x", "k").jwsAlgorithm); // ES384
 * ```
 * @throws {InvalidInputError} ERR_INVALID_INPUT for a wrong key id or an unknown key spec.
 */
export function checkDescribeKey(value: unknown, plugin: string, keyId: string): KeySpec {
  const command = "describe-key";
  const obj = object(value, plugin, command);
  checkKeyId(obj, keyId, plugin, command);
  const name = text(obj, "keySpec", plugin, command);
  try {
    return keySpecByName(name);
  } catch {
    throw invalid(
      plugin,
      command,
      `keySpec ${JSON.stringify(name)} is not a Notary Project key spec`,
    );
  }
}

/**
 * Checks a `generate-signature` response's shape: the key id echoed, the signing algorithm of
 * the key spec, a non-empty chain of parseable certificates. (Whether the signature verifies is
 * the caller's check.)
 *
 * @example
 * ```ts ignore
 * const { signature, certificateChain } = checkGenerateSignature(response, "x", "k", spec);
 * ```
 * @throws {InvalidInputError} ERR_INVALID_INPUT for a malformed or mismatching response.
 */
export function checkGenerateSignature(
  value: unknown,
  plugin: string,
  keyId: string,
  spec: KeySpec,
): RawSignature {
  const command = "generate-signature";
  const obj = object(value, plugin, command);
  checkKeyId(obj, keyId, plugin, command);
  const algorithm = text(obj, "signingAlgorithm", plugin, command);
  if (algorithm !== spec.signingAlgorithm) {
    throw invalid(
      plugin,
      command,
      `signingAlgorithm ${algorithm} does not fit key spec ${spec.name} (${spec.signingAlgorithm})`,
    );
  }
  const signature = base64(text(obj, "signature", plugin, command), "signature", plugin, command);
  const chain = obj.certificateChain;
  if (!Array.isArray(chain) || chain.length === 0 || chain.some((c) => typeof c !== "string")) {
    throw invalid(plugin, command, "certificateChain is missing or not a list of base64 strings");
  }
  const certificateChain = chain.map((c: string, i) => {
    try {
      return new Certificate(base64(c, `certificateChain[${i}]`, plugin, command));
    } catch (err) {
      if (err instanceof InvalidInputError) throw err;
      throw invalid(plugin, command, `certificateChain[${i}] is not a DER certificate`);
    }
  });
  return { signature, certificateChain };
}

/**
 * Parses the error a plugin wrote on stderr, when it has notation's shape.
 *
 * @example
 * ```ts
 * import { parsePluginError } from "./protocol.ts";
 * console.log(parsePluginError('{"errorCode":"ACCESS_DENIED","errorMessage":"no"}')?.errorCode);
 * // ACCESS_DENIED
 * ```
 * @returns The error, or undefined when stderr is not that JSON.
 */
export function parsePluginError(stderr: string): PluginErrorResponse | undefined {
  try {
    const obj = JSON.parse(stderr);
    if (typeof obj?.errorCode === "string" && typeof obj?.errorMessage === "string") {
      return {
        errorCode: obj.errorCode,
        errorMessage: obj.errorMessage,
        ...(obj.errorMetadata && typeof obj.errorMetadata === "object"
          ? { errorMetadata: obj.errorMetadata }
          : {}),
      };
    }
  } catch {
    // not JSON: the caller reports the raw text
  }
  return undefined;
}

/** A checked `generate-envelope` response. */
export interface EnvelopeResponse {
  /** The envelope bytes. */
  signatureEnvelope: Bytes;
  /** Its media type, as the plugin says. */
  signatureEnvelopeType: string;
  /** Annotations for the signature manifest. */
  annotations: Record<string, string>;
}

/**
 * Checks the shape of a `generate-envelope` response (the envelope itself is checked by
 * `checkGeneratedEnvelope` in lib/sign).
 *
 * @example
 * ```ts
 * import { checkGenerateEnvelope } from "./protocol.ts";
 * const r = checkGenerateEnvelope(
 *   { signatureEnvelope: "e30=", signatureEnvelopeType: "application/jose+json" },
 *   "x",
 * );
 * console.log(r.signatureEnvelope.length, r.annotations); // 2 {}
 * ```
 * @throws {InvalidInputError} ERR_INVALID_INPUT for a malformed response.
 */
export function checkGenerateEnvelope(value: unknown, plugin: string): EnvelopeResponse {
  const command = "generate-envelope";
  const obj = object(value, plugin, command);
  const envelope = text(obj, "signatureEnvelope", plugin, command);
  if (envelope.length > Math.ceil(MAX_ENVELOPE_BYTES / 3) * 4) {
    throw invalid(
      plugin,
      command,
      `signatureEnvelope is about ${
        Math.floor(envelope.length / 4) * 3
      } bytes, over the envelope limit of ${MAX_ENVELOPE_BYTES} bytes`,
    );
  }
  const type = text(obj, "signatureEnvelopeType", plugin, command);
  const annotations = obj.annotations ?? {};
  if (
    annotations === null || typeof annotations !== "object" || Array.isArray(annotations) ||
    Object.values(annotations).some((v) => typeof v !== "string")
  ) {
    throw invalid(plugin, command, "annotations is not a map of strings");
  }
  return {
    signatureEnvelope: base64(envelope, "signatureEnvelope", plugin, command),
    signatureEnvelopeType: type,
    annotations: annotations as Record<string, string>,
  };
}

/** A checked `verify-signature` response. */
export interface VerifySignatureResponse {
  /** One result per capability asked for. */
  verificationResults: Record<string, { success: boolean; reason?: string }>;
  /** The extended attributes the plugin processed. */
  processedAttributes: string[];
}

/**
 * Checks the shape of a `verify-signature` response: `verificationResults` maps capabilities to
 * `{success, reason?}`, `processedAttributes` lists strings (absent: none processed).
 *
 * @example
 * ```ts
 * import { checkVerifySignature } from "./protocol.ts";
 * const r = checkVerifySignature({
 *   verificationResults: { "SIGNATURE_VERIFIER.TRUSTED_IDENTITY": { success: true } },
 *   processedAttributes: [],
 * }, "x");
 * console.log(r.verificationResults["SIGNATURE_VERIFIER.TRUSTED_IDENTITY"]?.success); // true
 * ```
 * @throws {InvalidInputError} ERR_INVALID_INPUT for a malformed response.
 */
export function checkVerifySignature(value: unknown, plugin: string): VerifySignatureResponse {
  const command = "verify-signature";
  const obj = object(value, plugin, command);
  const results = object(obj.verificationResults, plugin, command);
  const verificationResults: VerifySignatureResponse["verificationResults"] = {};
  for (const [capability, result] of Object.entries(results)) {
    const r = object(result, plugin, command);
    if (
      typeof r.success !== "boolean" || (r.reason !== undefined && typeof r.reason !== "string")
    ) {
      throw invalid(
        plugin,
        command,
        `verificationResults[${
          JSON.stringify(capability)
        }] needs a boolean success and a string reason`,
      );
    }
    verificationResults[capability] = {
      success: r.success,
      ...(typeof r.reason === "string" ? { reason: r.reason } : {}),
    };
  }
  const processed = obj.processedAttributes ?? [];
  if (!Array.isArray(processed) || processed.some((a) => typeof a !== "string")) {
    throw invalid(plugin, command, "processedAttributes is not a list of strings");
  }
  return { verificationResults, processedAttributes: processed as string[] };
}
