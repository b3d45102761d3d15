/**
 * ocisign as notation's PKCS#11 plugin: when the binary runs as `notation-ocisign <command>` (or
 * `ocisign plugin serve <command>`), it answers the plugin contract 1.0 with RAW signing from a
 * PKCS#11 key. The key id is a PKCS#11 URI or the name of a PKCS#11 key in ocisign's
 * `signingkeys.json`; `pluginConfig` may give `module`, `certificate` and `pin-source`
 * (`env:VAR` or `file:PATH`, never the PIN itself). The request comes on stdin, the response
 * goes to stdout, and an error goes to stderr in notation's shape with exit code 1.
 *
 * @module
 */
import { fromBase64, toBase64 } from "../_internal/bytes.ts";
import { OcisignError } from "../errors.ts";
import { CAPABILITY, CONTRACT_VERSION } from "../plugin/protocol.ts";
import type { PluginErrorCode, PluginMetadata } from "../plugin/protocol.ts";
import { isPkcs11Uri } from "../runtime/pkcs11/mod.ts";
import { pkcs11Signer } from "./_pkcs11.ts";
import type { Pkcs11KeyReference } from "./_pkcs11.ts";
import { PKCS11_CONFIG, resolveSigningKey } from "./config/resolve_signing_key.ts";
import type { CliIo } from "./io.ts";
import { VERSION } from "./version.ts";

/** The plugin's name: its executable is `notation-ocisign`. */
export const SELF_PLUGIN_NAME = "ocisign";

/** What `get-plugin-metadata` answers. */
export const SELF_PLUGIN_METADATA: PluginMetadata = {
  name: SELF_PLUGIN_NAME,
  description: "Signs with keys kept in PKCS#11 tokens (HSMs, smartcards, SoftHSM)",
  version: VERSION,
  url: "https://jsr.io/@ocisign/ocisign",
  supportedContractVersions: [CONTRACT_VERSION],
  capabilities: [CAPABILITY.raw],
};

/** A contract failure with its plugin error code. */
class ContractError extends Error {
  constructor(readonly errorCode: PluginErrorCode, message: string) {
    super(message);
  }
}

function field(request: Record<string, unknown>, name: string): string {
  const value = request[name];
  if (typeof value !== "string" || value === "") {
    throw new ContractError("VALIDATION_ERROR", `${name} is missing from the request`);
  }
  return value;
}

function pluginConfig(request: Record<string, unknown>): Record<string, string> {
  const config = request.pluginConfig;
  if (config === undefined || config === null) return {};
  if (typeof config !== "object" || Array.isArray(config)) {
    throw new ContractError("VALIDATION_ERROR", "pluginConfig is not an object");
  }
  return config as Record<string, string>;
}

/** The PKCS#11 key a key id names: a URI, or a stored key (its config overridden by the request). */
async function keyReference(
  io: CliIo,
  keyId: string,
  config: Record<string, string>,
): Promise<Pkcs11KeyReference> {
  const overrides = {
    ...(config[PKCS11_CONFIG.module] ? { module: config[PKCS11_CONFIG.module] } : {}),
    ...(config[PKCS11_CONFIG.certificate] ? { certPath: config[PKCS11_CONFIG.certificate] } : {}),
    ...(config[PKCS11_CONFIG.pinSource] ? { pinSource: config[PKCS11_CONFIG.pinSource] } : {}),
  };
  if (isPkcs11Uri(keyId)) return { uri: keyId, ...overrides };
  const key = await resolveSigningKey(io, keyId);
  if (key.kind !== "pkcs11") {
    throw new ContractError(
      "VALIDATION_ERROR",
      `key ${
        JSON.stringify(keyId)
      } is not a PKCS#11 key; give a pkcs11: URI or a key added with ocisign key add --pkcs11`,
    );
  }
  const { kind: _, name: __, ...stored } = key;
  return { ...stored, ...overrides };
}

