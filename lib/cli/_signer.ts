/**
 * Loads the signer named by `--key` (or the default key) from the configuration directory, or
 * the PKCS#11 key named by `--pkcs11 URI`.
 *
 * @module
 */
import { LocalSigner } from "../signature/signer.ts";
import type { Signer } from "../signature/signer.ts";
import { UsageError } from "./_args.ts";
import { resolveSigningKey } from "./config/resolve_signing_key.ts";
import type { CliIo } from "./io.ts";
import { pkcs11Signer } from "./_pkcs11.ts";

/** Signing flags besides `--key`. */
export interface SignerFlags {
  /** `--pkcs11 URI`: a one-off PKCS#11 key. */
  pkcs11?: string | undefined;
  /** `--pkcs11-module PATH`. */
  pkcs11Module?: string | undefined;
  /** `--cert FILE`: the PEM chain of the PKCS#11 key. */
  cert?: string | undefined;
}

/**
 * Builds the signer of a key in `signingkeys.json` (local or PKCS#11), or of `--pkcs11 URI`.
 * @throws {ConfigError} ERR_CONFIG when no key is named and none is the default.
 * @throws {KeyInvalidError} ERR_KEY_INVALID when the key does not fit its certificate.
 * @throws {UsageError} ERR_USAGE when `--pkcs11` is combined with `--key`.
 */
export async function loadSigner(
  io: CliIo,
  keyName: string | undefined,
  flags: SignerFlags = {},
): Promise<Signer> {
  if (flags.pkcs11 !== undefined) {
    if (keyName) throw new UsageError("--key and --pkcs11 cannot be used together");
    return await pkcs11Signer(io, {
      uri: flags.pkcs11,
      ...(flags.pkcs11Module ? { module: flags.pkcs11Module } : {}),
      ...(flags.cert ? { certPath: flags.cert } : {}),
    });
  }
  if (flags.pkcs11Module || flags.cert) {
    throw new UsageError("--pkcs11-module and --cert go with --pkcs11 URI");
  }
  const key = await resolveSigningKey(io, keyName);
  if (key.kind === "pkcs11") return await pkcs11Signer(io, key);
  const [privateKey, chain] = await Promise.all([
    io.fs.readFile(key.keyPath, { maxBytes: 1 << 20 }),
    io.fs.readFile(key.certPath, { maxBytes: 4 << 20 }),
  ]);
  return await LocalSigner.create({
    privateKey: new TextDecoder().decode(privateKey),
    certificateChain: new TextDecoder().decode(chain),
  });
}
