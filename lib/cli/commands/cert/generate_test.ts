/**
 * `ocisign cert generate-test NAME [--bits N] [--default]`: a test RSA key and self-signed
 * certificate, registered as a signing key and trusted in store `ca/NAME`, as
 * `notation cert generate-test` does (and printing what it prints).
 * With `--pkcs11 URI` the key is one already generated in a PKCS#11 token: the token signs the
 * certificate, and the key is registered as a PKCS#11 key.
 *
 * @module
 */
import { defineCommand } from "../../command.ts";
import type { ArgsDef, CommandDef } from "../../command.ts";
import { AlreadyExistsError } from "../../../errors.ts";
import { NAMED_STORE_REGEXP } from "../../../trust/trust_store_type.ts";
import { generateTestCertificate } from "../../../x509/generate_test_certificate.ts";
import { outputArgs, parsePositiveInt, UsageError } from "../../_args.ts";
import { writeJson } from "../../output.ts";
import type { CliIo } from "../../io.ts";
import { CONFIG_FILE_MODE, ensureConfigDir } from "../../config/_config_file.ts";
import { configPaths, joinPath, trustStorePath } from "../../config/config_dir.ts";
import { addSigningKey, readSigningKeys, writeSigningKeys } from "../../config/signing_keys.ts";
import { utf8 } from "../../../_internal/bytes.ts";
import { generateTokenTestCertificate, withPkcs11Key } from "../../../runtime/pkcs11/mod.ts";
import { pkcs11KeyOptions, pkcs11KeySuite } from "../../_pkcs11.ts";

const args = {
  name: {
    type: "positional",
    description: "Name of the key, the certificate's CN and the trust store ([a-zA-Z0-9_.-]+)",
    required: true,
  },
  bits: {
    type: "enum",
    options: ["2048", "3072", "4096"],
    alias: "b",
    description: "RSA key size (default 2048)",
  },
  default: { type: "boolean", alias: "d", description: "Mark the key as the default signing key" },
  pkcs11: {
    type: "string",
    description:
      "Certify a key generated in a PKCS#11 token (RFC 7512 URI) instead of a new RSA key",
  },
  "pkcs11-module": {
    type: "string",
    description: "PKCS#11 module path (default: the URI's module-path, else OCISIGN_PKCS11_MODULE)",
  },
  ...outputArgs,
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
      examples: [
        "ocisign cert generate-test wabbit-networks.io --default",
        "ocisign cert generate-test --bits 3072 test.example",
      ],
    },
    args,
    async run({ args }): Promise<void> {
      const name = args.name;
      if (!NAMED_STORE_REGEXP.test(name)) {
        throw new UsageError("name needs to follow [a-zA-Z0-9_.-]+ format");
      }
      // With -o json the steps are notes on stderr (JSON lines); stdout gets the result.
      const steps: CliIo = args.output === "json" ? { ...io, stdout: io.stderr } : io;
      const result = (key: string): void => {
        if (args.output !== "json") return;
        const certificate = certificatePaths(io, name).certPath;
        writeJson(io, {
          name,
          key,
          certificate,
          trustStore: `ca:${name}`,
          default: !!args.default,
        });
      };
      if (args.pkcs11 !== undefined) {
        if (args.bits !== undefined) throw new UsageError("--bits does not go with --pkcs11");
        await generateForToken(steps, name, args.pkcs11, args);
        result(args.pkcs11);
        return;
      }
      if (args["pkcs11-module"]) throw new UsageError("--pkcs11-module goes with --pkcs11 URI");
      const bits = parsePositiveInt(args.bits, "bits", 2048);
      const where = certificatePaths(io, name);
      const keyPath = joinPath(where.localKeys, `${name}.key`);
      // Check everything first, so a failure leaves the configuration as it was.
      const keys = addSigningKey(
        await readSigningKeys(io),
        { name, keyPath, certPath: where.certPath },
        args.default === true,
      );
      await mustNotExist(io, keyPath, "key file");
      await mustNotExist(io, where.certPath, "certificate file");
      await mustNotExist(io, where.storedCert, "trusted certificate");

      steps.stdout(`generating RSA Key with ${bits} bits\n`);
      const generated = await generateTestCertificate(name, { bits, now: io.now() });
      const expiry = rfc3339(generated.certificate.notAfter);
      steps.stdout(`generated certificate expiring on ${expiry}\n`);

      await ensureConfigDir(io.fs, where.localKeys);
      await io.fs.writeFileAtomic(keyPath, utf8(generated.keyPem), { mode: CONFIG_FILE_MODE });
      steps.stdout(`wrote key: ${keyPath}\n`);
      await installCertificate(steps, name, where, utf8(generated.certificatePem), keys);
      if (args.default === true) steps.stdout(`${name}: mark as default signing key\n`);
      result(keyPath);
    },
  });
}

/** `generate-test --pkcs11`: certifies a token key; writes the certificate, store and key. */
async function generateForToken(
  io: CliIo,
  name: string,
  uriText: string,
  args: { default?: boolean | undefined; "pkcs11-module"?: string | undefined },
): Promise<void> {
  const options = pkcs11KeyOptions(io, {
    uri: uriText,
    ...(args["pkcs11-module"] ? { module: args["pkcs11-module"] } : {}),
  });
  const where = certificatePaths(io, name);
  const suite = pkcs11KeySuite(name, options.uri, options.modulePath, where.certPath);
  const keys = addSigningKey(await readSigningKeys(io), suite, args.default === true);
  await mustNotExist(io, where.certPath, "certificate file");
  await mustNotExist(io, where.storedCert, "trusted certificate");

  const { certificate, keySpec } = await withPkcs11Key(
    options,
    (key) => generateTokenTestCertificate(key, name, io.now()),
  );
  io.stdout(`using the ${keySpec.name} key in the PKCS#11 token\n`);
  io.stdout(`generated certificate expiring on ${rfc3339(certificate.notAfter)}\n`);
  await ensureConfigDir(io.fs, where.localKeys);
  await installCertificate(io, name, where, utf8(certificate.toPem()), keys);
  if (args.default === true) io.stdout(`${name}: mark as default signing key\n`);
}

/** Where `generate-test NAME` puts the certificate: `localkeys/` and trust store `ca/NAME`. */
interface CertificatePaths {
  localKeys: string;
  certPath: string;
  storeDir: string;
  storedCert: string;
}

function certificatePaths(io: CliIo, name: string): CertificatePaths {
  const paths = configPaths(io);
  const storeDir = trustStorePath(paths, "ca", name);
  return {
    localKeys: paths.localKeys,
    certPath: joinPath(paths.localKeys, `${name}.crt`),
    storeDir,
    storedCert: joinPath(storeDir, `${name}.crt`),
  };
}

/**
 * Writes the certificate into `localkeys/` (its directory exists) and the trust store, then the
 * key list, saying each step as notation does.
 */
async function installCertificate(
  io: CliIo,
  name: string,
  where: CertificatePaths,
  certBytes: Uint8Array,
  keys: Parameters<typeof writeSigningKeys>[1],
): Promise<void> {
  await io.fs.writeFileAtomic(where.certPath, certBytes, { mode: 0o644 });
  io.stdout(`wrote certificate: ${where.certPath}\n`);
  await ensureConfigDir(io.fs, where.storeDir);
  await io.fs.writeFileAtomic(where.storedCert, certBytes, { mode: CONFIG_FILE_MODE });
  io.stdout(`Successfully added ${name}.crt to named store ${name} of type ca\n`);
  await writeSigningKeys(io, keys);
  io.stdout(`${name}: added to the key list\n`);
}
