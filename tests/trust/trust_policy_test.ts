import { assertEquals, assertThrowsCode } from "../_helpers/assert.ts";
import {
  parseTrustPolicyDocument,
  selectTrustPolicy,
  statementLevel,
  VERIFICATION_LEVELS,
} from "../../lib/trust/mod.ts";
import type { TrustPolicyStatement } from "../../lib/trust/mod.ts";

const DIGEST = "sha256:" + "ab".repeat(32);
const LINK = "https://notaryproject.dev/docs/quickstart/#create-a-trust-policy";

function statement(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "wabbit-networks-images",
    registryScopes: ["registry.example.com/ns/repo"],
    signatureVerification: { level: "strict" },
    trustStores: ["ca:wabbit-networks.io"],
    trustedIdentities: ["x509.subject: C=US, ST=WA, L=Seattle, O=wabbit-networks.io"],
    ...overrides,
  };
}

function doc(...statements: Record<string, unknown>[]): string {
  return JSON.stringify({ version: "1.0", trustPolicies: statements });
}

function rejects(text: string | Uint8Array, message: string): void {
  const err = assertThrowsCode(() => parseTrustPolicyDocument(text), "ERR_TRUST_POLICY");
  assertEquals(err.message, message);
}

Deno.test("parseTrustPolicyDocument() accepts a document of each level", () => {
  for (const level of ["strict", "permissive", "audit"]) {
    const d = parseTrustPolicyDocument(doc(statement({ signatureVerification: { level } })));
    assertEquals(statementLevel(d.trustPolicies[0]!), VERIFICATION_LEVELS[level as "strict"]);
  }
  const skip = parseTrustPolicyDocument(
    doc({ name: "skip-all", registryScopes: ["*"], signatureVerification: { level: "skip" } }),
  );
  assertEquals(statementLevel(skip.trustPolicies[0]!).name, "skip");
  assertEquals(skip.trustPolicies[0]!.trustStores, []);
});

Deno.test("parseTrustPolicyDocument() reads fields case-insensitively and ignores unknown ones", () => {
  const text = JSON.stringify({
    Version: "1.0",
    comment: "ignored",
    TRUSTPOLICIES: [{
      Name: "p",
      RegistryScopes: ["*"],
      signatureverification: { Level: "permissive", VerifyTimestamp: "afterCertExpiry" },
      trustStores: ["ca:s", "tsa:t", "signingAuthority:u"],
      trustedIdentities: ["*"],
      extra: 1,
    }],
  });
  const d = parseTrustPolicyDocument(new TextEncoder().encode(text));
  assertEquals(d.trustPolicies[0]!.signatureVerification, {
    level: "permissive",
    verifyTimestamp: "afterCertExpiry",
  });
});

Deno.test("parseTrustPolicyDocument() refuses a BOM, comments and wrong types as malformed", () => {
  const malformed = `malformed trust policy. To create a trust policy, see: ${LINK}`;
  const good = doc(statement());
  rejects(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(good)]), malformed);
  rejects("// comment\n" + good, malformed);
  rejects(JSON.stringify({ version: 1, trustPolicies: [] }), malformed);
  rejects(JSON.stringify({ version: "1.0", trustPolicies: {} }), malformed);
  rejects(doc(statement({ registryScopes: "x/y" })), malformed);
  rejects("[]", malformed);
});

Deno.test("parseTrustPolicyDocument() gives notation's message for each document error", () => {
  rejects(
    JSON.stringify({ trustPolicies: [statement()] }),
    "trust policy document has empty version, version must be specified",
  );
  rejects(
    JSON.stringify({ version: "2.0", trustPolicies: [statement()] }),
    `trust policy document uses unsupported version "2.0"`,
  );
  rejects(
    JSON.stringify({ version: "1.0", trustPolicies: [] }),
    "trust policy document can not have zero trust policy statements",
  );
  rejects(
    doc(statement({ name: "" })),
    "a trust policy statement is missing a name, every statement requires a name",
  );
  rejects(
    doc(statement(), statement({ registryScopes: ["other.example.com/x"] })),
    `multiple trust policy statements use the same name "wabbit-networks-images", statement names must be unique`,
  );
});

