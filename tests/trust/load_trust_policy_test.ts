import { assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { loadTrustPolicyDocument } from "../../lib/trust/mod.ts";
import { nodeFs } from "../../lib/runtime/node_fs.ts";

const LINK = "https://notaryproject.dev/docs/quickstart/#create-a-trust-policy";

function policyText(name: string): string {
  return JSON.stringify({
    version: "1.0",
    trustPolicies: [{
      name,
      registryScopes: ["*"],
      signatureVerification: { level: "strict" },
      trustStores: ["ca:wabbit-networks.io"],
      trustedIdentities: ["*"],
    }],
  });
}

async function withConfigDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-policy-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("loadTrustPolicyDocument() prefers trustpolicy.oci.json, then trustpolicy.json", async () => {
  await withConfigDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/trustpolicy.json`, policyText("v1-file"));
    const first = await loadTrustPolicyDocument(nodeFs, dir);
    assertEquals([first.file, first.document.trustPolicies[0]!.name], [
      "trustpolicy.json",
      "v1-file",
    ]);
    await Deno.writeTextFile(`${dir}/trustpolicy.oci.json`, policyText("oci-file"));
    const second = await loadTrustPolicyDocument(nodeFs, `${dir}/`);
    assertEquals([second.file, second.document.trustPolicies[0]!.name], [
      "trustpolicy.oci.json",
      "oci-file",
    ]);
  });
});

Deno.test("loadTrustPolicyDocument() refuses a missing, symlinked, malformed or invalid policy", async () => {
  await withConfigDir(async (dir) => {
    await assertRejectsCode(
      () => loadTrustPolicyDocument(nodeFs, dir),
      "ERR_TRUST_POLICY",
      `trust policy is not present. To create a trust policy, see: ${LINK}`,
    );
    await Deno.writeTextFile(`${dir}/real.json`, policyText("p"));
    await Deno.symlink(`${dir}/real.json`, `${dir}/trustpolicy.json`);
    await assertRejectsCode(
      () => loadTrustPolicyDocument(nodeFs, dir),
      "ERR_TRUST_POLICY",
      "trust policy is not a regular file (symlinks are not supported)",
    );
    await Deno.remove(`${dir}/trustpolicy.json`);
    await Deno.writeFile(
      `${dir}/trustpolicy.json`,
      new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(policyText("p"))]),
    );
    await assertRejectsCode(
      () => loadTrustPolicyDocument(nodeFs, dir),
      "ERR_TRUST_POLICY",
      `malformed trust policy. To create a trust policy, see: ${LINK}`,
    );
    await Deno.writeTextFile(`${dir}/trustpolicy.json`, policyText("").replace('"1.0"', '"2.0"'));
    await assertRejectsCode(
      () => loadTrustPolicyDocument(nodeFs, dir),
      "ERR_TRUST_POLICY",
      `trust policy document uses unsupported version "2.0"`,
    );
  });
});
