/**
 * Loads the signer named by `--key` (or the default key) from the configuration directory.
 *
 * @module
 */
import { LocalSigner } from "../signature/signer.ts";
import { resolveSigningKey } from "./config/resolve_signing_key.ts";
import type { CliIo } from "./io.ts";

/**
 * Builds the local signer of a key in `signingkeys.json`.
 * @throws {ConfigError} ERR_CONFIG when no key is named and none is the default.
 * @throws {KeyInvalidError} ERR_KEY_INVALID when the key does not fit its certificate.
 */
export async function loadSigner(io: CliIo, keyName: string | undefined): Promise<LocalSigner> {
  const key = await resolveSigningKey(io, keyName);
  const [privateKey, chain] = await Promise.all([
    io.fs.readFile(key.keyPath, { maxBytes: 1 << 20 }),
    io.fs.readFile(key.certPath, { maxBytes: 4 << 20 }),
  ]);
  return await LocalSigner.create({
    privateKey: new TextDecoder().decode(privateKey),
    certificateChain: new TextDecoder().decode(chain),
  });
}
