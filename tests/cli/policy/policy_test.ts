import { assert, assertEquals } from "../../_helpers/assert.ts";
import { cliSandbox } from "../../_helpers/cli.ts";
import type { CliSandbox } from "../../_helpers/cli.ts";
import { parseTrustPolicyDocument } from "../../../lib/trust/trust_policy.ts";

async function withSandbox(fn: (sb: CliSandbox) => Promise<void>): Promise<void> {
  const sb = await cliSandbox();
  try {
    await fn(sb);
  } finally {
    await sb.close();
  }
}

function policy(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      version: "1.0",
      trustPolicies: [{
        name: "wabbit-networks-images",
        registryScopes: ["localhost:5000/hello-world", "local/hello-world"],
        signatureVerification: { level: "strict" },
        trustStores: ["ca:wabbit-networks.io"],
        trustedIdentities: ["x509.subject: C=US, ST=WA, O=Notary"],
        ...overrides,
      }],
    },
    null,
    2,
  );
}

Deno.test("policy import installs a valid document byte for byte, 0600", async () => {
  await withSandbox(async (sb) => {
    const text = policy();
    await Deno.writeTextFile(`${sb.cwd}/policy.json`, text);
    const r = await sb.run("policy", "import", "policy.json");
    assertEquals([r.code, r.stdout, r.stderr], [
      0,
      "Trust policy configuration imported successfully.\n",
      "",
    ]);
    const installed = `${sb.configDir}/trustpolicy.json`;
    assertEquals(await Deno.readTextFile(installed), text);
    assertEquals((await Deno.stat(installed)).mode! & 0o777, 0o600);
    const show = await sb.run("policy", "show");
    assertEquals([show.code, show.stdout, show.stderr], [0, text, ""]);
  });
});

Deno.test("policy import rejects invalid documents with the validator's message (exit 4)", async () => {
  await withSandbox(async (sb) => {
    const cases: [string, string][] = [
      [
        JSON.stringify({ version: "2.0", trustPolicies: [] }),
        'trust policy document uses unsupported version "2.0"',
      ],
      ["{not json", "malformed trust policy"],
      [
        policy({ signatureVerification: { level: "skip" } }),
        'trust policy statement "wabbit-networks-images" is set to skip signature verification but configured with trust stores and/or trusted identities',
      ],
      [
        policy({ trustStores: ["cert:wabbit"] }),
        'trust policy statement "wabbit-networks-images" uses an unsupported trust store type "cert" in trust store value "cert:wabbit"',
      ],
      [
        policy({ registryScopes: ["*", "local/x"] }),
        "uses wildcard registry scope '*', a wildcard scope cannot be used in conjunction with other scope values",
      ],
    ];
    for (const [doc, message] of cases) {
      await Deno.writeTextFile(`${sb.cwd}/bad.json`, doc);
      const r = await sb.run("policy", "import", "bad.json");
      assertEquals(r.code, 4, `${doc}: ${r.stderr}`);
      assert.ok(r.stderr.includes(message), `expected ${message} in ${r.stderr}`);
      assertEquals(r.stdout, "");
    }
    // with --output json the error is a JSON line and stdout stays empty
    const json = await sb.run("policy", "import", "bad.json", "--output", "json");
    assertEquals([json.code, json.stdout], [4, ""]);
    assert.ok(JSON.parse(json.stderr).error.message.includes(cases.at(-1)![1]), json.stderr);
    // an output format it does not have is refused before anything is read
    const yaml = await sb.run("policy", "import", "bad.json", "--output", "yaml");
    assertEquals(yaml.code, 2, yaml.stderr);
    assertEquals(await Deno.stat(sb.configDir).catch(() => undefined), undefined);
  });
});

Deno.test("policy import needs --force to replace a policy, and keeps trustpolicy.oci.json in effect", async () => {
  await withSandbox(async (sb) => {
    await Deno.writeTextFile(`${sb.cwd}/a.json`, policy());
    await Deno.writeTextFile(`${sb.cwd}/b.json`, policy({ name: "b" }));
    assertEquals((await sb.run("policy", "import", "a.json")).code, 0);
    const again = await sb.run("policy", "import", "b.json");
    assertEquals(again.code, 2);
    assert.match(again.stderr, /--force/);
    const forced = await sb.run("policy", "import", "b.json", "--force");
    assertEquals(forced.code, 0);
    assertEquals(
      forced.stderr,
      "Warning: existing trust policy configuration file will be overwritten\n",
    );
    assertEquals(
      await Deno.readTextFile(`${sb.configDir}/trustpolicy.json`),
      policy({ name: "b" }),
    );

    await Deno.writeTextFile(`${sb.configDir}/trustpolicy.oci.json`, policy({ name: "oci" }));
    assertEquals((await sb.run("policy", "show")).stdout, policy({ name: "oci" }));
    assertEquals((await sb.run("policy", "import", "a.json", "--force")).code, 0);
    assertEquals(await Deno.readTextFile(`${sb.configDir}/trustpolicy.oci.json`), policy());
  });
});