Deno.test("parseTrustPolicyDocument() gives notation's message for each signatureVerification error", () => {
  const prefix =
    `trust policy statement "wabbit-networks-images" has invalid signatureVerification: `;
  const sv = (signatureVerification: unknown) => doc(statement({ signatureVerification }));
  rejects(
    sv({}),
    prefix + "signature verification level is empty or missing in the trust policy statement",
  );
  rejects(sv({ level: "paranoid" }), prefix + `invalid signature verification level "paranoid"`);
  rejects(
    sv({ level: "strict", override: { integrity: "log" } }),
    prefix + `"integrity" verification can not be overridden in custom signature verification`,
  );
  rejects(
    sv({ level: "strict", override: { expiry: "skip" } }),
    prefix + `"expiry" verification can not be skipped in custom signature verification`,
  );
  rejects(
    sv({ level: "strict", override: { authenticity: "skip" } }),
    prefix + `"authenticity" verification can not be skipped in custom signature verification`,
  );
  rejects(
    sv({ level: "strict", override: { signature: "log" } }),
    prefix +
      `verification type "signature" in custom signature verification is not supported, supported values are ["integrity" "authenticity" "authenticTimestamp" "expiry" "revocation"]`,
  );
  rejects(
    sv({ level: "strict", override: { expiry: "warn" } }),
    prefix +
      `verification action "warn" in custom signature verification is not supported, supported values are ["enforce" "log" "skip"]`,
  );
  rejects(
    doc({
      name: "s",
      registryScopes: ["*"],
      signatureVerification: { level: "skip", override: { revocation: "log" } },
    }),
    `trust policy statement "s" has invalid signatureVerification: signature verification level "skip" can't be used to customize signature verification`,
  );
  rejects(
    sv({ level: "strict", verifyTimestamp: "sometimes" }),
    prefix + `verifyTimestamp must be "always" or "afterCertExpiry", but got "sometimes"`,
  );
});

Deno.test("statementLevel() applies overrides as a custom level", () => {
  const d = parseTrustPolicyDocument(doc(statement({
    signatureVerification: { level: "strict", override: { expiry: "log", revocation: "skip" } },
  })));
  const level = statementLevel(d.trustPolicies[0]!);
  assertEquals(level.name, "custom");
  assertEquals(level.enforcement, {
    integrity: "enforce",
    authenticity: "enforce",
    authenticTimestamp: "enforce",
    expiry: "log",
    revocation: "skip",
  });
  const audit = statementLevel(
    parseTrustPolicyDocument(doc(statement({
      signatureVerification: { level: "audit", override: { authenticity: "enforce" } },
    }))).trustPolicies[0]!,
  );
  assertEquals(audit.enforcement.authenticity, "enforce");
  assertEquals(audit.enforcement.expiry, "log");
});

Deno.test("parseTrustPolicyDocument() checks stores and identities against the level", () => {
  rejects(
    doc({
      name: "s",
      registryScopes: ["*"],
      signatureVerification: { level: "skip" },
      trustStores: ["ca:x"],
    }),
    `trust policy statement "s" is set to skip signature verification but configured with trust stores and/or trusted identities, remove them if signature verification needs to be skipped`,
  );
  rejects(
    doc({
      name: "s",
      registryScopes: ["*"],
      signatureVerification: { level: "skip" },
      trustedIdentities: ["*"],
    }),
    `trust policy statement "s" is set to skip signature verification but configured with trust stores and/or trusted identities, remove them if signature verification needs to be skipped`,
  );
  const missing =
    `trust policy statement "wabbit-networks-images" is either missing trust stores or trusted identities, both must be specified`;
  rejects(doc(statement({ trustStores: [] })), missing);
  rejects(doc(statement({ trustedIdentities: undefined })), missing);
});

Deno.test("parseTrustPolicyDocument() gives notation's message for each trust store error", () => {
  const name = `trust policy statement "wabbit-networks-images"`;
  rejects(
    doc(statement({ trustStores: ["wabbit"] })),
    `${name} has malformed trust store value "wabbit". The required format is <TrustStoreType>:<TrustStoreName>`,
  );
  rejects(
    doc(statement({ trustStores: ["CA:wabbit"] })),
    `${name} uses an unsupported trust store type "CA" in trust store value "CA:wabbit"`,
  );
  rejects(
    doc(statement({ trustStores: ["ca:a/b"] })),
    `${name} uses an unsupported trust store name "a/b" in trust store value "ca:a/b". Named store name needs to follow [a-zA-Z0-9_.-]+ format`,
  );
  rejects(
    doc(statement({ trustStores: ["ca:"] })),
    `${name} uses an unsupported trust store name "" in trust store value "ca:". Named store name needs to follow [a-zA-Z0-9_.-]+ format`,
  );
});

Deno.test("parseTrustPolicyDocument() gives notation's message for each trusted identity error", () => {
  const name = `trust policy statement "wabbit-networks-images"`;
  const ids = (trustedIdentities: string[]) => doc(statement({ trustedIdentities }));
  rejects(
    ids(["*", "x509.subject: C=US, ST=WA, O=x"]),
    `${name} uses a wildcard trusted identity '*', a wildcard identity cannot be used in conjunction with other values`,
  );
  rejects(ids([""]), `${name} has an empty trusted identity`);
  rejects(
    ids(["C=US, ST=WA, O=x"]),
    `${name} has trusted identity "C=US, ST=WA, O=x" missing separator`,
  );
  rejects(
    ids(["x509.subject:"]),
    `${name} has trusted identity "x509.subject:" without an identity value`,
  );
  rejects(
    ids(["x509.subject: C=US, ST=WA"]),
    `${name} has trusted identity "x509.subject: C=US, ST=WA" with invalid identity value: distinguished name (DN) " C=US, ST=WA" has no mandatory RDN attribute for "O", it must contain 'C', 'ST', and 'O' RDN attributes at a minimum`,
  );
  rejects(
    ids(["x509.subject: C=US, ST=WA, O=x", "x509.subject: C=US, ST=WA, O=x, CN=y"]),
    `${name} has overlapping x509 trustedIdentities, "x509.subject: C=US, ST=WA, O=x" overlaps with "x509.subject: C=US, ST=WA, O=x, CN=y"`,
  );
  // other prefixes are kept for plugins, not parsed
  const d = parseTrustPolicyDocument(ids(["x509.subject: C=US, ST=WA, O=x", "kms.key: abc"]));
  assertEquals(d.trustPolicies[0]!.trustedIdentities.length, 2);
});

