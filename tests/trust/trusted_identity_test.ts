import { assertThrowsCode } from "../_helpers/assert.ts";
import { verifyTrustedIdentity } from "../../lib/trust/mod.ts";
import type { TrustPolicyStatement } from "../../lib/trust/mod.ts";

function statement(trustedIdentities: string[]): TrustPolicyStatement {
  return {
    name: "p",
    registryScopes: ["*"],
    signatureVerification: { level: "strict" },
    trustStores: ["ca:s"],
    trustedIdentities,
  };
}

const LEAF = "CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US";

Deno.test("verifyTrustedIdentity() accepts *, a subset DN, or any of several identities", () => {
  verifyTrustedIdentity(statement(["*"]), "CN=anything");
  verifyTrustedIdentity(statement(["x509.subject: C=US, ST=WA, O=Notary"]), LEAF);
  verifyTrustedIdentity(
    statement([
      "x509.subject: C=US, ST=WA, O=acme",
      "x509.subject: C=US, ST=WA, O=Notary, CN=wabbit-networks.io",
    ]),
    LEAF,
  );
});

Deno.test("verifyTrustedIdentity() rejects near misses and unparseable subjects", () => {
  for (
    const near of [
      "O=notary",
      "O=Notary, CN=wabbit-networks.IO",
      "O=Notary, OU=x",
      "O=Notary , L=Seattle2",
    ]
  ) {
    assertThrowsCode(
      () => verifyTrustedIdentity(statement([`x509.subject: C=US, ST=WA, ${near}`]), LEAF),
      "ERR_SIGNATURE_TRUSTED_IDENTITY",
      `signing certificate from the digital signature does not match the X.509 trusted identities [map[`,
    );
  }
  assertThrowsCode(
    () =>
      verifyTrustedIdentity(
        statement(["x509.subject: C=US, ST=WA, O=Notary"]),
        "CN=x,O=Notary,C=US",
      ),
    "ERR_SIGNATURE_TRUSTED_IDENTITY",
    `error while parsing the certificate subject from the digital signature. error : "distinguished name (DN) \\"CN=x,O=Notary,C=US\\" has no mandatory RDN attribute for \\"ST\\"`,
  );
  assertThrowsCode(
    () =>
      verifyTrustedIdentity(
        statement(["x509.subject: C=US, ST=WA, O=Notary"]),
        "1.2.840.113549.1.9.1=#160161,CN=x,O=Notary,ST=WA,C=US",
      ),
    "ERR_SIGNATURE_TRUSTED_IDENTITY",
    "=#",
  );
  assertThrowsCode(
    () =>
      verifyTrustedIdentity(
        statement(["x509.subject: C=US, ST=WA, O=Notary"]),
        "CN=x,OU=a+OU=b,O=Notary,ST=WA,C=US",
      ),
    "ERR_SIGNATURE_TRUSTED_IDENTITY",
    "multi-valued",
  );
  assertThrowsCode(
    () => verifyTrustedIdentity(statement(["plugin.id: abc"]), LEAF),
    "ERR_SIGNATURE_TRUSTED_IDENTITY",
    `no x509 trusted identities are configured in the trust policy "p"`,
  );
});

Deno.test("verifyTrustedIdentity(): a * inside a DN value is a literal character, not a wildcard", () => {
  const starred = statement(["x509.subject: C=US, ST=WA, O=*"]);
  assertThrowsCode(
    () => verifyTrustedIdentity(starred, LEAF),
    "ERR_SIGNATURE_TRUSTED_IDENTITY",
    `does not match the X.509 trusted identities [map["C":"US" "O":"*" "ST":"WA"]]`,
  );
  verifyTrustedIdentity(starred, "CN=wabbit-networks.io,O=*,L=Seattle,ST=WA,C=US");
  assertThrowsCode(
    () => verifyTrustedIdentity(statement(["x509.subject: C=US, ST=WA, O=Not*"]), LEAF),
    "ERR_SIGNATURE_TRUSTED_IDENTITY",
    "does not match",
  );
});
