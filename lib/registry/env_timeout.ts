/**
 * The registry timeout from the environment: `OCISIGN_REGISTRY_TIMEOUT`, in seconds.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";

/** The variable read by {@linkcode envTimeoutMs}. */
export const REGISTRY_TIMEOUT_ENV = "OCISIGN_REGISTRY_TIMEOUT";

/**
 * Reads `OCISIGN_REGISTRY_TIMEOUT` (seconds, fractions allowed) as the `timeoutMs` of a
 * `HttpClient`: the longest silence of a registry.
 *
 * @example
 * ```ts
 * import { envTimeoutMs } from "./env_timeout.ts";
 * const env: Record<string, string> = { OCISIGN_REGISTRY_TIMEOUT: "2.5" };
 * console.log(envTimeoutMs((name) => env[name])); // 2500
 * ```
 * @param getEnv Reads one environment variable.
 * @returns Milliseconds, or undefined when the variable is unset or empty.
 * @throws {ConfigError} ERR_CONFIG when the value is not a number of seconds above zero.
 */
export function envTimeoutMs(getEnv: (name: string) => string | undefined): number | undefined {
  const text = getEnv(REGISTRY_TIMEOUT_ENV);
  if (text === undefined || text === "") return undefined;
  const ms = Math.round(Number(text) * 1000);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(text) || !(ms > 0)) {
    throw new ConfigError(
      `${REGISTRY_TIMEOUT_ENV} must be a number of seconds above zero, got ${JSON.stringify(text)}`,
    );
  }
  return ms;
}