Deno.test("policy show: a missing policy is exit 4, an invalid one is printed with the error", async () => {
  await withSandbox(async (sb) => {
    const missing = await sb.run("policy", "show");
    assertEquals(missing.code, 4);
    assert.match(
      missing.stderr,
      /^Error: trust policy is not present\. To create a trust policy, see: /,
    );
    await Deno.mkdir(sb.configDir);
    const bad = JSON.stringify({ version: "1.0", trustPolicies: [] });
    await Deno.writeTextFile(`${sb.configDir}/trustpolicy.json`, bad);
    const r = await sb.run("policy", "show");
    assertEquals(r.code, 0);
    assertEquals(r.stdout, bad);
    assert.match(
      r.stderr,
      /^Error: trust policy document can not have zero trust policy statements\nExisting trust policy configuration is invalid/,
    );
    await Deno.remove(`${sb.configDir}/trustpolicy.json`);
    await Deno.symlink(`${sb.cwd}/elsewhere.json`, `${sb.configDir}/trustpolicy.json`);
    const link = await sb.run("policy", "show");
    assertEquals(link.code, 4);
    assert.match(link.stderr, /symbolic link/);
  });
});

Deno.test("policy init writes a valid one-statement document with repeated flags", async () => {
  await withSandbox(async (sb) => {
    const r = await sb.run(
      "policy",
      "init",
      "--name",
      "images",
      "--scope",
      "localhost:5000/hello-world",
      "--scope=local/hello-world",
      "--trust-store",
      "ca:wabbit-networks.io",
      "--trust-store",
      "tsa:public",
      "--trusted-identity",
      "x509.subject: C=US, ST=WA, O=Notary",
    );
    assertEquals(r.code, 0, r.stderr);
    const path = `${sb.configDir}/trustpolicy.json`;
    assertEquals(r.stdout, `Successfully initialized trust policy file to ${path}.\n`);
    const text = await Deno.readTextFile(path);
    assert.ok(
      text.startsWith('{\n    "version": "1.0",'),
      "4-space indentation, as notation writes",
    );
    const doc = parseTrustPolicyDocument(text);
    assertEquals(doc.trustPolicies, [{
      name: "images",
      registryScopes: ["localhost:5000/hello-world", "local/hello-world"],
      signatureVerification: { level: "strict" },
      trustStores: ["ca:wabbit-networks.io", "tsa:public"],
      trustedIdentities: ["x509.subject: C=US, ST=WA, O=Notary"],
    }]);
    const exists = await sb.run("policy", "init", "--name", "x", "--scope", "*", "--level", "skip");
    assertEquals(exists.code, 2);
    const skip = await sb.run(
      "policy",
      "init",
      "--name",
      "x",
      "--scope",
      "*",
      "--level",
      "skip",
      "--force",
    );
    assertEquals(skip.code, 0, skip.stderr);
    assertEquals(
      parseTrustPolicyDocument(await Deno.readTextFile(path)).trustPolicies[0]!
        .signatureVerification.level,
      "skip",
    );
  });
});

Deno.test("policy init rejects arguments that make an invalid document", async () => {
  await withSandbox(async (sb) => {
    const noName = await sb.run("policy", "init", "--scope", "*");
    assertEquals(noName.code, 2);
    const noScope = await sb.run("policy", "init", "--name", "x");
    assertEquals(noScope.code, 2);
    const noStores = await sb.run(
      "policy",
      "init",
      "--name",
      "x",
      "--scope",
      "*",
      "--trusted-identity",
      "*",
    );
    assertEquals(noStores.code, 4);
    assert.match(
      noStores.stderr,
      /is either missing trust stores or trusted identities, both must be specified/,
    );
    const badIdentity = await sb.run(
      "policy",
      "init",
      "--name",
      "x",
      "--scope",
      "*",
      "--trust-store",
      "ca:s",
      "--trusted-identity",
      "x509.subject: CN=only",
    );
    assertEquals(badIdentity.code, 4);
    assert.match(badIdentity.stderr, /with invalid identity value/);
    const badLevel = await sb.run(
      "policy",
      "init",
      "--name",
      "x",
      "--scope",
      "*",
      "--level",
      "lax",
    );
    assertEquals(badLevel.code, 2);
    assertEquals(await Deno.stat(sb.configDir).catch(() => undefined), undefined);
  });
});
