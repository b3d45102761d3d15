/**
 * Loads the signer named by `--key` (or the default key) from the configuration directory, the
 * PKCS#11 key named by `--pkcs11 URI`, or the plugin key named by `--plugin P --id K`.
 *
 * @module
 */
import { LocalSigner } from "../signature/signer.ts";
import type { Signer } from "../signature/signer.ts";
import type { EnvelopeSigner } from "../sign/premade_envelope.ts";
import { parseKeyValues, UsageError } from "./_args.ts";
import { resolveSigningKey } from "./config/resolve_signing_key.ts";
import type { CliIo } from "./io.ts";
import type { Pkcs11KeyReference } from "./_pkcs11.ts";
import { pluginSigner } from "./_plugin.ts";

/** Signing flags besides `--key`. */
export interface SignerFlags {
  /** `--pkcs11 URI`: a one-off PKCS#11 key. */
  pkcs11?: string | undefined;
  /** `--pkcs11-module PATH`. */
  pkcs11Module?: string | undefined;
  /** `--cert FILE`: the PEM chain of the PKCS#11 key. */
  cert?: string | undefined;
  /** `--plugin NAME`: a notation plugin (with `--id`). */
  plugin?: string | undefined;
  /** `--id KEY`: the plugin's key id. */
  id?: string | undefined;
  /** `--plugin-config k=v`: overrides the stored plugin configuration. */
  pluginConfig?: Record<string, string>;
}

/**
 * The signer flags of `sign` and `blob sign` (plus the repeated `--plugin-config` from the raw
 * arguments).
 * @param args The parsed flags.
 * @param rawArgs The raw arguments.
 * @returns The flags for {@linkcode loadSigner}.
 */
export function signerFlags(
  args: {
    pkcs11?: string | undefined;
    "pkcs11-module"?: string | undefined;
    cert?: string | undefined;
    plugin?: string | undefined;
    id?: string | undefined;
  },
  rawArgs: readonly string[],
): SignerFlags {
  return {
    pkcs11: args.pkcs11,
    pkcs11Module: args["pkcs11-module"],
    cert: args.cert,
    plugin: args.plugin,
    id: args.id,
    pluginConfig: parseKeyValues(rawArgs, ["plugin-config"]),
  };
}

/**
 * The PKCS#11 signer of `key`; the PKCS#11 code (and the PIN prompt, which brings `node:process`:
 * Deno's Node set-up, about 15 ms) loads only for a PKCS#11 key (`+ ""`: see
 * commands/registry.ts).
 */
async function pkcs11Signer(io: CliIo, key: Pkcs11KeyReference): Promise<Signer> {
  const m = await import("./_pkcs11.ts" + "") as typeof import("./_pkcs11.ts");
  return await m.pkcs11Signer(io, key);
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
): Promise<Signer | EnvelopeSigner> {
  const pluginConfig = flags.pluginConfig ?? {};
  if (flags.plugin !== undefined || flags.id !== undefined) {
    if (flags.plugin === undefined || flags.id === undefined) {
      throw new UsageError(
        `if any flags in the group [id plugin] are set they must all be set; missing [${
          flags.plugin === undefined ? "plugin" : "id"
        }]`,
      );
    }
    if (keyName || flags.pkcs11 !== undefined) {
      throw new UsageError("--plugin and --id cannot be used with --key or --pkcs11");
    }
    return await pluginSigner(io, { plugin: flags.plugin, id: flags.id, pluginConfig });
  }
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
  if (key.kind === "plugin") {
    return await pluginSigner(io, {
      plugin: key.pluginName,
      id: key.id,
      pluginConfig: { ...key.pluginConfig, ...pluginConfig },
    });
  }
  const [privateKey, chain] = await Promise.all([
    io.fs.readFile(key.keyPath, { maxBytes: 1 << 20 }),
    io.fs.readFile(key.certPath, { maxBytes: 4 << 20 }),
  ]);
  return await LocalSigner.create({
    privateKey: new TextDecoder().decode(privateKey),
    certificateChain: new TextDecoder().decode(chain),
  });
}
