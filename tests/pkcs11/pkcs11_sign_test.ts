/**
 * Signing with keys in a real SoftHSM token, in-process (Deno FFI): `cert generate-test
 * --pkcs11` certifies a key generated in the token, `key add --pkcs11` registers one whose
 * certificate is on the token, `sign --key` and the one-off `sign --pkcs11` sign JWS and COSE
 * with EC and RSA keys; ocisign and the notation CLI verify. Every bad input fails with its exit
 * code and leaves the layout untouched. Needs softhsm2 and opensc; the notation CLI for the
 * cross-checks.
 *
 * All in-process PKCS#11 tests live in this file: the module is loaded into the test process,
 * which has one `SOFTHSM2_CONF` at a time.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { type CliResult, runCli } from "../_helpers/cli.ts";
import { describeRun, pushedSignature, readSignatureManifest } from "../_helpers/e2e.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";
import { parseCertificate } from "../../lib/x509/certificate.ts";
import { NO_SOFTHSM, type SoftHsm, SOFTHSM_MODULE, TOKEN, withSoftHsm } from "./_softhsm.ts";

const NOTATION = findPeer("notation");

/** A station: config dir (notation's layout), a work dir with a layout `./hello:v1`. */
interface Station {
  hsm: SoftHsm;
  cwd: string;
  configDir: string;
  run(...argv: string[]): Promise<CliResult>;
  runEnv(env: Record<string, string>, ...argv: string[]): Promise<CliResult>;
}

async function station(hsm: SoftHsm): Promise<Station> {
  const cwd = `${hsm.dir}/work`;
  const configDir = `${hsm.dir}/xdg/notation`;
  await Deno.mkdir(cwd, { recursive: true });
  await Deno.writeTextFile(`${cwd}/Dockerfile`, "FROM scratch\nCOPY hello.txt /hello.txt\n");
  await Deno.writeTextFile(`${cwd}/hello.txt`, "hello from the station\n");
  const runEnv = (env: Record<string, string>, ...argv: string[]) =>
    runCli(argv, { cwd, home: cwd, env: { OCISIGN_CONFIG_DIR: configDir, ...env } });
  const built = await runEnv({}, "build", "-t", "hello:v1", "-o", "./hello", ".");
  assertEquals(built.code, 0, describeRun(built));
  return {
    hsm,
    cwd,
    configDir,
    runEnv,
    run: (...argv) => runEnv({ OCISIGN_PKCS11_PIN: TOKEN.pin }, ...argv),
  };
}

/** Trusts store `ca:<store>` for scope local/hello. */
async function trust(s: Station, store: string): Promise<void> {
  await Deno.writeTextFile(
    `${s.configDir}/trustpolicy.json`,
    JSON.stringify({
      version: "1.0",
      trustPolicies: [{
        name: "station",
        registryScopes: ["local/hello"],
        signatureVerification: { level: "strict" },
        trustStores: [`ca:${store}`],
        trustedIdentities: ["*"],
      }],
    }),
  );
}

async function verifyBoth(s: Station, signature: string, format: "jws" | "cose"): Promise<void> {
  const { envelope } = await readSignatureManifest(`${s.cwd}/hello`, signature);
  assertEquals(envelope.mediaType, `application/${format === "jws" ? "jose+json" : "cose"}`);
  const verified = await s.run("verify", "--oci-layout", "./hello:v1", "--scope", "local/hello");
  assertEquals(verified.code, 0, describeRun(verified));
  if (NOTATION === undefined) return;
  const notation = await runPeer(NOTATION, [
    "verify",
    "--oci-layout",
    "./hello:v1",
    "--scope",
    "local/hello",
  ], {
    cwd: s.cwd,
    env: { XDG_CONFIG_HOME: `${s.hsm.dir}/xdg`, NOTATION_EXPERIMENTAL: "1", HOME: s.cwd },
  });
  assertEquals(notation.code, 0, describeRun(notation));
  assert.match(notation.stdout, /^Successfully verified signature for /);
}

const URI = (object: string) => `pkcs11:token=${TOKEN.label};object=${object}`;

async function snapshot(layout: string): Promise<string[]> {
  const out: string[] = [await Deno.readTextFile(`${layout}/index.json`)];
  for await (const e of Deno.readDir(`${layout}/blobs/sha256`)) out.push(e.name);
  return out.sort();
}

Deno.test({
  name: "cert generate-test --pkcs11 certifies an EC P-256 token key; sign --key signs JWS",
  ignore: NO_SOFTHSM !== false,
  fn: () =>
    withSoftHsm(async (hsm) => {
      await hsm.keypair("release", "01", "EC:prime256v1");
      const s = await station(hsm);
      const generated = await s.runEnv(
        { OCISIGN_PKCS11_PIN: TOKEN.pin, OCISIGN_PKCS11_MODULE: SOFTHSM_MODULE! },
        "cert",
        "generate-test",
        "station.example",
        "--pkcs11",
        URI("release"),
        "--default",
      );
      assertEquals(generated.code, 0, describeRun(generated));
      assert.match(generated.stdout, /using the EC-256 key in the PKCS#11 token/);
      const keys = await Deno.readTextFile(`${s.configDir}/signingkeys.json`);
      assert.ok(!keys.includes(TOKEN.pin), "no PIN in signingkeys.json");
      const stored = JSON.parse(keys).keys[0];
      assertEquals(stored.pluginName, "ocisign");
      assertEquals(stored.id, URI("release"));
      assertEquals(stored.pluginConfig.module, SOFTHSM_MODULE);
      const cert = parseCertificate(
        await Deno.readTextFile(`${s.configDir}/localkeys/station.example.crt`),
      );
      assertEquals(cert.keySpec().name, "EC-256");
      assertEquals(await cert.checkSignature(cert), undefined);

      const listed = await s.run("key", "list");
      assert.match(
        listed.stdout,
        new RegExp(
          `^\\* station\\.example .*pkcs11:token=station;object=release\\?module-path=${
            SOFTHSM_MODULE!.replaceAll(".", "\\.")
          } +ocisign`,
          "m",
        ),
      );
      assert.ok(!listed.stdout.includes(TOKEN.pin));

      await trust(s, "station.example");
      // No module in the environment now: it comes from signingkeys.json.
      const signed = await s.run("sign", "--oci-layout", "./hello:v1");
      assertEquals(signed.code, 0, describeRun(signed));
      await verifyBoth(s, pushedSignature(signed), "jws");
    }),
});
