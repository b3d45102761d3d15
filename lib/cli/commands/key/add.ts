/**
 * `ocisign key add NAME --key KEY --cert CERT [--default]`: registers a local key pair in
 * `signingkeys.json` after checking that the key belongs to the certificate.
 * `ocisign key add NAME --pkcs11 URI [--pkcs11-module PATH] [--cert CERT]` registers a key in a
 * PKCS#11 token (after opening it and checking it against its certificate), stored as a key of
 * ocisign's notation plugin; a PIN is never stored.
 * `ocisign key add NAME --plugin P --id K [--plugin-config k=v]...` registers a key of an
 * installed notation plugin, as notation does (the plugin must be installed; it is not called).
 *
 * @module
 */
import { defineCommand } from "../../command.ts";
import type { ArgsDef, CommandDef } from "../../command.ts";
import { outputArgs, parseKeyValues, UsageError } from "../../_args.ts";
import { pluginRunner } from "../../_plugin.ts";
import { writeResult } from "../../output.ts";
import type { CliIo } from "../../io.ts";
import { MAX_CONFIG_FILE_BYTES } from "../../config/_config_file.ts";
import { checkKeyPair } from "../../config/check_key_pair.ts";
import { absolutePath } from "../../config/config_dir.ts";
import { addSigningKey, readSigningKeys, writeSigningKeys } from "../../config/signing_keys.ts";
import type { KeySuite } from "../../config/signing_keys.ts";
import { parsePkcs11Uri } from "../../../runtime/pkcs11/pkcs11_uri.ts";
import { pkcs11KeySuite, pkcs11ModulePath, pkcs11Signer } from "../../_pkcs11.ts";

const args = {
  name: { type: "positional", description: "Name of the key", required: true },
  key: {
    type: "string",
    alias: "k",
    description: "PEM private key file (PKCS#8, PKCS#1 or SEC 1)",
  },
  cert: {
    type: "string",
    alias: "c",
    description: "PEM certificate chain file: leaf first, root included",
  },
  pkcs11: {
    type: "string",
    description:
      "A key in a PKCS#11 token (RFC 7512 URI: pkcs11:token=T;object=O), instead of --key",
  },
  plugin: { type: "string", description: "A key of this notation plugin (with --id)" },
  id: { type: "string", description: "The key id of the --plugin key" },
  "plugin-config": {
    type: "string",
    description: "k=v configuration for the plugin (repeatable)",
  },
  "pkcs11-module": {
    type: "string",
    description: "PKCS#11 module path (default: the URI's module-path, else OCISIGN_PKCS11_MODULE)",
  },
  default: { type: "boolean", alias: "d", description: "Mark the key as the default signing key" },
  ...outputArgs,
} as const satisfies ArgsDef;

/**
 * Builds `key add`.
 *
 * @example
 * ```ts ignore
 * import { keyAddCommand } from "./add.ts";
 * const cmd = keyAddCommand(io);
 * ```
 * @param io The environment.
 * @returns The command.
 */
export function keyAddCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "add",
      description: "Add a local key and its certificate chain to the signing keys",
      examples: [
        "ocisign key add mykey --key ./mykey.key --cert ./mykey.crt --default",
      ],
    },
    args,
    async run({ args, rawArgs }): Promise<void> {
      if (args.name === "") throw new UsageError("key name cannot be empty");
      const existing = await readSigningKeys(io);
      addSigningKey(existing, { name: args.name }, false); // a taken name fails before any work
      const suite = args.plugin !== undefined || args.id !== undefined
        ? await pluginSuite(io, args, parseKeyValues(rawArgs, ["plugin-config"]))
        : args.pkcs11 !== undefined
        ? await pkcs11Suite(io, args.name, args.pkcs11, args)
        : await localSuite(io, args);
      await writeSigningKeys(io, addSigningKey(existing, suite, args.default === true));
      const text = args.default === true ? `${args.name}: marked as default\n` : `${args.name}\n`;
      writeResult(io, args.output, text, { name: args.name, default: args.default === true });
    },
  });
}

type AddArgs = {
  name: string;
  key?: string | undefined;
  cert?: string | undefined;
  pkcs11?: string | undefined;
  "pkcs11-module"?: string | undefined;
  plugin?: string | undefined;
  id?: string | undefined;
};

/** A local key pair, after checking that the key belongs to the certificate. */
async function localSuite(io: CliIo, args: AddArgs): Promise<KeySuite> {
  if (args["pkcs11-module"]) throw new UsageError("--pkcs11-module goes with --pkcs11 URI");
  if (!args.key) throw new UsageError("missing the private key file: use --key FILE");
  if (!args.cert) throw new UsageError("missing the certificate file: use --cert FILE");
  const keyPath = absolutePath(io.cwd, args.key);
  const certPath = absolutePath(io.cwd, args.cert);
  await checkKeyPair(
    await io.fs.readFile(keyPath, { maxBytes: MAX_CONFIG_FILE_BYTES }),
    await io.fs.readFile(certPath, { maxBytes: MAX_CONFIG_FILE_BYTES }),
  );
  return { name: args.name, keyPath, certPath };
}

/** A plugin key, as notation stores it; the plugin must be installed (it is not called). */
async function pluginSuite(
  io: CliIo,
  args: AddArgs,
  pluginConfig: Record<string, string>,
): Promise<KeySuite> {
  if (!args.plugin || !args.id) {
    throw new UsageError("--plugin and --id go together: key add NAME --plugin P --id K");
  }
  if (args.key || args.pkcs11 !== undefined || args.cert) {
    throw new UsageError("--plugin and --id cannot be used with --key, --cert or --pkcs11");
  }
  await pluginRunner(io, args.plugin);
  return {
    name: args.name,
    id: args.id,
    pluginName: args.plugin,
    ...(Object.keys(pluginConfig).length > 0 ? { pluginConfig } : {}),
  };
}

/**
 * The stored form of a PKCS#11 key, after opening it: the URI without a PIN, the module path
 * and the certificate file in `pluginConfig`.
 */
async function pkcs11Suite(
  io: CliIo,
  name: string,
  text: string,
  args: AddArgs,
): Promise<KeySuite> {
  if (args.key) throw new UsageError("--key and --pkcs11 cannot be used together");
  const uri = parsePkcs11Uri(text);
  const module = pkcs11ModulePath(io, uri, args["pkcs11-module"]);
  const certPath = args.cert ? absolutePath(io.cwd, args.cert) : undefined;
  const suite = pkcs11KeySuite(name, uri, module, certPath);
  await pkcs11Signer(io, { uri: text, module, ...(certPath ? { certPath } : {}) });
  return suite;
}
