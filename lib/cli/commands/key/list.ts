/**
 * `ocisign key list [--output json]`: the signing keys, as `notation key list` prints them (the
 * default key marked `* `). A PKCS#11 key shows its URI (token and object) with its module as
 * `module-path`, and its certificate file; never a PIN.
 *
 * @module
 */
import { defineCommand } from "../../command.ts";
import type { ArgsDef, CommandDef } from "../../command.ts";
import { outputArgs } from "../../_args.ts";
import type { CliIo } from "../../io.ts";
import { writeJson } from "../../output.ts";
import { renderGoTable } from "../../config/_go_table.ts";
import { readSigningKeys } from "../../config/signing_keys.ts";
import type { KeySuite } from "../../config/signing_keys.ts";
import { PKCS11_CONFIG, PKCS11_PLUGIN_NAME } from "../../config/resolve_signing_key.ts";
import { formatPkcs11Uri, parsePkcs11Uri } from "../../../runtime/pkcs11/pkcs11_uri.ts";

const args = { ...outputArgs } as const satisfies ArgsDef;

/**
 * Builds `key list`.
 *
 * @example
 * ```ts ignore
 * import { keyListCommand } from "./list.ts";
 * const cmd = keyListCommand(io);
 * ```
 * @param io The environment.
 * @returns The command.
 */
export function keyListCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "list",
      alias: "ls",
      description: "List the signing keys",
      examples: [
        "ocisign key list",
      ],
    },
    args,
    async run({ args }): Promise<void> {
      const keys = await readSigningKeys(io);
      if (args.output === "json") {
        writeJson(io, {
          default: keys.default ?? null,
          // pluginConfig may hold secrets: it is not shown, as notation does not show it.
          keys: keys.keys.map((suite) => {
            const { pluginConfig: _, ...k } = suite;
            return { ...k, ...pkcs11Fields(suite), default: k.name === keys.default };
          }),
        });
        return;
      }
      io.stdout(renderGoTable([
        ["NAME", "KEY PATH", "CERTIFICATE PATH", "ID", "PLUGIN NAME"],
        ...keys.keys.map((k) => [
          k.name === keys.default ? `* ${k.name}` : k.name,
          k.keyPath ?? "",
          k.certPath ?? pkcs11Fields(k).certificate ?? "",
          pkcs11Fields(k).uri ?? k.id ?? "",
          k.pluginName ?? "",
        ]),
      ]));
    },
  });
}

/**
 * What a PKCS#11 key shows: its URI with the module as `module-path` (without any PIN) and its
 * certificate file; nothing for other keys.
 */
function pkcs11Fields(k: KeySuite): { uri?: string; module?: string; certificate?: string } {
  if (k.pluginName !== PKCS11_PLUGIN_NAME || k.id === undefined) return {};
  const module = k.pluginConfig?.[PKCS11_CONFIG.module];
  const certificate = k.pluginConfig?.[PKCS11_CONFIG.certificate];
  let uri = k.id;
  try {
    const parsed = parsePkcs11Uri(k.id);
    uri = formatPkcs11Uri(module ? { ...parsed, modulePath: module } : parsed);
  } catch {
    // Shown as stored; signing with it reports the problem.
  }
  return {
    uri,
    ...(module ? { module } : {}),
    ...(certificate ? { certificate } : {}),
  };
}
