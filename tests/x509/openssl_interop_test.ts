import { fromBase64Url, fromUtf8, utf8 } from "../../lib/_internal/bytes.ts";
import type { Bytes } from "../../lib/_internal/bytes.ts";
import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { getTestPki } from "../_helpers/pki.ts";
import {
  createPayload,
  LocalSigner,
  parseEnvelope,
  signEnvelope,
} from "../../lib/signature/mod.ts";
import { parseCertificate } from "../../lib/x509/certificate.ts";
import { createCertificate, generateKeyPair } from "../../lib/x509/create_certificate.ts";
import { generateTestCertificate } from "../../lib/x509/generate_test_certificate.ts";
import { exportPrivateKeyPem, importPrivateKey } from "../../lib/x509/private_key.ts";
import { keySpecByName } from "../../lib/x509/key_spec.ts";
import { craftJws, jwsHeader } from "../signature/_craft.ts";
import { needsOpenssl, openssl, withTempDir } from "./_openssl.ts";
import { genpkey } from "../_helpers/rsa_key_pool.ts";

const LEAF_EXT = [
  "-addext",
  "keyUsage=critical,digitalSignature",
  "-addext",
  "extendedKeyUsage=codeSigning",
  "-addext",
  "basicConstraints=CA:FALSE",
];
const KEYS: [string, string[], "RSA" | "EC"][] = [
  ["RSA-2048", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], "RSA"],
  ["RSA-3072", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"], "RSA"],
  ["EC-256", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"], "EC"],
  ["EC-384", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"], "EC"],
  ["EC-521", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"], "EC"],
];

Deno.test(
  needsOpenssl(
    "importPrivateKey() loads openssl keys as PKCS#8, PKCS#1 and SEC 1, and refuses encrypted ones",
  ),
  async () => {
    await withTempDir(async (dir) => {
      for (const [name, args, type] of KEYS) {
        await genpkey((a) => openssl(a, dir), dir, "k.pem", args);
        await openssl([
          type === "RSA" ? "rsa" : "ec",
          "-in",
          "k.pem",
          ...(type === "RSA" ? ["-traditional"] : []),
          "-out",
          "t.pem",
        ], dir);
        const traditional = await Deno.readTextFile(`${dir}/t.pem`);
        assert(traditional.includes(`BEGIN ${type} PRIVATE KEY`), traditional.slice(0, 40));
        assertEquals(
          (await importPrivateKey(await Deno.readTextFile(`${dir}/k.pem`))).keySpec.name,
          name,
        );
        assertEquals((await importPrivateKey(traditional)).keySpec.name, name);
      }
      await openssl([
        "pkey",
        "-in",
        "k.pem",
        "-aes256",
        "-passout",
        "pass:secret",
        "-out",
        "enc.pem",
      ], dir);
      await assertRejectsCode(
        () => importPrivateKey(Deno.readTextFileSync(`${dir}/enc.pem`)),
        "ERR_KEY_INVALID",
      );
      await openssl([
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-224",
        "-out",
        "p224.pem",
      ], dir);
      await assertRejectsCode(
        () => importPrivateKey(Deno.readTextFileSync(`${dir}/p224.pem`)),
        "ERR_KEY_INVALID",
        "not supported",
      );
    });
  },
);

function derToRaw(der: Uint8Array, size: number): Bytes {
  const out = new Uint8Array(size * 2);
  let pos = 2 + (der[1]! & 0x80 ? der[1]! & 0x7f : 0);
  for (let i = 0; i < 2; i++) {
    const len = der[pos + 1]!;
    const v = der.subarray(pos + 2, pos + 2 + len);
    const trimmed = v.length > size ? v.subarray(v.length - size) : v;
    out.set(trimmed, (i + 1) * size - trimmed.length);
    pos += 2 + len;
  }
  return out;
}

function rawToDer(raw: Uint8Array): Bytes {
  const half = raw.length / 2;
  const int = (b: Uint8Array) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = [...b.subarray(i)];
    if (v[0]! & 0x80) v.unshift(0);
    return [0x02, v.length, ...v];
  };
  const body = [...int(raw.subarray(0, half)), ...int(raw.subarray(half))];
  return new Uint8Array(
    body.length < 128 ? [0x30, body.length, ...body] : [0x30, 0x81, body.length, ...body],
  );
}

function pssOpts(hashLength: number): string[] {
  return ["-sigopt", "rsa_padding_mode:pss", "-sigopt", `rsa_pss_saltlen:${hashLength}`];
}

Deno.test(
  needsOpenssl(
    "LocalSigner signs with openssl keys and certificates; openssl verifies the signatures",
  ),
  async () => {
    await withTempDir(async (dir) => {
      for (const [name, args] of KEYS) {
        const spec = keySpecByName(name);
        await genpkey((a) => openssl(a, dir), dir, "k.pem", args);
        await openssl([
          "req",
          "-x509",
          "-new",
          "-key",
          "k.pem",
          "-subj",
          "/C=US/ST=WA/O=Interop/CN=openssl",
          "-days",
          "1",
          ...LEAF_EXT,
          "-out",
          "c.pem",
        ], dir);
        await openssl(["pkey", "-in", "k.pem", "-pubout", "-out", "pub.pem"], dir);
        const signer = await LocalSigner.create({
          privateKey: await Deno.readTextFile(`${dir}/k.pem`),
          certificateChain: await Deno.readTextFile(`${dir}/c.pem`),
        });
        const bytes = await signEnvelope({
          format: "jws",
          payload: createPayload({
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            digest: "sha256:" + "1".repeat(64),
            size: 9,
          }),
          signer,
        });
        await parseEnvelope(bytes, "application/jose+json").verify();
        const env = JSON.parse(fromUtf8(bytes));
        await Deno.writeFile(`${dir}/input.bin`, utf8(`${env.protected}.${env.payload}`));
        const sig = fromBase64Url(env.signature);
        await Deno.writeFile(`${dir}/sig.bin`, spec.keyType === "EC" ? rawToDer(sig) : sig);
        const dgst = `-${spec.hash.replace("-", "").toLowerCase()}`;
        const opts = spec.keyType === "RSA" ? pssOpts(spec.hashLength) : [];
        const out = await openssl([
          "dgst",
          dgst,
          ...opts,
          "-verify",
          "pub.pem",
          "-signature",
          "sig.bin",
          "input.bin",
        ], dir);
        assert(out.stdout.includes("Verified OK"), `${name}: ${out.stdout}`);
      }
    });
  },
);

Deno.test(
  needsOpenssl(
    "parseEnvelope() verifies JWS signatures made by openssl (ES256, ES521, PS256, PS384)",
  ),
  async () => {
    await withTempDir(async (dir) => {
      for (const [name, args] of KEYS) {
        const spec = keySpecByName(name);
        await genpkey((a) => openssl(a, dir), dir, "k.pem", args);
        await openssl([
          "req",
          "-x509",
          "-new",
          "-key",
          "k.pem",
          "-subj",
          "/C=US/ST=WA/O=Interop/CN=openssl",
          "-days",
          "1",
          ...LEAF_EXT,
          "-out",
          "c.pem",
        ], dir);
        const cert = parseCertificate(await Deno.readTextFile(`${dir}/c.pem`));
        const sign = async (data: Bytes): Promise<Bytes> => {
          await Deno.writeFile(`${dir}/in.bin`, data);
          const dgst = `-${spec.hash.replace("-", "").toLowerCase()}`;
          const opts = spec.keyType === "RSA" ? pssOpts(spec.hashLength) : [];
          await openssl(["dgst", dgst, ...opts, "-sign", "k.pem", "-out", "s.bin", "in.bin"], dir);
          const s = await Deno.readFile(`${dir}/s.bin`);
          return spec.keyType === "EC" ? derToRaw(s, spec.signatureLength! / 2) : s;
        };
        const bytes = await craftJws({ header: jwsHeader(spec.jwsAlgorithm), sign, chain: [cert] });
        const content = await parseEnvelope(bytes, "application/jose+json").verify();
        assertEquals(content.signerInfo.signatureAlgorithm, spec.jwsAlgorithm);
      }
    });
  },
);

Deno.test("LocalSigner.create() refuses a key that is not the leaf's", async () => {
  const a = await getTestPki("EC-256");
  const b = await getTestPki("EC-384");
  const other = await generateKeyPair("EC-256");
  await assertRejectsCode(
    () => LocalSigner.create({ privateKey: b.keyPem, certificateChain: a.chain }),
    "ERR_KEY_INVALID",
    "does not match the certificate",
  );
  const otherPem = await exportPrivateKeyPem(other.privateKey);
  await assertRejectsCode(
    () => LocalSigner.create({ privateKey: otherPem, certificateChain: a.chain }),
    "ERR_KEY_INVALID",
    "does not match the certificate",
  );
  await assertRejectsCode(
    () => LocalSigner.create({ privateKey: otherPem, certificateChain: [] }),
    "ERR_KEY_INVALID",
    "chain is empty",
  );
});

Deno.test(
  needsOpenssl("generateTestCertificate() matches notation cert generate-test and passes openssl"),
  async () => {
    await withTempDir(async (dir) => {
      const before = Math.floor(Date.now() / 1000) * 1000;
      const g = await generateTestCertificate("wabbit-networks.io");
      assertEquals(g.keySpec.name, "RSA-2048");
      assertEquals(g.certificate.subject, "CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US");
      assertEquals(g.certificate.issuer, g.certificate.subject);
      assertEquals(g.certificate.basicConstraints, undefined);
      assertEquals(g.certificate.keyUsage, { critical: true, flags: 1 });
      assertEquals(g.certificate.extendedKeyUsage, {
        critical: false,
        oids: ["1.3.6.1.5.5.7.3.3"],
      });
      assert(g.certificate.notBefore.getTime() >= before);
      assertEquals(
        g.certificate.notAfter.getTime() - g.certificate.notBefore.getTime(),
        24 * 3600_000,
      );
      assert(parseInt(g.certificate.serialNumber, 16) < 200);
      assert(g.keyPem.startsWith("-----BEGIN PRIVATE KEY-----"));
      await Deno.writeTextFile(`${dir}/c.pem`, g.certificatePem);
      await Deno.writeTextFile(`${dir}/k.pem`, g.keyPem);
      const text = (await openssl(["x509", "-in", "c.pem", "-noout", "-text"], dir)).stdout;
      assert(
        text.includes("Subject: C = US, ST = WA, L = Seattle, O = Notary, CN = wabbit-networks.io"),
        text,
      );
      assert(
        /Key Usage: critical\s+Digital Signature/.test(text) && text.includes("Code Signing") &&
          !text.includes("Basic Constraints"),
      );
      assert(text.includes("sha256WithRSAEncryption"));
      assert(
        (await openssl(["verify", "-purpose", "any", "-CAfile", "c.pem", "c.pem"], dir)).stdout
          .includes("OK"),
      );
      await openssl(["pkey", "-in", "k.pem", "-noout"], dir);
      const signer = await LocalSigner.create({
        privateKey: g.keyPem,
        certificateChain: g.certificatePem,
      });
      assertEquals(signer.keySpec.jwsAlgorithm, "PS256");
      for (
        const [opts, alg] of [[{ bits: 3072 }, "PS384"], [
          { keySpec: "EC-521" as const },
          "ES512",
        ]] as const
      ) {
        const h = await generateTestCertificate("x", opts);
        assertEquals(
          (await LocalSigner.create({ privateKey: h.keyPem, certificateChain: h.certificatePem }))
            .keySpec.jwsAlgorithm,
          alg,
        );
      }
    });
    await assertRejectsCode(
      () => generateTestCertificate("bad name"),
      "ERR_INVALID_INPUT",
      "Invalid key name",
    );
    await assertRejectsCode(
      () => generateTestCertificate("ok", { bits: 1024 }),
      "ERR_INVALID_INPUT",
      "not supported",
    );
  },
);

Deno.test(
  needsOpenssl("createCertificate() chains pass openssl verify, and high serials stay positive"),
  async () => {
    await withTempDir(async (dir) => {
      const pki = await getTestPki();
      await Deno.writeTextFile(`${dir}/root.pem`, pki.root.toPem());
      await Deno.writeTextFile(`${dir}/int.pem`, pki.intermediate.toPem());
      await Deno.writeTextFile(`${dir}/leaf.pem`, pki.leaf.toPem());
      const out = await openssl([
        "verify",
        "-purpose",
        "any",
        "-CAfile",
        "root.pem",
        "-untrusted",
        "int.pem",
        "leaf.pem",
      ], dir);
      assert(out.stdout.includes("leaf.pem: OK"), out.stdout);
      const keys = await generateKeyPair("EC-256");
      const c = await createCertificate({
        subject: "CN=s",
        publicKey: keys.publicKey,
        privateKey: keys.privateKey,
        serialNumber: "c7",
      });
      await Deno.writeTextFile(`${dir}/s.pem`, c.toPem());
      const serial = (await openssl(["x509", "-in", "s.pem", "-noout", "-serial"], dir)).stdout
        .trim();
      assertEquals(serial, "serial=C7");
      assertEquals(c.serialNumber, "c7");
    });
  },
);
