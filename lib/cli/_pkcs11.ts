/**
 * What the CLI adds to PKCS#11 signing: the module path (flag or stored, the URI's
 * `module-path`, `OCISIGN_PKCS11_MODULE`), the PIN (the URI's `pin-value` or `pin-source`, a
 * stored `pin-source`, `OCISIGN_PKCS11_PIN`, else asked on the terminal without echo) and the
 * certificate chain file.
 *
 * @module
 */
import { ConfigError, DeniedError, UnauthorizedError } from "../errors.ts";
import { UsageError } from "./_args.ts";
import { PKCS11_CONFIG, PKCS11_PLUGIN_NAME } from "./config/resolve_signing_key.ts";
import type { KeySuite } from "./config/signing_keys.ts";
import { parseCertificates } from "../x509/certificate.ts";
// By file, not through mod.ts: signing must not load the test-certificate maker (@peculiar/x509).
import { formatPkcs11Uri, parsePkcs11Uri } from "../runtime/pkcs11/pkcs11_uri.ts";
import type { Pkcs11Uri } from "../runtime/pkcs11/pkcs11_uri.ts";
import { Pkcs11Signer } from "../runtime/pkcs11/pkcs11_signer.ts";
import type { Pkcs11KeyOptions } from "../runtime/pkcs11/pkcs11_key.ts";
import type { TokenInfo } from "../runtime/pkcs11/pkcs11_module.ts";
import { absolutePath } from "./config/config_dir.ts";
import type { CliIo } from "./io.ts";
import { readSecretFromTerminal } from "./_pin_prompt.ts";

/** Largest PIN file read. */
const MAX_PIN_BYTES = 4096;

/** Largest certificate chain file read. */
const MAX_CHAIN_BYTES = 4 << 20;

/** A PKCS#11 key as the command line or `signingkeys.json` gives it. */
export interface Pkcs11KeyReference {
  /** The RFC 7512 URI. */
  uri: string;
  /** The module path (`--pkcs11-module`, or stored). */
  module?: string;
  /** The PEM certificate chain file. */
  certPath?: string;
  /** A stored PIN source (`env:VAR`, `file:PATH`). */
  pinSource?: string;
}

/**
 * The module path: the given one, else the URI's `module-path`, else `OCISIGN_PKCS11_MODULE`.
 * @throws {ConfigError} ERR_CONFIG when none is given.
 */
export function pkcs11ModulePath(io: CliIo, uri: Pkcs11Uri, given?: string): string {
  const path = given || uri.modulePath || io.env("OCISIGN_PKCS11_MODULE");
  if (!path) {
    throw new ConfigError(
      "no PKCS#11 module given: use --pkcs11-module PATH, module-path=PATH in the URI, or OCISIGN_PKCS11_MODULE (e.g. /usr/lib/softhsm/libsofthsm2.so)",
    );
  }
  return absolutePath(io.cwd, path);
}

/** Reads a PIN from `env:VAR`, `file:PATH` (RFC 7512 `pin-source`) or a plain path. */
async function readPinSource(io: CliIo, source: string): Promise<string> {
  if (source.startsWith("env:")) {
    const name = source.slice("env:".length);
    const value = io.env(name);
    if (value === undefined) {
      throw new UnauthorizedError(
        `the PIN source env:${name} names an unset environment variable; set ${name}`,
      );
    }
    return value;
  }
  const path = source.startsWith("file://")
    ? source.slice("file://".length)
    : source.startsWith("file:")
    ? source.slice("file:".length)
    : source;
  const bytes = await io.fs.readFile(absolutePath(io.cwd, decodeURIComponent(path)), {
    maxBytes: MAX_PIN_BYTES,
  });
  return new TextDecoder().decode(bytes).replace(/\r?\n$/, "");
}

/**
 * A PIN that nobody types (the URI's, a file's, an environment variable's) is not spent on a
 * token's final try: if it is wrong the token locks, and only its security officer can unlock it.
 */
function unattended(
  what: string,
  read: () => Promise<string>,
): (token: TokenInfo) => Promise<string> {
  return (token) => {
    if (!token.userPinFinalTry) return read();
    return Promise.reject(
      new DeniedError(
        `PKCS#11 token ${
          JSON.stringify(token.label)
        } allows one more PIN try and a wrong PIN locks it, so the PIN from ${what} was not tried; check it, then run in a terminal without it to type it, or log in once with pkcs11-tool --login (a right PIN resets the count)`,
      ),
    );
  };
}

