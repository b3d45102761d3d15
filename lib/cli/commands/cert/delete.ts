/**
 * `ocisign cert delete --type T --store S (FILE | --all) --yes`: removes a certificate file or a
 * whole named store, as `notation cert delete` does (ocisign does not prompt: `--yes` confirms).
 *
 * @module
 */
import { defineCommand } from "../../command.ts";
import type { ArgsDef, CommandDef } from "../../command.ts";
import { outputArgs, UsageError } from "../../_args.ts";
import { writeResult } from "../../output.ts";
import type { CliIo } from "../../io.ts";
import { checkTrustStoreArgs, deleteTrustStoreCertificate } from "../../config/trust_store_dir.ts";

const args = {
  type: {
    type: "string",
    alias: "t",
    description: "Trust store type: ca, signingAuthority or tsa",
  },
  store: { type: "string", alias: "s", description: "Named store" },
  all: { type: "boolean", alias: "a", description: "Delete the whole named store" },
  yes: { type: "boolean", alias: "y", description: "Confirm the deletion (required)" },
  ...outputArgs,
} as const satisfies ArgsDef;

/**
 * Builds `cert delete`.
 *
 * @example
 * ```ts ignore
 * import { certDeleteCommand } from "./delete.ts";
 * const cmd = certDeleteCommand(io);
 * ```
 * @param io The environment.
 * @returns The command.
 */
export function certDeleteCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "delete",
      description:
        "Delete a certificate file, or with --all a whole named store, from the trust store",
      examples: [
        "ocisign cert delete --type ca --store wabbit-networks.io --yes wabbit-networks.io.crt",
        "ocisign cert delete --type ca --store wabbit-networks.io --all --yes",
      ],
      variadic: {
        name: "file",
        min: 0,
        description: "Certificate file names in the store (none with --all)",
      },
    },
    args,
    async run({ args }): Promise<void> {
      const type = checkTrustStoreArgs(args.type, args.store);
      const files = args._;
      if (args.all === true && files.length > 0) {
        throw new UsageError("cannot delete a single certificate file when --all flag is set");
      }
      if (args.all !== true && files.length !== 1) {
        throw new UsageError(
          "delete requires either the certificate file name that needs to be deleted or --all flag to delete all certificates in the given named trust store",
        );
      }
      if (args.yes !== true) {
        throw new UsageError("deleting from the trust store needs confirmation: add --yes");
      }
      const entry = args.all === true
        ? { type, store: args.store! }
        : { type, store: args.store!, file: files[0]! };
      const path = await deleteTrustStoreCertificate(io, entry);
      writeResult(io, args.output, `Successfully deleted ${path}\n`, { deleted: path });
    },
  });
}
