/**
 * `ocisign cert add --type T --store S FILE...`: copies certificate files into a named trust
 * store, as `notation cert add` does.
 *
 * @module
 */
import { defineCommand } from "../../command.ts";
import type { ArgsDef, CommandDef } from "../../command.ts";
import { OcisignError } from "../../../errors.ts";
import { outputArgs, UsageError } from "../../_args.ts";
import { writeJson } from "../../output.ts";
import type { CliIo } from "../../io.ts";
import { addTrustStoreCertificate, checkTrustStoreArgs } from "../../config/trust_store_dir.ts";

const args = {
  type: {
    type: "string",
    alias: "t",
    description: "Trust store type: ca, signingAuthority or tsa",
  },
  store: { type: "string", alias: "s", description: "Named store ([a-zA-Z0-9_.-]+)" },
  ...outputArgs,
} as const satisfies ArgsDef;

/**
 * Builds `cert add`.
 *
 * @example
 * ```ts ignore
 * import { certAddCommand } from "./add.ts";
 * const cmd = certAddCommand(io);
 * ```
 * @param io The environment.
 * @returns The command.
 */
export function certAddCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "add",
      description:
        "Add certificate files (PEM or DER) to a named trust store: cert add --type T --store S FILE...",
      examples: [
        "ocisign cert add --type ca --store wabbit-networks.io ./root.crt",
        "ocisign cert add -t tsa -s timestamps ./tsa-root.pem",
      ],
      variadic: { name: "file", min: 1, description: "Certificate files (PEM or DER)" },
    },
    args,
    async run({ args }): Promise<void> {
      const type = checkTrustStoreArgs(args.type, args.store);
      const store = args.store!;
      const files = args._;
      if (files.length === 0) throw new UsageError("missing certificate file paths");
      const added: string[] = [];
      const failed: { file: string; error: unknown }[] = [];
      for (const file of files) {
        try {
          await addTrustStoreCertificate(io, type, store, file);
          added.push(file);
        } catch (error) {
          failed.push({ file, error });
        }
      }
      if (args.output === "json" && failed.length === 0) {
        writeJson(io, { type, store, added });
      } else if (added.length > 0) {
        io.stdout(
          `Successfully added following certificates to named store ${store} of type ${type}:\n${
            added.map((f) => f + "\n").join("")
          }`,
        );
      }
      if (failed.length > 0) {
        const first = failed[0]!.error;
        const lines = failed.map(({ file, error }) =>
          `${file}, with error ${
            JSON.stringify(error instanceof Error ? error.message : String(error))
          }`
        );
        throw new OcisignError(
          first instanceof OcisignError ? first.code : "ERR_INTERNAL",
          `Failed to add following certificates to named store ${store} of type ${type}:\n${
            lines.join("\n")
          }`,
          { cause: first },
        );
      }
    },
  });
}
