/**
 * `ocisign cert list [--type T] [--store S] [--output json]`: the certificate files of the trust
 * stores, as `notation cert list` prints them.
 *
 * @module
 */
import { defineCommand } from "../../command.ts";
import type { ArgsDef, CommandDef } from "../../command.ts";
import { outputArgs } from "../../_args.ts";
import type { CliIo } from "../../io.ts";
import { writeJson } from "../../output.ts";
import { renderGoTable } from "../../config/_go_table.ts";
import { listTrustStoreCertificates } from "../../config/trust_store_dir.ts";

const args = {
  type: {
    type: "string",
    alias: "t",
    description: "Only this store type: ca, signingAuthority or tsa",
  },
  store: { type: "string", alias: "s", description: "Only stores of this name" },
  ...outputArgs,
} as const satisfies ArgsDef;

/**
 * Builds `cert list`.
 *
 * @example
 * ```ts ignore
 * import { certListCommand } from "./list.ts";
 * const cmd = certListCommand(io);
 * ```
 * @param io The environment.
 * @returns The command.
 */
export function certListCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "list",
      alias: "ls",
      description: "List the certificates of the trust stores",
      examples: [
        "ocisign cert list",
        "ocisign cert list --type ca --store wabbit-networks.io",
      ],
    },
    args,
    async run({ args }): Promise<void> {
      const filter: { type?: string; store?: string } = {};
      if (args.type !== undefined) filter.type = args.type;
      if (args.store !== undefined) filter.store = args.store;
      const { entries, skipped } = await listTrustStoreCertificates(io, filter);
      for (const s of skipped) io.stderr(`Warning: skipping ${s.path}: ${s.reason}\n`);
      if (args.output === "json") {
        writeJson(
          io,
          entries.map((e) => ({
            storeType: e.type,
            storeName: e.store,
            certificate: e.file,
            path: e.path,
          })),
        );
        return;
      }
      if (entries.length === 0) return;
      io.stdout(renderGoTable([
        ["STORE TYPE", "STORE NAME", "CERTIFICATE"],
        ...entries.map((e) => [e.type, e.store, e.file]),
      ]));
    },
  });
}
