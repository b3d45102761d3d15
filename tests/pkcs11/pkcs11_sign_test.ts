/**
 * Signing with keys in a real SoftHSM token, in-process (Deno FFI): `cert generate-test
 * --pkcs11` certifies a key generated in the token, `key add --pkcs11` registers one whose
 * certificate is on the token, `sign --key` and the one-off `sign --pkcs11` sign JWS and COSE
 * with EC and RSA keys; ocisign and the notation CLI verify. Every bad input fails with its exit
 * code and leaves the layout untouched. Needs softhsm2 and opensc; the notation CLI for the
 * cross-checks.
 *
 * All in-process PKCS#11 tests live in this file: the module is loaded into the test process,
 * which has one `SOFTHSM2_CONF` at a time. The compiled binary's run (bun:ffi, a subprocess) is
 * in `pkcs11_compiled_slow_test.ts`.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import type { CliResult } from "../_helpers/cli.ts";
import { describeRun, pushedSignature, readSignatureManifest } from "../_helpers/e2e.ts";
import { runPeer } from "../_helpers/peers.ts";
import { distributionAvailable, startDistribution } from "../_helpers/distribution.ts";
import { parseCertificate } from "../../lib/x509/certificate.ts";
import { NO_SOFTHSM, SOFTHSM_MODULE, TOKEN, withSoftHsm } from "./_softhsm.ts";
import { buildPinStateShim, CC, CKR_PIN_LOCKED, loginCalls, PIN_FLAGS } from "./_pin_state_shim.ts";
import { NOTATION, type Station, station, trust, URI, verifyBoth } from "./_station.ts";

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

/** Certifies a token key with `cert generate-test --pkcs11` under `name`; returns the PEM path. */
async function certify(s: Station, name: string, object: string): Promise<string> {
  const r = await s.run(
    "cert",
    "generate-test",
    name,
    "--pkcs11",
    URI(object),
    "--pkcs11-module",
    SOFTHSM_MODULE!,
  );
  assertEquals(r.code, 0, describeRun(r));
  return `${s.configDir}/localkeys/${name}.crt`;
}

const ONE_OFF_CASES = [
  { type: "EC:secp384r1", spec: "EC-384", alg: "ES384", format: "cose" },
  { type: "EC:secp521r1", spec: "EC-521", alg: "ES512", format: "jws" },
  { type: "rsa:2048", spec: "RSA-2048", alg: "PS256", format: "jws" },
  { type: "rsa:3072", spec: "RSA-3072", alg: "PS384", format: "cose" },
  { type: "rsa:4096", spec: "RSA-4096", alg: "PS512", format: "jws" },
] as const;

Deno.test({
  name: "sign --pkcs11 URI --cert FILE: EC P-384/P-521 and RSA 2048/3072/4096, JWS and COSE",
  ignore: NO_SOFTHSM !== false,
  fn: () =>
    withSoftHsm(async (hsm) => {
      const s = await station(hsm);
      for (const [i, c] of ONE_OFF_CASES.entries()) {
        const object = c.spec.toLowerCase();
        await hsm.keypair(object, `1${i}`, c.type);
        const cert = await certify(s, object, object);
        await trust(s, object);
        const signed = await s.run(
          "sign",
          "--oci-layout",
          "./hello:v1",
          "--pkcs11",
          `${URI(object)}?module-path=${SOFTHSM_MODULE}`,
          "--cert",
          cert,
          "--signature-format",
          c.format,
          "-o",
          "json",
        );
        assertEquals(signed.code, 0, `${c.spec}: ${describeRun(signed)}`);
        const envelope = JSON.parse(signed.stdout).envelope;
        assertEquals(
          envelope.mediaType,
          `application/${c.format === "jws" ? "jose+json" : "cose"}`,
        );
        if (c.format === "jws") {
          const { envelope: layer } = await readSignatureManifest(
            `${s.cwd}/hello`,
            JSON.parse(signed.stdout).signature.digest,
          );
          const jws = JSON.parse(
            await Deno.readTextFile(`${s.cwd}/hello/blobs/sha256/${layer.digest.slice(7)}`),
          );
          const header = JSON.parse(atob(jws.protected.replace(/-/g, "+").replace(/_/g, "/")));
          assertEquals(header.alg, c.alg);
        }
        await verifyBoth(s, JSON.parse(signed.stdout).signature.digest, c.format);
      }
    }),
});

