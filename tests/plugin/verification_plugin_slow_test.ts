/**
 * Signatures that name a verification plugin (`io.cncf.notary.verificationPlugin`): ocisign
 * runs the installed plugin's verify-signature as notation-go does, with the same request the
 * notation CLI sends (compared field for field), and both tools follow the plugin's answer. It
 * fails closed: an unprocessed critical attribute, a missing result, junk, a plugin error, a
 * hang, a plugin too old, without verifier capability or not installed each fail the signature; a
 * failed trusted identity is only a warning at the audit level, as in notation.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { describeRun, withTempDir } from "../_helpers/e2e.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";
import { type Host, host } from "./_host.ts";

const NOTATION = findPeer("notation");
const FAKE_ENVELOPE = new URL("./_fake_envelope_plugin.ts", import.meta.url).pathname;

/** A host with the plugin "signer" installed and hello:v1 signed naming it (min 1.0.0). */
async function signedNamingPlugin(dir: string): Promise<Host> {
  const h = await host(dir);
  const script = await h.script("signer", FAKE_ENVELOPE);
  assertEquals((await h.run("plugin", "install", "--file", script)).code, 0);
  const signed = await h.run(
    "sign",
    "--oci-layout",
    "./hello:v1",
    "--plugin",
    "signer",
    "--id",
    "key-1",
    ...h.config("vault", "minVersion=1.0.0"),
  );
  assertEquals(signed.code, 0, describeRun(signed));
  return h;
}

function verify(h: Host, ...config: string[]) {
  return h.run(
    "verify",
    "--oci-layout",
    "./hello:v1",
    "--scope",
    "local/hello",
    ...config.flatMap((kv) => ["--plugin-config", kv]),
  );
}

function notationVerify(h: Host, ...config: string[]) {
  return runPeer(NOTATION!, [
    "verify",
    "--oci-layout",
    "./hello:v1",
    "--scope",
    "local/hello",
    ...config.flatMap((kv) => ["--plugin-config", kv]),
  ], {
    cwd: h.cwd,
    env: { XDG_CONFIG_HOME: `${h.dir}/xdg`, NOTATION_EXPERIMENTAL: "1", HOME: h.cwd },
  });
}

Deno.test("the named verification plugin decides, with notation's request; ocisign and notation agree", (t) =>
  withTempDir("ocisign-verification-plugin-", async (dir) => {
    const h = await signedNamingPlugin(dir);
    const ours = await verify(h, `record=${dir}/ocisign.json`);
    assertEquals(ours.code, 0, describeRun(ours));
    const request = JSON.parse(await Deno.readTextFile(`${dir}/ocisign.json`));
    assertEquals(request.contractVersion, "1.0");
    assertEquals(request.trustPolicy, {
      trustedIdentities: ["*"],
      signatureVerification: [
        "SIGNATURE_VERIFIER.TRUSTED_IDENTITY",
        "SIGNATURE_VERIFIER.REVOCATION_CHECK",
      ],
    });
    assertEquals(request.signature.unprocessedAttributes, ["io.example.tier"]);
    assertEquals(request.signature.criticalAttributes.extendedAttributes, {
      "io.example.tier": "gold",
    });
    assertEquals(request.signature.criticalAttributes.expiry, "0001-01-01T00:00:00Z");

    for (
      const [answer, message] of [
        [
          "untrusted",
          /trusted identify verification by plugin "signer" failed with reason "not our signer"/,
        ],
        [
          "revoked",
          /revocation check by verification plugin "signer" failed with reason "profile revoked"/,
        ],
      ] as const
    ) {
      const r = await verify(h, `verify=${answer}`);
      assertEquals(r.code, 3, `${answer}: ${describeRun(r)}`);
      assert.match(r.stderr, message, answer);
    }

    await t.step({
      name: "the notation CLI sends the same request and follows the same answers",
      ignore: NOTATION === undefined,
      fn: async () => {
        const theirs = await notationVerify(h, `record=${dir}/notation.json`);
        assertEquals(theirs.code, 0, describeRun(theirs));
        const sent = JSON.parse(await Deno.readTextFile(`${dir}/notation.json`));
        delete sent.pluginConfig;
        delete request.pluginConfig;
        assertEquals(request, sent, "ocisign sends the request notation sends");
        for (const answer of ["untrusted", "revoked"]) {
          const r = await notationVerify(h, `verify=${answer}`);
          assert.ok(r.code !== 0, `notation ${answer}: ${describeRun(r)}`);
        }
      },
    });
  }));

Deno.test("a verification plugin that cannot vouch fails the signature; audit only logs an untrusted identity", () =>
  withTempDir("ocisign-verification-plugin-closed-", async (dir) => {
    const h = await signedNamingPlugin(dir);
    const cases: Array<[string, RegExp]> = [
      ["verify=unprocessed", /extended critical attribute "io.example.tier" was not processed/],
      ["verify=no-result", /verification plugin "signer" failed to verify "SIGNATURE_VERIFIER/],
      ["verify=junk", /failed to verify with plugin signer: .*not JSON/],
      ["verify=exit", /failed to verify with plugin signer: .*ERROR: the signer service is down/],
      [
        "version=0.9.0",
        /found plugin signer with version 0.9.0 but signature verification needs plugin version greater than or equal to 1.0.0/,
      ],
      ["caps=none", /requires plugin "signer" with signature verification capabilities/],
    ];
    for (const [config, message] of cases) {
      const r = await verify(h, config);
      assertEquals(r.code, 3, `${config}: ${describeRun(r)}`);
      assert.match(r.stderr, message, config);
    }

    const hung = await h.runEnv(
      { OCISIGN_PLUGIN_TIMEOUT: "3" },
      "verify",
      "--oci-layout",
      "./hello:v1",
      "--scope",
      "local/hello",
      "--plugin-config",
      "verify=hang",
    );
    assertEquals(hung.code, 3, describeRun(hung));
    assert.match(hung.stderr, /failed to verify with plugin signer: .*did not answer within 3 s/);

    const policyFile = `${h.configDir}/trustpolicy.json`;
    const policy = JSON.parse(await Deno.readTextFile(policyFile));
    policy.trustPolicies[0].signatureVerification = { level: "audit" };
    await Deno.writeTextFile(policyFile, JSON.stringify(policy));
    const audited = await verify(h, "verify=untrusted");
    assertEquals(audited.code, 0, describeRun(audited));
    assert.match(audited.stderr, /not our signer/);
    const stillClosed = await verify(h, "verify=unprocessed");
    assertEquals(stillClosed.code, 3, describeRun(stillClosed));

    assertEquals((await h.run("plugin", "uninstall", "signer")).code, 0);
    const missing = await verify(h);
    assertEquals(missing.code, 3, describeRun(missing));
    assert.match(
      missing.stderr,
      /error while locating the verification plugin "signer", make sure the plugin is installed/,
    );
  }));
