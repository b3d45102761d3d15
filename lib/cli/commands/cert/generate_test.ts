/**
 * `ocisign cert generate-test NAME [--bits N] [--default]`: a test RSA key and self-signed
 * certificate, registered as a signing key and trusted in store `ca/NAME`, as
 * `notation cert generate-test` does (and printing what it prints).
 *
 * @module
 */
import { defineCommand } from "npm:citty@0.2.2";
import type { ArgsDef, CommandDef } from "npm:citty@0.2.2";
import { AlreadyExistsError } from "../../../errors.ts";
import { NAMED_STORE_REGEXP } from "../../../trust/trust_store_type.ts";
import { generateTestCertificate } from "../../../x509/generate_test_certificate.ts";
import { parsePositiveInt, UsageError } from "../../_args.ts";
import type { CliIo } from "../../io.ts";
import { CONFIG_FILE_MODE, ensureConfigDir } from "../../config/_config_file.ts";
import { configPaths, joinPath, trustStorePath } from "../../config/config_dir.ts";
import { addSigningKey, readSigningKeys, writeSigningKeys } from "../../config/signing_keys.ts";
import { utf8 } from "../../../_internal/bytes.ts";

const args = {
  name: {
    type: "positional",
    description: "Name of the key, the certificate's CN and the trust store ([a-zA-Z0-9_.-]+)",
    required: true,
  },
  bits: { type: "string", alias: "b", description: "RSA key size: 2048 (default), 3072 or 4096" },
  default: { type: "boolean", alias: "d", description: "Mark the key as the default signing key" },
} as const satisfies ArgsDef;

/** Go's `time.RFC3339` rendering of a UTC time. */
function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

async function mustNotExist(io: CliIo, path: string, what: string): Promise<void> {
  if (await io.fs.stat(path) !== undefined) {
    throw new AlreadyExistsError(
      `${what} ${path} already exists; remove it or choose another name`,
    );
  }
}

/**
 * Builds `cert generate-test`.
 *
 * @example
 * ```ts ignore
 * import { certGenerateTestCommand } from "./generate_test.ts";
 * const cmd = certGenerateTestCommand(io);
 * ```
 * @param io The environment.
 * @returns The command.
 */
export function certGenerateTestCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "generate-test",
      description:
        "Generate a test RSA key and a self-signed certificate, add the key to the signing keys and the certificate to trust store ca/NAME",
    },
    args,
    async run({ args }): Promise<void> {
      const name = args.name;
      if (!NAMED_STORE_REGEXP.test(name)) {
        throw new UsageError("name needs to follow [a-zA-Z0-9_.-]+ format");
      }
      const bits = parsePositiveInt(args.bits, "bits", 2048);
      const paths = configPaths(io);
      const keyPath = joinPath(paths.localKeys, `${name}.key`);
      const certPath = joinPath(paths.localKeys, `${name}.crt`);
      const storeDir = trustStorePath(paths, "ca", name);
      const storedCert = joinPath(storeDir, `${name}.crt`);
      // Check everything first, so a failure leaves the configuration as it was.
      let keys = await readSigningKeys(io);
      keys = addSigningKey(keys, { name, keyPath, certPath }, args.default === true);
      await mustNotExist(io, keyPath, "key file");
      await mustNotExist(io, certPath, "certificate file");
      await mustNotExist(io, storedCert, "trusted certificate");

      io.stdout(`generating RSA Key with ${bits} bits\n`);
      const generated = await generateTestCertificate(name, { bits, now: io.now() });
      io.stdout(`generated certificate expiring on ${rfc3339(generated.certificate.notAfter)}\n`);

      await ensureConfigDir(io.fs, paths.localKeys);
      await io.fs.writeFileAtomic(keyPath, utf8(generated.keyPem), { mode: CONFIG_FILE_MODE });
      io.stdout(`wrote key: ${keyPath}\n`);
      const certBytes = utf8(generated.certificatePem);
      await io.fs.writeFileAtomic(certPath, certBytes, { mode: 0o644 });
      io.stdout(`wrote certificate: ${certPath}\n`);

      await ensureConfigDir(io.fs, storeDir);
      await io.fs.writeFileAtomic(storedCert, certBytes, { mode: CONFIG_FILE_MODE });
      io.stdout(`Successfully added ${name}.crt to named store ${name} of type ca\n`);

      await writeSigningKeys(io, keys);
      io.stdout(`${name}: added to the key list\n`);
      if (args.default === true) io.stdout(`${name}: mark as default signing key\n`);
    },
  });
}
