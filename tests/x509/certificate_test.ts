import { toHex, utf8 } from "../../lib/_internal/bytes.ts";
import { assert, assertEquals, assertThrowsCode } from "../_helpers/assert.ts";
import { parseCertificate, parseCertificates } from "../../lib/x509/certificate.ts";
import { formatName } from "../../lib/x509/distinguished_name.ts";
import { decodePem, encodePem } from "../../lib/x509/pem.ts";
import { needsOpenssl, openssl, withTempDir } from "./_openssl.ts";

const CONFIG = `[ req ]
distinguished_name = dn
[ dn ]
[ leaf ]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = codeSigning,1.2.3.4
`;

Deno.test(
  needsOpenssl("parseCertificate() reads an openssl certificate as notation sees it"),
  async () => {
    await withTempDir(async (dir) => {
      await Deno.writeTextFile(`${dir}/o.cnf`, CONFIG);
      await openssl([
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-384",
        "-out",
        "k.pem",
      ], dir);
      await openssl([
        "req",
        "-x509",
        "-new",
        "-config",
        "o.cnf",
        "-extensions",
        "leaf",
        "-key",
        "k.pem",
        "-days",
        "2",
        "-multivalue-rdn",
        "-subj",
        "/C=US/ST=WA/L=Seattle/O=Acme, Inc./OU=Eng+OU=Ops/CN=#test <x>/emailAddress=a@b.com",
        "-set_serial",
        "0x1f2e3d",
        "-out",
        "c.pem",
      ], dir);
      const cert = parseCertificate(await Deno.readTextFile(`${dir}/c.pem`));
      const email = toHex(new Uint8Array([0x0c, 7, ...utf8("a@b.com")]));
      assertEquals(
        cert.subject,
        `CN=\\#test \\<x\\>,OU=Eng+OU=Ops,O=Acme\\, Inc.,L=Seattle,ST=WA,C=US,1.2.840.113549.1.9.1=#${email}`,
      );
      assertEquals(cert.issuer, cert.subject);
      assertEquals(cert.serialNumber, "1f2e3d");
      assertEquals(cert.version, 3);
      assertEquals(cert.keySpec().name, "EC-384");
      assertEquals(cert.basicConstraints, { critical: false, ca: false, pathLength: undefined });
      assertEquals(cert.keyUsage, { critical: true, flags: 3 });
      assertEquals(cert.extendedKeyUsage, {
        critical: false,
        oids: ["1.3.6.1.5.5.7.3.3", "1.2.3.4"],
      });
      assert(cert.hasKeyUsage("contentCommitment") && !cert.hasKeyUsage("keyCertSign"));
      const fp =
        (await openssl(["x509", "-in", "c.pem", "-noout", "-fingerprint", "-sha256"], dir)).stdout;
      assertEquals(
        await cert.sha256Fingerprint(),
        fp.split("=")[1]!.trim().replace(/:/g, "").toLowerCase(),
      );
      const end = (await openssl(["x509", "-in", "c.pem", "-noout", "-enddate"], dir)).stdout;
      assertEquals(cert.notAfter.getTime(), new Date(end.split("=")[1]!.trim()).getTime());
      assert(cert.isSelfIssued && (await cert.checkSignature(cert)) === undefined);
      await openssl(["x509", "-in", "c.pem", "-outform", "DER", "-out", "c.der"], dir);
      assert(parseCertificate(await Deno.readFile(`${dir}/c.der`)).equals(cert));
    });
  },
);

Deno.test(
  needsOpenssl("parseCertificates() reads concatenated DER and multi-block PEM"),
  async () => {
    await withTempDir(async (dir) => {
      await openssl([
        "req",
        "-x509",
        "-newkey",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "k.pem",
        "-subj",
        "/CN=a",
        "-days",
        "1",
        "-out",
        "a.pem",
      ], dir);
      await openssl(["x509", "-in", "a.pem", "-outform", "DER", "-out", "a.der"], dir);
      const der = await Deno.readFile(`${dir}/a.der`);
      const pem = await Deno.readTextFile(`${dir}/a.pem`);
      assertEquals(parseCertificates(new Uint8Array([...der, ...der])).length, 2);
      assertEquals(parseCertificates(pem + "garbage between blocks\n" + pem).length, 2);
      assertEquals(parseCertificate(der).subject, "CN=a");
    });
  },
);

Deno.test("parseCertificate() rejects garbage, truncation and a missing block with ERR_CERTIFICATE_INVALID", () => {
  assertThrowsCode(
    () => parseCertificate("hello"),
    "ERR_CERTIFICATE_INVALID",
    "No PEM CERTIFICATE block",
  );
  assertThrowsCode(
    () => parseCertificate(new Uint8Array([0x30, 0x03, 0x02, 0x01])),
    "ERR_CERTIFICATE_INVALID",
  );
  assertThrowsCode(
    () => parseCertificate(encodePem("CERTIFICATE", new Uint8Array([0x30, 0x00]))),
    "ERR_CERTIFICATE_INVALID",
  );
});

Deno.test("decodePem() rejects mismatched labels, encrypted blocks and bad base64", () => {
  assertThrowsCode(
    () => decodePem("-----BEGIN A-----\nAAAA\n-----END B-----\n"),
    "ERR_INVALID_INPUT",
    "ends with",
  );
  assertThrowsCode(
    () =>
      decodePem(
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END RSA PRIVATE KEY-----\n",
      ),
    "ERR_INVALID_INPUT",
    "headers",
  );
  assertThrowsCode(
    () => decodePem("-----BEGIN A-----\nA*AA\n-----END A-----\n"),
    "ERR_INVALID_INPUT",
    "base64",
  );
  assertEquals(decodePem(encodePem("X", new Uint8Array(100)))[0]!.der.length, 100);
});

Deno.test("formatName() follows Go's pkix.Name.String() ordering and escaping", () => {
  const a = (oid: string, value: string, rdn: number) => ({ oid, value, rdn });
  assertEquals(
    formatName([
      a("2.5.4.3", "first", 0),
      a("2.5.4.6", "US", 1),
      a("2.5.4.3", "last", 2),
      a("2.5.4.8", " WA ", 3),
      a("0.9.2342.19200300.100.1.25", "com", 4),
    ]),
    "CN=last,ST=\\ WA\\ ,C=US,0.9.2342.19200300.100.1.25=#1303636f6d",
  );
  assertEquals(formatName([a("2.5.4.10", 'a+b;c"d\\e', 0)]), 'O=a\\+b\\;c\\"d\\\\e');
});
