/**
 * OCSP answers and CRLs are signed with RSA PKCS#1 v1.5, RSASSA-PSS and ECDSA by a real openssl
 * CA: each is accepted when intact and refused when one byte of its signature is flipped, so a
 * broken signature check for any of the three is caught.
 */
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { checkChainRevocation } from "../../../lib/x509/revocation/mod.ts";
import type { CertRevocationResult } from "../../../lib/x509/revocation/mod.ts";
import { parseCertificate } from "../../../lib/x509/certificate.ts";
import { OPENSSL_MISSING } from "../../verify/_openssl_pki.ts";
import { makeRevocationPki, type RevocationPkiOptions } from "./_revocation_pki.ts";

const ALGORITHMS: Array<[string, RevocationPkiOptions]> = [
  ["RSA PKCS#1 v1.5", { key: "rsa:2048", rsaPadding: "pkcs1" }],
  ["RSASSA-PSS", { key: "rsa:2048", rsaPadding: "pss" }],
  ["ECDSA P-256", { key: "ec:P-256" }],
];

function summary(r: CertRevocationResult): string[] {
  return [r.status, ...r.servers.map((s) => `${s.method}:${s.status}`)];
}

for (const [name, options] of ALGORITHMS) {
  Deno.test({
    name: `checkChainRevocation() checks ${name} signatures on OCSP answers and CRLs`,
    ignore: OPENSSL_MISSING,
  }, async () => {
    const p = await makeRevocationPki(options);
    try {
      const check = async (leaf = p.leaf) =>
        (await checkChainRevocation([leaf, p.int, p.root].map((c) => parseCertificate(c.pem)), {
          client: { fetch, ocspTimeoutMs: 2000, crlTimeoutMs: 2000 },
        }))[0]!;
      assertEquals(summary(await check()), ["ok", "ocsp:ok"]);
      p.ocspMode.int = "badSignature";
      const forged = await check();
      assertEquals(summary(forged), ["ok", "ocsp:unknown", "crl:ok"]);
      assert(forged.servers[0]!.error!.message.includes("bad OCSP signature"), name);

      const crlLeaf = await p.issueLeaf("/C=US/O=wabbit-networks.io/CN=CRL Only", { crl: true });
      assertEquals(summary(await check(crlLeaf)), ["ok", "crl:ok"]);
      p.crlMode.int = "badSignature";
      const badCrl = await check(crlLeaf);
      assertEquals(summary(badCrl), ["unknown", "crl:unknown"]);
      assert(badCrl.servers[0]!.error!.message.includes("failed to validate CRL from"), name);
      p.crlMode.int = "ok";
      await p.revoke("int", crlLeaf, "keyCompromise");
      await p.publishCrl("int");
      assertEquals(summary(await check(crlLeaf)), ["revoked", "crl:revoked"]);
    } finally {
      await p.close();
    }
  });
}
