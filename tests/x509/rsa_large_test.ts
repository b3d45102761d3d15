import fc from "fast-check";
import { assertEquals } from "../_helpers/assert.ts";
import { parseCertificate } from "../../lib/x509/certificate.ts";
import { verifyLargeRsa } from "../../lib/x509/_rsa_large.ts";
import { readChildren, readSingle, TAG } from "../../lib/x509/asn1.ts";

const TESTDATA = new URL("./testdata/", import.meta.url).pathname;
const SHA256_RSA = "1.2.840.113549.1.1.11";

Deno.test("verifyLargeRsa() accepts the RSA-8192 root's signature and nothing near it", async () => {
  const root = parseCertificate(await Deno.readTextFile(`${TESTDATA}rsa8192_root.crt`));
  const leaf = parseCertificate(await Deno.readTextFile(`${TESTDATA}rsa8192_leaf.crt`));
  const [tbs, , value] = readChildren(readSingle(leaf.raw, TAG.SEQUENCE));
  const signature = value!.content.subarray(1);
  assertEquals(await verifyLargeRsa(root.spki, SHA256_RSA, tbs!.raw, signature), true);
  assertEquals(
    await verifyLargeRsa(root.spki, "1.2.840.113549.1.1.10", tbs!.raw, signature),
    { unsupported: "only PKCS#1 v1.5 SHA-2 signatures are checked with such keys" },
  );
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.uint8Array({ minLength: 1024, maxLength: 1024 }),
        fc.uint8Array({ maxLength: 1100 }),
        fc.nat({ max: 1023 }).map((i) => {
          const s = signature.slice();
          s[i]! ^= 0x80;
          return s;
        }),
      ),
      fc.uint8Array({ maxLength: 64 }),
      async (sig, data) => {
        assertEquals(await verifyLargeRsa(root.spki, SHA256_RSA, data, sig), false);
        assertEquals(await verifyLargeRsa(root.spki, SHA256_RSA, tbs!.raw, sig), false);
      },
    ),
    { numRuns: 100 },
  );
});
