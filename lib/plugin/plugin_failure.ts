/**
 * Turns a plugin's failure (non-zero exit with notation's error JSON on stderr, or output that
 * is not JSON) into a typed ocisign error.
 *
 * @module
 */
import { fromUtf8 } from "../_internal/bytes.ts";
import { OcisignError } from "../errors.ts";
import type { ErrorCode } from "../errors.ts";
import { parsePluginError } from "./protocol.ts";
import type { PluginErrorCode } from "./protocol.ts";

const CODES: Record<PluginErrorCode, ErrorCode> = {
  VALIDATION_ERROR: "ERR_INVALID_INPUT",
  UNSUPPORTED_CONTRACT_VERSION: "ERR_UNSUPPORTED",
  ACCESS_DENIED: "ERR_DENIED",
  TIMEOUT: "ERR_TIMEOUT",
  THROTTLED: "ERR_REGISTRY",
  ERROR: "ERR_INTERNAL",
};

/** Longest piece of a plugin's raw stderr quoted in a message. */
const QUOTE = 300;

/**
 * The error for a plugin that exited non-zero.
 *
 * @example
 * ```ts
 * import { pluginFailure } from "./plugin_failure.ts";
 * const err = pluginFailure("kv", "describe-key", 1,
 *   new TextEncoder().encode('{"errorCode":"ACCESS_DENIED","errorMessage":"expired token"}'));
 * console.log(err.code, err.message);
 * // ERR_DENIED plugin "kv" describe-key failed: ACCESS_DENIED: expired token
 * ```
 */
export function pluginFailure(
  plugin: string,
  command: string,
  exitCode: number,
  stderr: Uint8Array,
): OcisignError {
  const text = fromUtf8(stderr).trim();
  const parsed = parsePluginError(text);
  const where = `plugin ${JSON.stringify(plugin)} ${command} failed`;
  if (parsed) {
    return new OcisignError(
      CODES[parsed.errorCode] ?? "ERR_INTERNAL",
      `${where}: ${parsed.errorCode}: ${parsed.errorMessage}`,
      { details: { plugin, command, errorCode: parsed.errorCode } },
    );
  }
  const quoted = text.length > QUOTE ? `${text.slice(0, QUOTE)}...` : text;
  return new OcisignError(
    "ERR_INTERNAL",
    `${where} with exit code ${exitCode}${quoted ? `: ${quoted}` : ""}`,
    { details: { plugin, command } },
  );
}