Deno.test({
  name:
    "key add --pkcs11 takes the chain from the token; the PIN comes from pin-source file: or env:",
  ignore: NO_SOFTHSM !== false,
  fn: () =>
    withSoftHsm(async (hsm) => {
      await hsm.keypair("release", "a1", "EC:prime256v1");
      const s = await station(hsm);
      const pem = await certify(s, "release-test", "release");
      const der = `${hsm.dir}/release.der`;
      await Deno.writeFile(der, parseCertificate(await Deno.readTextFile(pem)).raw);
      await hsm.writeCertificate(der, "release", "a1");
      await Deno.remove(pem); // only the token has it now
      const pinFile = `${hsm.dir}/pin`;
      await Deno.writeTextFile(pinFile, `${TOKEN.pin}\n`);

      const withPin = await s.runEnv(
        {},
        "key",
        "add",
        "hsm",
        "--pkcs11",
        `${URI("release")};id=%a1?pin-value=${TOKEN.pin}`,
        "--pkcs11-module",
        SOFTHSM_MODULE!,
      );
      assertEquals(withPin.code, 2, describeRun(withPin));
      assert.match(withPin.stderr, /a PIN is never stored/);
      assert.ok(!withPin.stderr.includes(TOKEN.pin));

      const uri = `${URI("release")};id=%a1?pin-source=file:${pinFile}`;
      const added = await s.runEnv(
        {},
        "key",
        "add",
        "hsm",
        "--pkcs11",
        uri,
        "--pkcs11-module",
        SOFTHSM_MODULE!,
      );
      assertEquals(added.code, 0, describeRun(added));
      const stored = JSON.parse(await Deno.readTextFile(`${s.configDir}/signingkeys.json`));
      assertEquals(stored.keys[1], {
        name: "hsm",
        id: `pkcs11:token=station;object=release;id=%a1?pin-source=file:${pinFile}`,
        pluginName: "ocisign",
        pluginConfig: { module: SOFTHSM_MODULE },
      });
      const listed = await s.run("key", "list", "-o", "json");
      const hsmKey = JSON.parse(listed.stdout).keys[1];
      assertEquals(hsmKey.module, SOFTHSM_MODULE);
      assertEquals(hsmKey.pluginConfig, undefined);

      await trust(s, "release-test");
      const signed = await s.runEnv({}, "sign", "--key", "hsm", "--oci-layout", "./hello:v1");
      assertEquals(signed.code, 0, describeRun(signed));
      await verifyBoth(s, pushedSignature(signed), "jws");

      // pin-source=env:VAR names the variable holding the PIN; an unset one is an auth error.
      const oneOff = (env: Record<string, string>) =>
        s.runEnv(
          { OCISIGN_PKCS11_MODULE: SOFTHSM_MODULE!, ...env },
          "sign",
          "--oci-layout",
          "./hello:v1",
          "--pkcs11",
          `${URI("release")}?pin-source=env:STATION_PIN`,
        );
      const unset = await oneOff({});
      assertEquals(unset.code, 6, describeRun(unset));
      assert.match(unset.stderr, /env:STATION_PIN names an unset environment variable/);
      const fromEnv = await oneOff({ STATION_PIN: TOKEN.pin });
      assertEquals(fromEnv.code, 0, describeRun(fromEnv));
    }),
});

