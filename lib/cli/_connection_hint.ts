/**
 * A registry that cannot be reached over TLS gets an error that names the flag that fixes it:
 * `--plain-http` when the server does not speak HTTPS, `--ca-file` (or `--insecure`) when its
 * certificate is not trusted. The runtime's own wording stays in the cause chain (`--verbose`).
 *
 * @module
 */
import { isErrorCode, OcisignError } from "../errors.ts";

/** Failures of the TLS layer, as Deno (rustls) and Bun (BoringSSL) word them. */
const TLS =
  /certificate|UnknownIssuer|self[- ]signed|\btls\b|\bssl\b|handshake|InvalidContentType|corrupt message|wrong version number|packet length/i;
/** Of those, the ones that mean the server answered in plain HTTP. */
const PLAIN = /InvalidContentType|corrupt message|wrong version number|packet length/i;

function causeText(err: Error): string {
  const parts: string[] = [];
  for (let c: unknown = err.cause; c !== undefined; c = c instanceof Error ? c.cause : undefined) {
    parts.push(c instanceof Error ? c.message : String(c));
  }
  return parts.join("\n");
}

/**
 * Adds the fixing flag to a registry error caused by TLS.
 *
 * @example
 * ```ts ignore
 * io.stderr(renderError(withConnectionHint(err), "text", false));
 * ```
 * @param err Anything caught.
 * @returns The same error, or an error of the same code whose message names the flag.
 */
export function withConnectionHint(err: unknown): unknown {
  if (!isErrorCode(err, "ERR_REGISTRY")) return err;
  const causes = causeText(err);
  if (!TLS.test(causes)) return err;
  const hint = PLAIN.test(causes)
    ? "the registry did not answer in TLS: if it serves plain HTTP, use --plain-http"
    : "the registry's TLS certificate is not trusted: pass its CA certificate with --ca-file FILE, or skip the check with --insecure (compiled binary only)";
  return new OcisignError(err.code, `${err.message} (${hint})`, {
    cause: err,
    ...(err.details ? { details: err.details } : {}),
  });
}