/**
 * Where the PIN comes from, asked only when the token needs a login. A PIN given beforehand is
 * not spent on the token's final try; a prompt says when it is the final try.
 * @param io The environment.
 * @param uri The key's URI.
 * @param pinSource A stored `pin-source`.
 * @returns The PIN provider.
 */
export function pkcs11Pin(
  io: CliIo,
  uri: Pkcs11Uri,
  pinSource?: string,
): (token: TokenInfo) => Promise<string> {
  if (uri.pinValue !== undefined) {
    return unattended("the URI's pin-value", () => Promise.resolve(uri.pinValue!));
  }
  const source = uri.pinSource ?? pinSource;
  if (source !== undefined) {
    return unattended(`pin-source ${source}`, () => readPinSource(io, source));
  }
  const env = io.env("OCISIGN_PKCS11_PIN");
  if (env !== undefined) return unattended("OCISIGN_PKCS11_PIN", () => Promise.resolve(env));
  return (token) => {
    if (!io.isTty) {
      return Promise.reject(
        new UnauthorizedError(
          "the token needs a PIN: set OCISIGN_PKCS11_PIN, add pin-source=file:PATH to the URI, or run in a terminal to be asked",
        ),
      );
    }
    const finalTry = token.userPinFinalTry ? " (final try: a wrong PIN locks the token)" : "";
    return readSecretFromTerminal(
      `PIN for PKCS#11 token ${JSON.stringify(token.label)}${finalTry}: `,
    );
  };
}

/**
 * The key options of a PKCS#11 key reference: parsed URI, module path and PIN provider.
 * @throws {InvalidInputError} ERR_INVALID_INPUT for a malformed URI.
 * @throws {ConfigError} ERR_CONFIG when no module is given.
 */
export function pkcs11KeyOptions(io: CliIo, ref: Pkcs11KeyReference): Pkcs11KeyOptions {
  const uri = parsePkcs11Uri(ref.uri);
  return {
    uri,
    modulePath: pkcs11ModulePath(io, uri, ref.module),
    pin: pkcs11Pin(io, uri, ref.pinSource),
  };
}

/**
 * Opens a PKCS#11 signer: the key, its chain (the file, else the token's certificates), and the
 * check that the key is the leaf's.
 *
 * @example
 * ```ts ignore
 * import { pkcs11Signer } from "./_pkcs11.ts";
 * const signer = await pkcs11Signer(io, { uri: "pkcs11:token=station;object=release" });
 * ```
 * @param io The environment.
 * @param ref The key.
 * @returns The signer.
 */
export async function pkcs11Signer(io: CliIo, ref: Pkcs11KeyReference): Promise<Pkcs11Signer> {
  const options = pkcs11KeyOptions(io, ref);
  const chain = ref.certPath === undefined ? undefined : parseCertificates(
    await io.fs.readFile(absolutePath(io.cwd, ref.certPath), { maxBytes: MAX_CHAIN_BYTES }),
  );
  return await Pkcs11Signer.create({ ...options, ...(chain ? { certificateChain: chain } : {}) });
}

/**
 * The `signingkeys.json` entry of a PKCS#11 key: a key of ocisign's plugin, the URI as `id`
 * (without any PIN), the module and the certificate file in `pluginConfig`.
 *
 * @example
 * ```ts ignore
 * const suite = pkcs11KeySuite("release", parsePkcs11Uri(uri), "/usr/lib/softhsm/libsofthsm2.so");
 * ```
 * @throws {UsageError} ERR_USAGE when the URI holds `pin-value`: a PIN is never stored.
 */
export function pkcs11KeySuite(
  name: string,
  uri: Pkcs11Uri,
  modulePath: string,
  certPath?: string,
): KeySuite {
  if (uri.pinValue !== undefined) {
    throw new UsageError(
      "the URI holds pin-value, and a PIN is never stored: remove it (ocisign reads OCISIGN_PKCS11_PIN or pin-source, or asks on the terminal)",
    );
  }
  const pluginConfig: Record<string, string> = { [PKCS11_CONFIG.module]: modulePath };
  if (certPath !== undefined) pluginConfig[PKCS11_CONFIG.certificate] = certPath;
  return { name, id: formatPkcs11Uri(uri), pluginName: PKCS11_PLUGIN_NAME, pluginConfig };
}