Deno.test({
  name: "PKCS#11 failures: each a clear error with its exit code, and nothing written",
  ignore: NO_SOFTHSM !== false,
  fn: () =>
    withSoftHsm(async (hsm) => {
      await hsm.keypair("release", "01", "EC:prime256v1");
      await hsm.keypair("other", "02", "EC:prime256v1");
      await hsm.keypair("rsa", "03", "rsa:2048");
      await hsm.keypair("bare", "04", "EC:prime256v1");
      const s = await station(hsm);
      const release = await certify(s, "release", "release");
      const other = await certify(s, "other", "other");
      const rsa = await certify(s, "rsa", "rsa");
      const before = await snapshot(`${s.cwd}/hello`);
      const module = { OCISIGN_PKCS11_MODULE: SOFTHSM_MODULE! };
      const sign = (env: Record<string, string>, uri: string, ...more: string[]) =>
        s.runEnv(env, "sign", "--oci-layout", "./hello:v1", "--pkcs11", uri, ...more);

      const cases: Array<[string, () => Promise<CliResult>, number, RegExp]> = [
        [
          "wrong PIN",
          () => sign({ ...module, OCISIGN_PKCS11_PIN: "9999" }, URI("release"), "--cert", release),
          6,
          /C_Login failed with CKR_PIN_INCORRECT/,
        ],
        [
          "no PIN and no terminal",
          () => sign(module, URI("release"), "--cert", release),
          6,
          /the token needs a PIN: set OCISIGN_PKCS11_PIN/,
        ],
        [
          "missing module",
          () =>
            sign({}, URI("release"), "--pkcs11-module", `${hsm.dir}/nope.so`, "--cert", release),
          4,
          /cannot load the PKCS#11 module .*nope\.so/,
        ],
        [
          "no module given",
          () => sign({ OCISIGN_PKCS11_PIN: TOKEN.pin }, URI("release"), "--cert", release),
          4,
          /no PKCS#11 module given/,
        ],
        [
          "no such token",
          () =>
            sign({ ...module, OCISIGN_PKCS11_PIN: TOKEN.pin }, "pkcs11:token=vault;object=release"),
          5,
          /no PKCS#11 token matches pkcs11:token=vault;object=release \(tokens present: "station"\)/,
        ],
        [
          "object not found",
          () =>
            sign({ ...module, OCISIGN_PKCS11_PIN: TOKEN.pin }, URI("missing"), "--cert", release),
          5,
          /no private key matches pkcs11:token=station;object=missing/,
        ],
        [
          "key without a certificate",
          () => sign({ ...module, OCISIGN_PKCS11_PIN: TOKEN.pin }, URI("bare")),
          5,
          /the token has no certificate for the key "bare"/,
        ],
        [
          "certificate of another key",
          () => sign({ ...module, OCISIGN_PKCS11_PIN: TOKEN.pin }, URI("release"), "--cert", other),
          8,
          /the token's key "release" does not match the certificate "CN=other/,
        ],
        [
          "certificate of another key type",
          () => sign({ ...module, OCISIGN_PKCS11_PIN: TOKEN.pin }, URI("release"), "--cert", rsa),
          8,
          /the token's key "release" \(EC\) does not match the certificate "CN=rsa.*RSA-2048/,
        ],
        [
          "malformed URI",
          () => sign({ ...module, OCISIGN_PKCS11_PIN: TOKEN.pin }, "pkcs11:token=station;objet=x"),
          8,
          /invalid PKCS#11 URI: unknown attribute "objet"/,
        ],
        [
          "--key with --pkcs11",
          () =>
            sign({ ...module, OCISIGN_PKCS11_PIN: TOKEN.pin }, URI("release"), "--key", "release"),
          2,
          /--key and --pkcs11 cannot be used together/,
        ],
      ];
      for (const [what, run, code, message] of cases) {
        const r = await run();
        assertEquals(r.code, code, `${what}: ${describeRun(r)}`);
        assert.match(r.stderr, message, what);
        assert.ok(!r.stderr.includes("9999") && !r.stderr.includes(TOKEN.pin), `${what}: no PIN`);
        assertEquals(await snapshot(`${s.cwd}/hello`), before, `${what}: layout untouched`);
      }

      // One wrong PIN costs one try: the token is not locked, and the right PIN signs.
      const signed = await sign(
        { ...module, OCISIGN_PKCS11_PIN: TOKEN.pin },
        URI("release"),
        "--cert",
        release,
      );
      assertEquals(signed.code, 0, describeRun(signed));
    }),
});

/** Sets the shim's `PIN_SHIM_*` settings in this process (the shim is loaded in-process). */
function setShim(settings: { flags?: string; loginRv?: string }): void {
  Deno.env.set("PIN_SHIM_TOKEN_FLAGS", settings.flags ?? "0");
  Deno.env.set("PIN_SHIM_LOGIN_RV", settings.loginRv ?? "0");
}