Deno.test("parseTrustPolicyDocument() gives notation's message for each registry scope error", () => {
  const name = `trust policy statement "wabbit-networks-images"`;
  const ensure =
    "make sure it is a fully qualified repository without the scheme, protocol or tag. For example domain.com/my/repository or a local scope like local/myOCILayout";
  const scopes = (registryScopes: string[]) => doc(statement({ registryScopes }));
  rejects(
    scopes([]),
    `${name} has zero registry scopes, it must specify registry scopes with at least one value`,
  );
  rejects(
    scopes(["*", "registry.example.com/a"]),
    `${name} uses wildcard registry scope '*', a wildcard scope cannot be used in conjunction with other scope values`,
  );
  for (
    const bad of [
      "registry.example.com/a:v1",
      "https://registry.example.com/a",
      "repo",
      "registry.example.com/A",
      "registry.example.com/a@sha256:00",
    ]
  ) {
    rejects(scopes([bad]), `registry scope ${JSON.stringify(bad)} is not valid, ${ensure}`);
  }
  rejects(
    scopes(["registry.example.com/*"]),
    `registry scope "registry.example.com/*" with wild card(s) is not valid, ${ensure}`,
  );
  rejects(
    doc(statement(), statement({ name: "other" })),
    `registry scope "registry.example.com/ns/repo" is present in multiple trust policy statements, one registry scope value can only be associated with one statement`,
  );
  rejects(
    doc(statement({ registryScopes: ["*"] }), statement({ name: "other", registryScopes: ["*"] })),
    `registry scope "*" is present in multiple trust policy statements, one registry scope value can only be associated with one statement`,
  );
  // a * statement with level skip is accepted, as notation does
  parseTrustPolicyDocument(
    doc({ name: "s", registryScopes: ["*"], signatureVerification: { level: "skip" } }),
  );
  // the distribution repository grammar, without exponential backtracking on a near miss
  parseTrustPolicyDocument(scopes(["localhost:5000/a_b__c-d---e.f/g"]));
  rejects(
    scopes(["d/" + "a".repeat(5000) + "!"]),
    `registry scope "d/${"a".repeat(5000)}!" is not valid, ${ensure}`,
  );
});

Deno.test("selectTrustPolicy() prefers the exact scope, then *, else says none applies", () => {
  const d = parseTrustPolicyDocument(doc(
    statement({ name: "wildcard", registryScopes: ["*"] }),
    statement({
      name: "exact",
      registryScopes: ["local/hello-world", "localhost:5000/hello-world"],
    }),
  ));
  assertEquals(selectTrustPolicy(d, `local/hello-world@${DIGEST}`).name, "exact");
  assertEquals(selectTrustPolicy(d, `localhost:5000/hello-world@${DIGEST}`).name, "exact");
  // no normalisation: docker.io/library/x is not library/x
  assertEquals(selectTrustPolicy(d, `local/hello-world2@${DIGEST}`).name, "wildcard");
  const exactOnly = parseTrustPolicyDocument(doc(statement({ registryScopes: ["local/a"] })));
  const err = assertThrowsCode(
    () => selectTrustPolicy(exactOnly, `local/b@${DIGEST}`),
    "ERR_TRUST_POLICY",
  );
  assertEquals(
    err.message,
    `artifact "local/b@${DIGEST}" has no applicable trust policy statement. Trust policy applicability for a given artifact is determined by registryScopes. To create a trust policy, see: ${LINK}`,
  );
  assertThrowsCode(
    () => selectTrustPolicy(d, "local/hello-world"),
    "ERR_TRUST_POLICY",
    "could not be parsed",
  );
  assertThrowsCode(
    () => selectTrustPolicy(d, `Local/X@${DIGEST}`),
    "ERR_TRUST_POLICY",
    "is not valid",
  );
  // the returned statement is a copy
  const s: TrustPolicyStatement = selectTrustPolicy(d, `local/hello-world@${DIGEST}`);
  s.trustStores.push("ca:evil");
  assertEquals(selectTrustPolicy(d, `local/hello-world@${DIGEST}`).trustStores, [
    "ca:wabbit-networks.io",
  ]);
});
