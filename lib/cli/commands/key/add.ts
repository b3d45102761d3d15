/**
 * `ocisign key add NAME --key KEY --cert CERT [--default]`: registers a local key pair in
 * `signingkeys.json` after checking that the key belongs to the certificate.
 *
 * @module
 */
import { defineCommand } from "npm:citty@0.2.2";
import type { ArgsDef, CommandDef } from "npm:citty@0.2.2";
import { UsageError } from "../../_args.ts";
import type { CliIo } from "../../io.ts";
import { MAX_CONFIG_FILE_BYTES } from "../../config/_config_file.ts";
import { checkKeyPair } from "../../config/check_key_pair.ts";
import { absolutePath } from "../../config/config_dir.ts";
import { addSigningKey, readSigningKeys, writeSigningKeys } from "../../config/signing_keys.ts";

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
  default: { type: "boolean", alias: "d", description: "Mark the key as the default signing key" },
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
    },
    args,
    async run({ args }): Promise<void> {
      if (args.name === "") throw new UsageError("key name cannot be empty");
      if (!args.key) throw new UsageError("missing the private key file: use --key FILE");
      if (!args.cert) throw new UsageError("missing the certificate file: use --cert FILE");
      const keyPath = absolutePath(io.cwd, args.key);
      const certPath = absolutePath(io.cwd, args.cert);
      const keys = addSigningKey(
        await readSigningKeys(io),
        { name: args.name, keyPath, certPath },
        args.default === true,
      );
      await checkKeyPair(
        await io.fs.readFile(keyPath, { maxBytes: MAX_CONFIG_FILE_BYTES }),
        await io.fs.readFile(certPath, { maxBytes: MAX_CONFIG_FILE_BYTES }),
      );
      await writeSigningKeys(io, keys);
      io.stdout(args.default === true ? `${args.name}: marked as default\n` : `${args.name}\n`);
    },
  });
}