async function answer(io: CliIo, command: string, request: Record<string, unknown>) {
  if (command === "get-plugin-metadata") return SELF_PLUGIN_METADATA;
  if (command !== "describe-key" && command !== "generate-signature") {
    throw new ContractError(
      "VALIDATION_ERROR",
      `unsupported command ${
        JSON.stringify(command)
      }: ocisign's plugin signs RAW (${CAPABILITY.raw})`,
    );
  }
  const version = field(request, "contractVersion");
  if (version !== CONTRACT_VERSION) {
    throw new ContractError(
      "UNSUPPORTED_CONTRACT_VERSION",
      `contract version ${JSON.stringify(version)} is not supported; use ${CONTRACT_VERSION}`,
    );
  }
  const keyId = field(request, "keyId");
  const signer = await pkcs11Signer(io, await keyReference(io, keyId, pluginConfig(request)));
  const spec = signer.keySpec;
  if (command === "describe-key") return { keyId, keySpec: spec.name };
  if (field(request, "keySpec") !== spec.name) {
    throw new ContractError(
      "VALIDATION_ERROR",
      `keySpec ${request.keySpec} does not match the key (${spec.name})`,
    );
  }
  if (field(request, "hashAlgorithm") !== spec.hash) {
    throw new ContractError(
      "VALIDATION_ERROR",
      `hashAlgorithm ${request.hashAlgorithm} does not fit key spec ${spec.name} (${spec.hash})`,
    );
  }
  let payload: Uint8Array;
  try {
    payload = fromBase64(field(request, "payload"));
  } catch (err) {
    if (err instanceof ContractError) throw err;
    throw new ContractError("VALIDATION_ERROR", "payload is not standard base64");
  }
  const signature = await signer.sign(new Uint8Array(payload));
  return {
    keyId,
    signature: toBase64(signature),
    signingAlgorithm: spec.signingAlgorithm,
    certificateChain: signer.certificateChain.map((c) => toBase64(c.raw)),
  };
}

function errorCodeOf(err: unknown): PluginErrorCode {
  if (err instanceof ContractError) return err.errorCode;
  if (!(err instanceof OcisignError)) return "ERROR";
  if (err.code === "ERR_UNAUTHORIZED" || err.code === "ERR_DENIED") return "ACCESS_DENIED";
  if (err.code === "ERR_TIMEOUT") return "TIMEOUT";
  if (err.code.startsWith("ERR_INVALID") || err.code === "ERR_USAGE") return "VALIDATION_ERROR";
  return "ERROR";
}

/**
 * Answers one plugin command: the request is read from stdin, the response written to stdout.
 *
 * @example
 * ```ts ignore
 * import { servePluginCommand } from "./plugin_serve.ts";
 * const code = await servePluginCommand(io, "get-plugin-metadata");
 * ```
 * @param io The environment (stdin holds the JSON request).
 * @param command The contract command.
 * @returns The exit code: 0, or 1 with notation's error JSON on stderr.
 */
export async function servePluginCommand(io: CliIo, command: string | undefined): Promise<number> {
  try {
    if (command === undefined) {
      throw new ContractError("VALIDATION_ERROR", "no command given, e.g. get-plugin-metadata");
    }
    const text = await io.readStdin();
    let request: unknown = {};
    if (text.trim() !== "") {
      try {
        request = JSON.parse(text);
      } catch {
        throw new ContractError("VALIDATION_ERROR", "the request on stdin is not JSON");
      }
    }
    if (request === null || typeof request !== "object" || Array.isArray(request)) {
      throw new ContractError("VALIDATION_ERROR", "the request on stdin is not a JSON object");
    }
    io.stdout(JSON.stringify(await answer(io, command, request as Record<string, unknown>)));
    return 0;
  } catch (err) {
    io.stderr(JSON.stringify({
      errorCode: errorCodeOf(err),
      errorMessage: err instanceof Error ? err.message : String(err),
    }));
    return 1;
  }
}
