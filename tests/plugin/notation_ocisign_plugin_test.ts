/**
 * ocisign as notation's PKCS#11 plugin: `ocisign plugin install-self` puts `notation-ocisign`
 * in the plugin directory; the real notation CLI (1.3.2 and 2.0.0-alpha.1) signs a layout (and,
 * with docker-registry, an image in a registry) with a SoftHSM key through it (a key stored by `cert generate-test --pkcs11`, and a one-off
 * `--plugin ocisign --id pkcs11:...`); ocisign and notation verify. And ocisign as the host
 * drives ocisign as the plugin. Needs softhsm2, opensc and the notation CLI.
 *
 * The token is used only by subprocesses here (the in-process PKCS#11 tests are in
 * tests/pkcs11/pkcs11_sign_test.ts).
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { runCli } from "../_helpers/cli.ts";
import { describeRun } from "../_helpers/e2e.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";
import { distributionAvailable, startDistribution } from "../_helpers/distribution.ts";
import { NO_SOFTHSM, SOFTHSM_MODULE, TOKEN, withSoftHsm } from "../pkcs11/_softhsm.ts";

const NOTATION = findPeer("notation");
const NOTATION_2 = findPeer("notation-2.0.0-alpha.1");
const CLI = new URL("../../cli.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

Deno.test({
  name: "notation signs through notation-ocisign with a SoftHSM key; ocisign and notation verify",
  ignore: NO_SOFTHSM !== false || NOTATION === undefined || NOTATION_2 === undefined,
  fn: () =>
    withSoftHsm(async (hsm) => {
      await hsm.keypair("release", "01", "EC:prime256v1");
      const cwd = `${hsm.dir}/work`;
      const xdg = `${hsm.dir}/xdg`;
      const configDir = `${xdg}/notation`;
      await Deno.mkdir(cwd, { recursive: true });
      await Deno.writeTextFile(`${cwd}/Dockerfile`, "FROM scratch\nCOPY a.txt /a.txt\n");
      await Deno.writeTextFile(`${cwd}/a.txt`, "signed by notation through ocisign\n");
      const pinFile = `${hsm.dir}/pin`;
      await Deno.writeTextFile(pinFile, TOKEN.pin);
      const inProcess = (...argv: string[]) =>
        runCli(argv, { cwd, home: cwd, env: { OCISIGN_CONFIG_DIR: configDir } });
      // ocisign in a subprocess, with the token's environment.
      const ocisign = (env: Record<string, string>, ...argv: string[]) =>
        runPeer(Deno.execPath(), [
          "run",
          "-A",
          "--node-modules-dir=manual",
          "--config",
          CONFIG,
          CLI,
          ...argv,
        ], {
          cwd,
          env: { ...hsm.env, OCISIGN_CONFIG_DIR: configDir, ...env },
        });
      const notationEnv = {
        ...hsm.env,
        XDG_CONFIG_HOME: xdg,
        HOME: cwd,
        NOTATION_EXPERIMENTAL: "1",
        OCISIGN_PKCS11_PIN: TOKEN.pin,
      };

      assertEquals((await inProcess("build", "-t", "hello:v1", "-o", "./hello", ".")).code, 0);
      const uri = `pkcs11:token=${TOKEN.label};object=release`;
      const generated = await ocisign(
        { OCISIGN_PKCS11_PIN: TOKEN.pin },
        "cert",
        "generate-test",
        "release",
        "--pkcs11",
        uri,
        "--pkcs11-module",
        SOFTHSM_MODULE!,
      );
      assertEquals(generated.code, 0, describeRun(generated));
      const installed = await inProcess("plugin", "install-self");
      assertEquals(installed.code, 0, describeRun(installed));
      await Deno.writeTextFile(
        `${configDir}/trustpolicy.json`,
        JSON.stringify({
          version: "1.0",
          trustPolicies: [{
            name: "station",
            registryScopes: ["local/hello"],
            signatureVerification: { level: "strict" },
            trustStores: ["ca:release"],
            trustedIdentities: ["*"],
          }],
        }),
      );

      const listed = await runPeer(NOTATION!, ["plugin", "list"], { cwd, env: notationEnv });
      assert.match(listed.stdout, /^ocisign +.*\[SIGNATURE_GENERATOR\.RAW\] +<nil>/m);

      // notation 1.3.2 with the key ocisign stored (pluginName ocisign, id = the URI).
      const byKey = await runPeer(NOTATION!, [
        "sign",
        "--oci-layout",
        "./hello:v1",
        "--key",
        "release",
      ], { cwd, env: notationEnv });
      assertEquals(byKey.code, 0, describeRun(byKey));

      // notation 2.0.0-alpha.1, one-off, COSE, the PIN from a pin-source in pluginConfig.
      const oneOff = await runPeer(NOTATION_2!, [
        "sign",
        "--oci-layout",
        "./hello:v1",
        "--signature-format",
        "cose",
        "--plugin",
        "ocisign",
        "--id",
        uri,
        "--plugin-config",
        `module=${SOFTHSM_MODULE}`,
        "--plugin-config",
        `certificate=${configDir}/localkeys/release.crt`,
        "--plugin-config",
        `pin-source=file:${pinFile}`,
      ], { cwd, env: { ...notationEnv, OCISIGN_PKCS11_PIN: "" } });
      assertEquals(oneOff.code, 0, describeRun(oneOff));

      // ocisign as the host, driving ocisign as the plugin; the key id a stored key's name.
      const hosted = await ocisign(
        {},
        "sign",
        "--oci-layout",
        "./hello:v1",
        "--plugin",
        "ocisign",
        "--id",
        "release",
        "--plugin-config",
        `pin-source=file:${pinFile}`,
      );
      assertEquals(hosted.code, 0, describeRun(hosted));

      const sigs = await inProcess("list", "--oci-layout", "./hello:v1", "-o", "json");
      assertEquals(sigs.code, 0, describeRun(sigs));
      assertEquals(JSON.parse(sigs.stdout).signatures.length, 3);
      const verified = await inProcess(
        "verify",
        "--oci-layout",
        "./hello:v1",
        "--scope",
        "local/hello",
        "-o",
        "json",
      );
      assertEquals(verified.code, 0, describeRun(verified));
      for (const notation of [NOTATION!, NOTATION_2!]) {
        const r = await runPeer(notation, [
          "verify",
          "--oci-layout",
          "./hello:v1",
          "--scope",
          "local/hello",
        ], { cwd, env: notationEnv });
        assertEquals(r.code, 0, describeRun(r));
      }

      // And in a registry: notation signs the pushed image through the plugin; both verify.
      if (distributionAvailable()) {
        const registry = await startDistribution();
        try {
          const repo = `localhost:${registry.host.split(":")[1]}/hello`;
          await Deno.writeTextFile(
            `${configDir}/trustpolicy.json`,
            JSON.stringify({
              version: "1.0",
              trustPolicies: [{
                name: "registry",
                registryScopes: [repo],
                signatureVerification: { level: "strict" },
                trustStores: ["ca:release"],
                trustedIdentities: ["*"],
              }],
            }),
          );
          const pushed = await inProcess("cp", "./hello:v1", "--from-oci-layout", `${repo}:v1`);
          assertEquals(pushed.code, 0, describeRun(pushed));
          const signed = await runPeer(NOTATION!, ["sign", `${repo}:v1`, "--key", "release"], {
            cwd,
            env: notationEnv,
          });
          assertEquals(signed.code, 0, describeRun(signed));
          const inRegistry = await inProcess("verify", `${repo}:v1`);
          assertEquals(inRegistry.code, 0, describeRun(inRegistry));
          const byNotation = await runPeer(NOTATION_2!, ["verify", `${repo}:v1`], {
            cwd,
            env: notationEnv,
          });
          assertEquals(byNotation.code, 0, describeRun(byNotation));
        } finally {
          await registry.stop();
        }
      }

      // A wrong PIN reaches notation as the plugin's ACCESS_DENIED error.
      const wrong = await runPeer(NOTATION!, [
        "sign",
        "--oci-layout",
        "./hello:v1",
        "--key",
        "release",
      ], { cwd, env: { ...notationEnv, OCISIGN_PKCS11_PIN: "0000" } });
      assert.ok(wrong.code !== 0, describeRun(wrong));
      assert.match(wrong.stderr, /CKR_PIN_INCORRECT/);
    }, { inProcess: false }),
});
