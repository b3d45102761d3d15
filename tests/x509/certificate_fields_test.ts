/**
 * The certificate reader (ocisign's DER reader) against @peculiar/x509, the library ocisign
 * writes certificates with: both must read the same serial, validity and profile extensions
 * from certificates made by notation, by openssl and by ocisign's test PKI.
 */
import { x509 } from "../../lib/x509/_peculiar.ts";
import { assertEquals } from "../_helpers/assert.ts";
import { getTestPki } from "../_helpers/pki.ts";
import { parseEnvelope } from "../../lib/signature/mod.ts";
import { parseCertificate } from "../../lib/x509/certificate.ts";
import type { Certificate } from "../../lib/x509/certificate.ts";
import { KEY_SPECS } from "../../lib/x509/key_spec.ts";
import { needsOpenssl, openssl, withTempDir } from "./_openssl.ts";

function assertSameFields(cert: Certificate): void {
  const theirs = new x509.X509Certificate(cert.raw);
  const name = cert.subject;
  assertEquals(cert.serialNumber, theirs.serialNumber.toLowerCase(), name);
  assertEquals(cert.notBefore.getTime(), theirs.notBefore.getTime(), name);
  assertEquals(cert.notAfter.getTime(), theirs.notAfter.getTime(), name);
  const bc = theirs.getExtension(x509.BasicConstraintsExtension);
  assertEquals(
    cert.basicConstraints,
    bc ? { critical: bc.critical, ca: bc.ca, pathLength: bc.pathLength } : undefined,
    name,
  );
  const ku = theirs.getExtension(x509.KeyUsagesExtension);
  assertEquals(cert.keyUsage, ku ? { critical: ku.critical, flags: ku.usages } : undefined, name);
  const eku = theirs.getExtension(x509.ExtendedKeyUsageExtension);
  assertEquals(
    cert.extendedKeyUsage,
    eku ? { critical: eku.critical, oids: Array.from(eku.usages, String) } : undefined,
    name,
  );
}

Deno.test("Certificate reads what @peculiar/x509 reads: notation's and the test PKI's chains", async () => {
  for (const spec of KEY_SPECS) {
    const envelope = await Deno.readFile(
      new URL(`../signature/testdata/notation_${spec.name}.jws`, import.meta.url),
    );
    const chain = parseEnvelope(envelope, "application/jose+json").unverifiedContent().signerInfo
      .certificateChain;
    for (const der of chain) assertSameFields(parseCertificate(der));
    for (const cert of (await getTestPki(spec.name)).chain) assertSameFields(cert);
  }
  for (const file of ["rsa8192_root.crt", "rsa8192_leaf.crt", "rsa8192_leaf_pss.crt"]) {
    const pem = await Deno.readTextFile(new URL(`./testdata/${file}`, import.meta.url));
    assertSameFields(parseCertificate(pem));
  }
});

Deno.test(
  needsOpenssl("Certificate reads what @peculiar/x509 reads: openssl's extensions and serials"),
  async () => {
    await withTempDir(async (dir) => {
      const cases: [string, string[]][] = [
        ["ff00000000000000000001", [
          "basicConstraints=critical,CA:TRUE,pathlen:3",
          "keyUsage=critical,keyCertSign,cRLSign,decipherOnly,encipherOnly",
        ]],
        ["0a", [
          "basicConstraints=CA:FALSE",
          "keyUsage=digitalSignature,nonRepudiation",
          "extendedKeyUsage=critical,codeSigning,timeStamping,1.2.3.4",
        ]],
        ["7f", ["keyUsage=keyAgreement"]],
      ];
      for (const [serial, exts] of cases) {
        await openssl([
          "req",
          "-x509",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:P-256",
          "-nodes",
          "-keyout",
          "k.pem",
          "-out",
          "c.pem",
          "-subj",
          `/CN=case ${serial}`,
          "-days",
          "400",
          "-set_serial",
          `0x${serial}`,
          ...exts.flatMap((e) => ["-addext", e]),
        ], dir);
        const cert = parseCertificate(await Deno.readTextFile(`${dir}/c.pem`));
        assertSameFields(cert);
        assertEquals(cert.serialNumber, serial);
      }
    });
  },
);
