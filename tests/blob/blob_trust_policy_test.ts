/**
 * The blob trust policy (`trustpolicy.blob.json`): notation 2's rules and messages (names unique,
 * at most one global policy, the OCI statement rules), the global policy not `skip`, and
 * selection by name, else the global policy, else a clear error.
 */
import {
  parseBlobTrustPolicyDocument,
  selectBlobTrustPolicy,
} from "../../lib/trust/blob_trust_policy.ts";
import { assertEquals, assertThrowsCode } from "../_helpers/assert.ts";

const STRICT = {
  signatureVerification: { level: "strict" },
  trustStores: ["ca:wabbit"],
  trustedIdentities: ["*"],
};

function doc(...trustPolicies: unknown[]): string {
  return JSON.stringify({ version: "1.0", trustPolicies });
}

Deno.test("parseBlobTrustPolicyDocument() reads notation's document, ignoring registryScopes", () => {
  const parsed = parseBlobTrustPolicyDocument(
    doc(
      { name: "a", ...STRICT },
      { Name: "b", GlobalPolicy: true, registryScopes: ["*"], ...STRICT },
    ),
  );
  assertEquals(parsed.trustPolicies.map((s) => [s.name, s.globalPolicy === true]), [
    ["a", false],
    ["b", true],
  ]);
  assertEquals(selectBlobTrustPolicy(parsed, "a").name, "a");
  assertEquals(selectBlobTrustPolicy(parsed).name, "b");
  assertEquals(selectBlobTrustPolicy(parsed, "").name, "b");
});

Deno.test("parseBlobTrustPolicyDocument() refuses what notation refuses, with its messages", () => {
  const cases: Array<[string, string]> = [
    [
      doc({ name: "a", ...STRICT }, { name: "a", ...STRICT }),
      'multiple blob trust policy statements use the same name "a", statement names must be unique',
    ],
    [
      doc({ name: "a", globalPolicy: true, ...STRICT }, {
        name: "b",
        globalPolicy: true,
        ...STRICT,
      }),
      "multiple blob trust policy statements have globalPolicy set to true. Only one trust policy statement can be marked as global policy",
    ],
    [
      JSON.stringify({ version: "2.0", trustPolicies: [{ name: "a", ...STRICT }] }),
      'blob trust policy document uses unsupported version "2.0"',
    ],
    [doc(), "blob trust policy document can not have zero trust policy statements"],
    [
      doc({ name: "a", signatureVerification: { level: "strict" } }),
      'blob trust policy: trust policy statement "a" is either missing trust stores or trusted identities, both must be specified',
    ],
    [
      doc({ name: "", ...STRICT }),
      "blob trust policy: a trust policy statement is missing a name, every statement requires a name",
    ],
    [
      doc({ name: "a", ...STRICT, trustStores: ["wabbit"] }),
      'blob trust policy: trust policy statement "a" has malformed trust store value "wabbit"',
    ],
    [
      doc({ name: "a", ...STRICT, signatureVerification: { level: "fast" } }),
      'trust policy statement "a" has invalid signatureVerification',
    ],
    [doc({ name: "a", globalPolicy: "yes", ...STRICT }), "malformed trust policy"],
    ["junk", "malformed trust policy"],
    // the specification's rule (notation 2.0.0-alpha.1 does not check it)
    [
      doc({ name: "a", globalPolicy: true, signatureVerification: { level: "skip" } }),
      'global trust policy statement "a" cannot use "skip"',
    ],
  ];
  for (const [text, message] of cases) {
    assertThrowsCode(() => parseBlobTrustPolicyDocument(text), "ERR_TRUST_POLICY", message);
  }
  // a skip statement that is not global is allowed
  parseBlobTrustPolicyDocument(doc({ name: "a", signatureVerification: { level: "skip" } }));
});

Deno.test("selectBlobTrustPolicy() needs an exact name, or a global policy", () => {
  const parsed = parseBlobTrustPolicyDocument(doc({ name: "releases", ...STRICT }));
  assertThrowsCode(
    () => selectBlobTrustPolicy(parsed, "Releases"),
    "ERR_TRUST_POLICY",
    'no applicable blob trust policy with name "Releases"',
  );
  assertThrowsCode(
    () => selectBlobTrustPolicy(parsed),
    "ERR_TRUST_POLICY",
    "no global blob trust policy",
  );
});
