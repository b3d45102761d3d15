import {
  assert,
  assertEquals,
  assertRejectsCode,
  assertThrowsCode,
} from "../../_helpers/assert.ts";
import { cliSandbox, testIo } from "../../_helpers/cli.ts";
import { addTestKey } from "../../_helpers/test_key.ts";
import {
  absolutePath,
  addSigningKey,
  configPaths,
  configTrustStore,
  encodeSigningKeys,
  loadTrustPolicy,
  parseSigningKeys,
  removeSigningKeys,
  resolveSigningKey,
} from "../../../lib/cli/config/mod.ts";
import { generateTestCertificate } from "../../../lib/x509/generate_test_certificate.ts";

Deno.test("configPaths() prefers OCISIGN_CONFIG_DIR, then XDG_CONFIG_HOME, then ~/.config", () => {
  const base = { cwd: "/srv/project", home: "/home/u" };
  const at = (env: Record<string, string>): string => configPaths(testIo({ ...base, env }).io).root;
  assertEquals(at({ OCISIGN_CONFIG_DIR: "cfg", XDG_CONFIG_HOME: "/x" }), "/srv/project/cfg");
  assertEquals(at({ XDG_CONFIG_HOME: "/x" }), "/x/ocisign");
  assertEquals(at({}), "/home/u/.config/ocisign");
  const paths = configPaths(testIo({ ...base, env: { OCISIGN_CONFIG_DIR: "/c" } }).io);
  assertEquals(paths.trustPolicies, ["/c/trustpolicy.oci.json", "/c/trustpolicy.json"]);
  assertEquals(paths.trustStoreRoot, "/c/truststore/x509");
  assertEquals(absolutePath("/a/b", "../c/./d.key"), "/a/c/d.key");
});

Deno.test("parseSigningKeys() reads notation's format and enforces its rules", () => {
  const keys = parseSigningKeys(JSON.stringify({
    Default: "kms",
    keys: [
      { name: "local", keyPath: "/k", certPath: "/c", extra: true },
      { name: "kms", id: "arn:1", pluginName: "com.example", pluginConfig: { b: "2", a: "1" } },
    ],
  }));
  assertEquals(keys.default, "kms");
  assertEquals(keys.keys[1], {
    name: "kms",
    id: "arn:1",
    pluginName: "com.example",
    pluginConfig: { b: "2", a: "1" },
  });
  assertEquals(
    new TextDecoder().decode(encodeSigningKeys(keys)),
    `{
    "default": "kms",
    "keys": [
        {
            "name": "local",
            "keyPath": "/k",
            "certPath": "/c"
        },
        {
            "name": "kms",
            "id": "arn:1",
            "pluginName": "com.example",
            "pluginConfig": {
                "a": "1",
                "b": "2"
            }
        }
    ]
}
`,
  );
  assertThrowsCode(
    () => parseSigningKeys('{"keys":[{"name":""}]}'),
    "ERR_CONFIG",
    "key name cannot be empty",
  );
  assertThrowsCode(
    () => parseSigningKeys('{"keys":[{"name":"a"},{"name":"a"}]}'),
    "ERR_CONFIG",
    "multiple keys with name 'a' found",
  );
  assertThrowsCode(
    () => parseSigningKeys('{"default":"","keys":[]}'),
    "ERR_CONFIG",
    "default key name cannot be empty",
  );
  assertThrowsCode(() => parseSigningKeys('{"keys":{}}'), "ERR_CONFIG", "keys is not an array");
  assertThrowsCode(() => parseSigningKeys("[]"), "ERR_CONFIG");
  assertThrowsCode(() => addSigningKey(keys, { name: "local" }, false), "ERR_ALREADY_EXISTS");
  assertThrowsCode(() => removeSigningKeys(keys, ["nope"]), "ERR_NOT_FOUND");
  assertEquals(removeSigningKeys(keys, ["kms"]), { keys: [keys.keys[0]!] });
});

