/**
 * `ocisign cert show --type T --store S FILE [--output json]`: the details of the certificates
 * in one trust store file, as `notation cert show` prints them.
 *
 * @module
 */
import { defineCommand } from "../../command.ts";
import type { ArgsDef, CommandDef } from "../../command.ts";
import type { Certificate } from "../../../x509/certificate.ts";
import { outputArgs } from "../../_args.ts";
import type { CliIo } from "../../io.ts";
import { writeJson } from "../../output.ts";
import { checkTrustStoreArgs, readTrustStoreCertificate } from "../../config/trust_store_dir.ts";

const args = {
  type: {
    type: "string",
    alias: "t",
    description: "Trust store type: ca, signingAuthority or tsa",
  },
  store: { type: "string", alias: "s", description: "Named store" },
  file: { type: "positional", description: "Certificate file name in the store", required: true },
  ...outputArgs,
} as const satisfies ArgsDef;

const RULE = "-".repeat(80);

/** Go's `time.Time.String()` for a UTC time: `2025-05-01 10:00:00 +0000 UTC`. */
function goTime(date: Date): string {
  return date.toISOString().replace("T", " ").replace(/\.\d{3}Z$/, " +0000 UTC");
}

async function describe(cert: Certificate): Promise<string> {
  return [
    `Issuer: ${cert.issuer}`,
    `Subject: ${cert.subject}`,
    `Valid from: ${goTime(cert.notBefore)}`,
    `Valid to: ${goTime(cert.notAfter)}`,
    `IsCA: ${cert.isCa}`,
    `SHA256 Thumbprint: ${await cert.sha256Fingerprint()}`,
  ].join("\n") + "\n";
}

/**
 * Builds `cert show`.
 *
 * @example
 * ```ts ignore
 * import { certShowCommand } from "./show.ts";
 * const cmd = certShowCommand(io);
 * ```
 * @param io The environment.
 * @returns The command.
 */
export function certShowCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "show",
      description: "Show the certificates of a trust store file: cert show --type T --store S FILE",
      examples: [
        "ocisign cert show --type ca --store wabbit-networks.io wabbit-networks.io.crt",
      ],
    },
    args,
    async run({ args }): Promise<void> {
      const type = checkTrustStoreArgs(args.type, args.store);
      const { certificates } = await readTrustStoreCertificate(io, {
        type,
        store: args.store!,
        file: args.file,
      });
      if (args.output === "json") {
        writeJson(
          io,
          await Promise.all(certificates.map(async (c) => ({
            issuer: c.issuer,
            subject: c.subject,
            notBefore: c.notBefore.toISOString(),
            notAfter: c.notAfter.toISOString(),
            isCa: c.isCa,
            sha256Fingerprint: await c.sha256Fingerprint(),
          }))),
        );
        return;
      }
      const blocks = await Promise.all(certificates.map(describe));
      io.stdout(`Certificate details\n${RULE}\n${blocks.join(RULE + "\n")}`);
    },
  });
}