Deno.test({
  name:
    "a locked token and a final PIN try (SoftHSM behind a shim): exit 6, no PIN spent, nothing written",
  ignore: NO_SOFTHSM !== false || CC === undefined,
  fn: () =>
    withSoftHsm(async (hsm) => {
      const shim = await buildPinStateShim(hsm.dir);
      await hsm.keypair("release", "01", "EC:prime256v1");
      const s = await station(hsm);
      const release = await certify(s, "release", "release");
      const before = await snapshot(`${s.cwd}/hello`);
      const keysFile = `${s.configDir}/signingkeys.json`;
      Deno.env.set("PIN_SHIM_MODULE", SOFTHSM_MODULE!);
      Deno.env.set("PIN_SHIM_LOG", shim.log);
      try {
        // Through the shim with nothing changed, the token signs: the shim passes calls on.
        setShim({});
        const added = await s.run(
          "key",
          "add",
          "held",
          "--pkcs11",
          URI("release"),
          "--pkcs11-module",
          shim.path,
          "--cert",
          release,
        );
        assertEquals(added.code, 0, describeRun(added));
        const keys = await Deno.readTextFile(keysFile);
        const pinFile = `${hsm.dir}/pin`;
        await Deno.writeTextFile(pinFile, "9999\n");
        const oneOff = (env: Record<string, string>, uri = URI("release")) =>
          s.runEnv(
            env,
            "sign",
            "--oci-layout",
            "./hello:v1",
            "--pkcs11",
            uri,
            "--pkcs11-module",
            shim.path,
            "--cert",
            release,
          );
        const rightPin = { OCISIGN_PKCS11_PIN: TOKEN.pin };
        const unlock = new RegExp(
          `unlock it with the security officer PIN \\(pkcs11-tool --module \\S*pin_state_shim\\.so --login --login-type so --init-pin sets a new user PIN\\), then try again`,
        );
        const locked =
          /the user PIN of PKCS#11 token "station" is locked \(too many wrong PINs\), so no login was tried/;
        const finalTry = (what: string) =>
          new RegExp(
            `PKCS#11 token "station" allows one more PIN try and a wrong PIN locks it, so the PIN from ${what} was not tried; check it`,
          );
        const cases: Array<
          [string, { flags?: string; loginRv?: string }, () => Promise<CliResult>, RegExp[], number]
        > = [
          ["locked: sign --pkcs11", { flags: PIN_FLAGS.LOCKED }, () => oneOff(rightPin), [
            locked,
            unlock,
          ], 0],
          [
            "locked: sign --key",
            { flags: PIN_FLAGS.LOCKED },
            () => s.run("sign", "--key", "held", "--oci-layout", "./hello:v1"),
            [locked, unlock],
            0,
          ],
          [
            "locked: key add",
            { flags: PIN_FLAGS.LOCKED },
            () =>
              s.run(
                "key",
                "add",
                "again",
                "--pkcs11",
                URI("release"),
                "--pkcs11-module",
                shim.path,
                "--cert",
                release,
              ),
            [locked],
            0,
          ],
          [
            "locked at login (CKR_PIN_LOCKED)",
            { loginRv: CKR_PIN_LOCKED },
            () => oneOff(rightPin),
            [/C_Login failed with CKR_PIN_LOCKED: the token's user PIN is locked: unlock it/],
            1,
          ],
          [
            "final try: OCISIGN_PKCS11_PIN",
            { flags: PIN_FLAGS.FINAL_TRY },
            () => oneOff({ OCISIGN_PKCS11_PIN: "9999" }),
            [finalTry("OCISIGN_PKCS11_PIN")],
            0,
          ],
          [
            "final try: the right PIN is not spent either",
            { flags: PIN_FLAGS.FINAL_TRY },
            () => oneOff(rightPin),
            [finalTry("OCISIGN_PKCS11_PIN")],
            0,
          ],
          [
            "final try: pin-source",
            { flags: PIN_FLAGS.FINAL_TRY },
            () => oneOff({}, `${URI("release")}?pin-source=file:${pinFile}`),
            [finalTry(`pin-source file:${pinFile}`)],
            0,
          ],
          [
            "final try: sign --key",
            { flags: PIN_FLAGS.FINAL_TRY },
            () =>
              s.runEnv(
                { OCISIGN_PKCS11_PIN: "9999" },
                "sign",
                "--key",
                "held",
                "--oci-layout",
                "./hello:v1",
              ),
            [finalTry("OCISIGN_PKCS11_PIN")],
            0,
          ],
        ];
        for (const [what, settings, run, messages, logins] of cases) {
          setShim(settings);
          await Deno.remove(shim.log).catch(() => {});
          const r = await run();
          assertEquals(r.code, 6, `${what}: ${describeRun(r)}`);
          for (const message of messages) assert.match(r.stderr, message, what);
          assertEquals(await loginCalls(shim.log), logins, `${what}: C_Login calls`);
          assert.ok(!r.stderr.includes("9999") && !r.stderr.includes(TOKEN.pin), `${what}: no PIN`);
          assertEquals(await snapshot(`${s.cwd}/hello`), before, `${what}: layout untouched`);
          assertEquals(
            await Deno.readTextFile(keysFile),
            keys,
            `${what}: signingkeys.json untouched`,
          );
        }

        // Unlocked again, the same key signs through the shim, with one login per token use.
        setShim({});
        const signed = await s.run("sign", "--key", "held", "--oci-layout", "./hello:v1");
        assertEquals(signed.code, 0, describeRun(signed));
        // One login to open the signer (and check the key), one to sign.
        assertEquals(await loginCalls(shim.log), 2);
      } finally {
        for (const name of ["MODULE", "LOG", "TOKEN_FLAGS", "LOGIN_RV"]) {
          Deno.env.delete(`PIN_SHIM_${name}`);
        }
      }
    }),
});

Deno.test({
  name: "a mechanism the token lacks (SoftHSM offering only CKM_RSA_PKCS) is a clear error",
  ignore: NO_SOFTHSM !== false,
  fn: () =>
    withSoftHsm(async (hsm) => {
      await hsm.keypair("rsa", "01", "rsa:2048");
      const s = await station(hsm);
      const cert = await certify(s, "rsa", "rsa");
      const before = await snapshot(`${s.cwd}/hello`);
      const r = await s.run(
        "sign",
        "--oci-layout",
        "./hello:v1",
        "--pkcs11",
        URI("rsa"),
        "--pkcs11-module",
        SOFTHSM_MODULE!,
        "--cert",
        cert,
      );
      assertEquals(r.code, 2, describeRun(r));
      assert.match(
        r.stderr,
        /C_SignInit failed with CKR_MECHANISM_INVALID: the token does not offer this signing mechanism/,
      );
      assertEquals(await snapshot(`${s.cwd}/hello`), before);
    }, { conf: "slots.mechanisms = CKM_RSA_PKCS_KEY_PAIR_GEN,CKM_RSA_PKCS\n" }),
});

Deno.test({
  name: "a token key signs in a docker-registry and in a layout tar carried across; both verify",
  ignore: NO_SOFTHSM !== false || !distributionAvailable(),
  fn: () =>
    withSoftHsm(async (hsm) => {
      await hsm.keypair("release", "01", "EC:prime256v1");
      const s = await station(hsm);
      await certify(s, "registry", "release");
      const registry = await startDistribution();
      try {
        const repo = `localhost:${registry.host.split(":")[1]}/hello`;
        await Deno.writeTextFile(
          `${s.configDir}/trustpolicy.json`,
          JSON.stringify({
            version: "1.0",
            trustPolicies: [{
              name: "registry",
              registryScopes: [repo, "local/app"],
              signatureVerification: { level: "strict" },
              trustStores: ["ca:registry"],
              trustedIdentities: ["*"],
            }],
          }),
        );
        const copied = await s.run("cp", "./hello:v1", "--from-oci-layout", `${repo}:v1`);
        assertEquals(copied.code, 0, describeRun(copied));
        const signed = await s.run("sign", "--key", "registry", `${repo}:v1`);
        assertEquals(signed.code, 0, describeRun(signed));
        const verified = await s.run("verify", `${repo}:v1`);
        assertEquals(verified.code, 0, describeRun(verified));

        // The air gap: bring the image in as a tar, sign it offline, carry it back.
        const brought = await s.run("cp", `${repo}:v1`, "--to-oci-layout", "./app.tar", "-r");
        assertEquals(brought.code, 0, describeRun(brought));
        const signedTar = await s.run("sign", "--key", "registry", "--oci-layout", "./app.tar:v1");
        assertEquals(signedTar.code, 0, describeRun(signedTar));
        const tarVerified = await s.run(
          "verify",
          "--oci-layout",
          "./app.tar:v1",
          "--scope",
          "local/app",
        );
        assertEquals(tarVerified.code, 0, describeRun(tarVerified));
        const carried = await s.run("cp", "./app.tar:v1", "--from-oci-layout", "-r", `${repo}:v1`);
        assertEquals(carried.code, 0, describeRun(carried));
        const listed = await s.run("list", `${repo}:v1`, "-o", "json");
        assertEquals(JSON.parse(listed.stdout).signatures.length, 2);
        if (NOTATION !== undefined) {
          const notation = await runPeer(NOTATION, ["verify", `${repo}:v1`], {
            cwd: s.cwd,
            env: { XDG_CONFIG_HOME: `${hsm.dir}/xdg`, HOME: s.cwd },
          });
          assertEquals(notation.code, 0, describeRun(notation));
          assert.match(notation.stdout, /^Successfully verified signature for /);
        }
      } finally {
        await registry.stop();
      }
    }),
});
