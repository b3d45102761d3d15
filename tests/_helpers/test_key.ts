/**
 * What `ocisign cert generate-test NAME --default` leaves in a sandbox's configuration, made
 * without generating an RSA key (0.1 to 0.5 s of CPU each time, 2 s for RSA-3072): for the tests
 * that need a signing key, not the command. `cert generate-test` itself is tested in
 * `tests/cli/cert/`.
 *
 * @module
 */
import { createTestCertificate } from "../../lib/x509/_test_certificate.ts";
import type { CliSandbox } from "./cli.ts";
import { findPeer, runPeer } from "./peers.ts";
import { importRsaKeyPair } from "./pki.ts";
import { genpkey } from "./rsa_key_pool.ts";

/**
 * Puts a pooled RSA-2048 key and a self-signed certificate of generate-test's profile (CN=`name`,
 * digitalSignature, codeSigning, valid for a day) in `localkeys/NAME.key` and `NAME.crt` of
 * `sb`'s configuration, then adds them with `key add NAME` (`--default` unless `isDefault` is
 * false) and to the trust store `ca/NAME` with `cert add`, as `cert generate-test NAME
 * [--default]` would.
 *
 * @example
 * ```ts ignore
 * const sb = await cliSandbox();
 * await addTestKey(sb, "wabbit-networks.io");
 * ```
 */
export async function addTestKey(
  sb: Pick<CliSandbox, "configDir" | "run">,
  name: string,
  isDefault = true,
): Promise<void> {
  const dir = `${sb.configDir}/localkeys`;
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const keyPath = `${dir}/${name}.key`;
  const certPath = `${dir}/${name}.crt`;
  await genpkey(
    async (args) => must(await runPeer(findPeer("openssl")!, args, { cwd: dir }), "openssl"),
    dir,
    keyPath,
    ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
  );
  await Deno.chmod(keyPath, 0o600);
  const keys = await importRsaKeyPair(await Deno.readTextFile(keyPath));
  const certificate = await createTestCertificate(
    name,
    keys.publicKey,
    keys.privateKey,
    new Date(),
  );
  await Deno.writeTextFile(certPath, certificate.toPem(), { mode: 0o644 });
  const add = ["key", "add", name, "--key", keyPath, "--cert", certPath];
  must(await sb.run(...add, ...(isDefault ? ["--default"] : [])), "key add");
  must(await sb.run("cert", "add", "--type", "ca", "--store", name, certPath), "cert add");
}

function must(r: { code: number; stdout: string; stderr: string }, what: string): void {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
}
