import { assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { FsTrustStore, loadTrustedCertificates, MemoryTrustStore } from "../../lib/trust/mod.ts";
import type { TrustPolicyStatement } from "../../lib/trust/mod.ts";
import { nodeFs } from "../../lib/runtime/node_fs.ts";
import {
  CA_EXTENSIONS,
  LEAF_EXTENSIONS,
  OPENSSL_MISSING,
  OpensslPki,
} from "../verify/_openssl_pki.ts";
import type { TestCert } from "../verify/_openssl_pki.ts";

interface Fixture {
  root: TestCert;
  intermediate: TestCert;
  leaf: TestCert;
  selfSigned: TestCert;
}

async function withPki(
  fn: (f: Fixture, configDir: string) => Promise<void>,
): Promise<void> {
  const pki = await OpensslPki.create();
  const configDir = await Deno.makeTempDir({ prefix: "ocisign-config-" });
  try {
    const root = await pki.cert({
      subject: "/C=US/ST=WA/O=Root/CN=root",
      extensions: CA_EXTENSIONS,
    });
    const intermediate = await pki.cert({
      subject: "/C=US/ST=WA/O=Root/CN=intermediate",
      extensions: CA_EXTENSIONS,
      issuer: root,
    });
    const leaf = await pki.cert({
      subject: "/C=US/ST=WA/O=Leaf/CN=leaf",
      extensions: LEAF_EXTENSIONS,
      issuer: intermediate,
    });
    const selfSigned = await pki.cert({
      subject: "/C=US/ST=WA/L=Seattle/O=Notary/CN=wabbit-networks.io",
      extensions: LEAF_EXTENSIONS,
    });
    await fn({ root, intermediate, leaf, selfSigned }, configDir);
  } finally {
    await pki.close();
    await Deno.remove(configDir, { recursive: true });
  }
}

async function writeStore(
  configDir: string,
  type: string,
  name: string,
  files: Record<string, string | Uint8Array>,
): Promise<string> {
  const dir = `${configDir}/truststore/x509/${type}/${name}`;
  await Deno.mkdir(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    if (typeof content === "string") await Deno.writeTextFile(`${dir}/${file}`, content);
    else await Deno.writeFile(`${dir}/${file}`, content);
  }
  return dir;
}

Deno.test({
  name: "FsTrustStore.getCertificates() loads PEM and DER files of a named store",
  ignore: OPENSSL_MISSING,
}, async () => {
  await withPki(async (f, configDir) => {
    await writeStore(configDir, "ca", "acme", {
      "root.pem": f.root.pem,
      "wabbit.crt": f.selfSigned.der,
      "bundle.cer": f.intermediate.pem + f.root.pem,
    });
    const certs = await new FsTrustStore(nodeFs, configDir).getCertificates("ca", "acme");
    assertEquals(certs.length, 4);
    assertEquals(certs.map((c) => c.subject).sort(), [
      "CN=intermediate,O=Root,ST=WA,C=US",
      "CN=root,O=Root,ST=WA,C=US",
      "CN=root,O=Root,ST=WA,C=US",
      "CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US",
    ]);
  });
});

Deno.test({
  name: "FsTrustStore.getCertificates() refuses a missing, empty or symlinked store",
  ignore: OPENSSL_MISSING,
}, async () => {
  await withPki(async (f, configDir) => {
    const store = new FsTrustStore(nodeFs, configDir);
    await assertRejectsCode(
      () => store.getCertificates("ca", "nope"),
      "ERR_TRUST_STORE",
      `the trust store "nope" of type "ca" does not exist`,
    );
    await writeStore(configDir, "ca", "empty", {});
    await assertRejectsCode(
      () => store.getCertificates("ca", "empty"),
      "ERR_TRUST_STORE",
      `no x509 certificates were found in trust store "empty" of type "ca"`,
    );
    const real = await writeStore(configDir, "ca", "real", { "root.pem": f.root.pem });
    await Deno.symlink(real, `${configDir}/truststore/x509/ca/link`);
    await assertRejectsCode(
      () => store.getCertificates("ca", "link"),
      "ERR_TRUST_STORE",
      "is not a regular directory (symlinks are not supported)",
    );
    await assertRejectsCode(
      () => store.getCertificates("ca", "../ca"),
      "ERR_TRUST_STORE",
      "trust store name needs to follow [a-zA-Z0-9_.-]+ format, ../ca is invalid",
    );
    await assertRejectsCode(
      () => store.getCertificates("CA" as "ca", "real"),
      "ERR_TRUST_STORE",
      "unsupported trust store type: CA",
    );
  });
});

Deno.test({
  name: "FsTrustStore.getCertificates() refuses non-certificate files and sub-directories",
  ignore: OPENSSL_MISSING,
}, async () => {
  await withPki(async (f, configDir) => {
    const store = new FsTrustStore(nodeFs, configDir);
    await writeStore(configDir, "ca", "readme", { "root.pem": f.root.pem, "README": "hello" });
    await assertRejectsCode(
      () => store.getCertificates("ca", "readme"),
      "ERR_TRUST_STORE",
      "failed to read the trusted certificate README in trust store readme of type ca",
    );
    const dir = await writeStore(configDir, "ca", "nested", { "root.pem": f.root.pem });
    await Deno.mkdir(`${dir}/sub`);
    await assertRejectsCode(
      () => store.getCertificates("ca", "nested"),
      "ERR_TRUST_STORE",
      "trusted certificate sub in trust store nested of type ca is not a regular file (directories or symlinks are not supported)",
    );
    const linked = await writeStore(configDir, "ca", "linked", { "root.pem": f.root.pem });
    await Deno.symlink(`${linked}/root.pem`, `${linked}/alias.pem`);
    await assertRejectsCode(
      () => store.getCertificates("ca", "linked"),
      "ERR_TRUST_STORE",
      "trusted certificate alias.pem in trust store linked of type ca is not a regular file",
    );
  });
});

Deno.test({
  name: "FsTrustStore.getCertificates() refuses a leaf that is neither CA nor self-signed",
  ignore: OPENSSL_MISSING,
}, async () => {
  await withPki(async (f, configDir) => {
    await writeStore(configDir, "ca", "leafy", { "leaf.pem": f.leaf.pem });
    await assertRejectsCode(
      () => new FsTrustStore(nodeFs, configDir).getCertificates("ca", "leafy"),
      "ERR_TRUST_STORE",
      `failed to validate the trusted certificate leaf.pem in trust store leafy of type ca: certificate with subject "CN=leaf,O=Leaf,ST=WA,C=US" is not a CA certificate or self-signed signing certificate`,
    );
  });
});

Deno.test({
  name: "FsTrustStore.getCertificates() requires self-signed root CAs in a tsa store",
  ignore: OPENSSL_MISSING,
}, async () => {
  await withPki(async (f, configDir) => {
    const store = new FsTrustStore(nodeFs, configDir);
    await writeStore(configDir, "tsa", "good", { "root.pem": f.root.pem });
    assertEquals((await store.getCertificates("tsa", "good")).length, 1);
    await writeStore(configDir, "tsa", "inter", { "i.pem": f.intermediate.pem });
    await assertRejectsCode(
      () => store.getCertificates("tsa", "inter"),
      "ERR_TRUST_STORE",
      `trusted certificate i.pem in trust store inter of type tsa is invalid: certificate with subject "CN=intermediate,O=Root,ST=WA,C=US" is not a root CA certificate`,
    );
    await writeStore(configDir, "tsa", "selfleaf", { "s.pem": f.selfSigned.pem });
    await assertRejectsCode(
      () => store.getCertificates("tsa", "selfleaf"),
      "ERR_TRUST_STORE",
      "is not a root CA certificate",
    );
  });
});

Deno.test({
  name: "loadTrustedCertificates() loads only the stores of the requested type, once each",
  ignore: OPENSSL_MISSING,
}, async () => {
  await withPki(async (f) => {
    const store = new MemoryTrustStore({
      "ca:one": [f.root.pem],
      "ca:two": [f.selfSigned.der],
      "signingAuthority:sa": [f.intermediate.pem],
    });
    const statement: TrustPolicyStatement = {
      name: "p",
      registryScopes: ["*"],
      signatureVerification: { level: "strict" },
      trustStores: ["ca:one", "signingAuthority:sa", "ca:one", "ca:two", "tsa:absent"],
      trustedIdentities: ["*"],
    };
    assertEquals((await loadTrustedCertificates(store, statement, "ca")).length, 2);
    assertEquals((await loadTrustedCertificates(store, statement, "signingAuthority")).length, 1);
    await assertRejectsCode(
      () => loadTrustedCertificates(store, statement, "tsa"),
      "ERR_TRUST_STORE",
      `the trust store "absent" of type "tsa" does not exist`,
    );
  });
});