Deno.test("a configuration directory laid out by notation is read as is", async () => {
  const sb = await cliSandbox();
  try {
    // Exactly what notation 1.x writes (cert generate-test + policy import), written by hand.
    const dir = sb.configDir;
    const name = "wabbit-networks.io";
    const generated = await generateTestCertificate(name, { keySpec: "EC-256" });
    await Deno.mkdir(`${dir}/localkeys`, { recursive: true, mode: 0o700 });
    await Deno.mkdir(`${dir}/truststore/x509/ca/${name}`, { recursive: true, mode: 0o700 });
    await Deno.writeTextFile(`${dir}/localkeys/${name}.key`, generated.keyPem, { mode: 0o600 });
    await Deno.writeTextFile(`${dir}/localkeys/${name}.crt`, generated.certificatePem);
    await Deno.writeTextFile(
      `${dir}/truststore/x509/ca/${name}/${name}.crt`,
      generated.certificatePem,
    );
    await Deno.writeTextFile(
      `${dir}/signingkeys.json`,
      `{
    "default": "${name}",
    "keys": [
        {
            "name": "${name}",
            "keyPath": "${dir}/localkeys/${name}.key",
            "certPath": "${dir}/localkeys/${name}.crt"
        },
        {
            "name": "kms",
            "id": "arn:aws:kms:us-east-1:1:key/2",
            "pluginName": "com.amazonaws.signer.notation.plugin"
        }
    ]
}
`,
    );
    await Deno.writeTextFile(
      `${dir}/trustpolicy.json`,
      JSON.stringify(
        {
          version: "1.0",
          trustPolicies: [{
            name: "wabbit-networks-images",
            registryScopes: ["*"],
            signatureVerification: { level: "strict" },
            trustStores: [`ca:${name}`],
            trustedIdentities: ["*"],
          }],
        },
        null,
        4,
      ),
    );

    const { io } = testIo({ cwd: sb.cwd, home: sb.home, env: { OCISIGN_CONFIG_DIR: dir } });
    assertEquals(await resolveSigningKey(io), {
      kind: "local",
      name,
      keyPath: `${dir}/localkeys/${name}.key`,
      certPath: `${dir}/localkeys/${name}.crt`,
    });
    assertEquals((await resolveSigningKey(io, "kms")).kind, "plugin");
    await assertRejectsCode(() => resolveSigningKey(io, "nope"), "ERR_NOT_FOUND");
    const doc = await loadTrustPolicy(io);
    assertEquals(doc.trustPolicies[0]!.trustStores, [`ca:${name}`]);
    const trusted = await configTrustStore(io).getCertificates("ca", name);
    assert.ok(trusted[0]!.equals(generated.certificate));

    const keys = await sb.run("key", "list");
    assertEquals(keys.code, 0);
    assert.match(keys.stdout, new RegExp(`^\\* ${name.replaceAll(".", "\\.")} `, "m"));
    assert.match(
      keys.stdout,
      /^kms +arn:aws:kms:us-east-1:1:key\/2 +com\.amazonaws\.signer\.notation\.plugin +$/m,
    );
    const certs = await sb.run("cert", "list", "-o", "json");
    assertEquals(JSON.parse(certs.stdout).map((e: { certificate: string }) => e.certificate), [
      `${name}.crt`,
    ]);
    const shown = await sb.run("policy", "show");
    assertEquals([shown.code, shown.stderr], [0, ""]);
  } finally {
    await sb.close();
  }
});

Deno.test("resolveSigningKey() without a default key says how to set one", async () => {
  const sb = await cliSandbox();
  try {
    await addTestKey(sb, "a", false);
    const { io } = testIo({ cwd: sb.cwd, env: { OCISIGN_CONFIG_DIR: sb.configDir } });
    await assertRejectsCode(
      () => resolveSigningKey(io),
      "ERR_CONFIG",
      "default signing key not set",
    );
    assertEquals((await resolveSigningKey(io, "a")).name, "a");
    await assertRejectsCode(
      () => loadTrustPolicy(io),
      "ERR_TRUST_POLICY",
      "trust policy is not present",
    );
  } finally {
    await sb.close();
  }
});

Deno.test("the configuration directory falls back to $XDG_CONFIG_HOME/ocisign", async () => {
  const sb = await cliSandbox({ configDir: false });
  try {
    const r = await sb.runWith(
      { env: { XDG_CONFIG_HOME: `${sb.dir}/xdg` } },
      "cert",
      "generate-test",
      "x",
    );
    assertEquals(r.code, 0, r.stderr);
    assert.ok((await Deno.stat(`${sb.dir}/xdg/ocisign/signingkeys.json`)).isFile);
    const home = await sb.run("key", "list");
    assertEquals(home.stdout.split("\n").length, 2, "the home fallback has no keys");
  } finally {
    await sb.close();
  }
});
