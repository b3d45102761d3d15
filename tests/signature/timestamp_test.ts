import type { Bytes } from "../../lib/_internal/bytes.ts";
import { fromBase64Url, fromUtf8 } from "../../lib/_internal/bytes.ts";
import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { getTestPki } from "../_helpers/pki.ts";
import { type CborTag, decodeCbor } from "../../lib/signature/cbor/mod.ts";
import type { CborValue } from "../../lib/signature/cbor/mod.ts";
import { createPayload, parseEnvelope, signEnvelope } from "../../lib/signature/mod.ts";
import { needsOpenssl, openssl, withTempDir } from "../x509/_openssl.ts";

const CONFIG = `[ req ]
distinguished_name = dn
[ dn ]
[ tsa_ext ]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
[ tsa ]
default_tsa = tsa1
[ tsa1 ]
serial = tsaserial
signer_cert = tsa.pem
signer_key = tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ess_cert_id_alg = sha256
`;

const PAYLOAD = createPayload({
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  digest: "sha256:" + "7".repeat(64),
  size: 10,
});

Deno.test(
  needsOpenssl("signEnvelope() stores an RFC 3161 token over the signature bytes (openssl TSA)"),
  async () => {
    await withTempDir(async (dir) => {
      await Deno.writeTextFile(`${dir}/tsa.cnf`, CONFIG);
      await Deno.writeTextFile(`${dir}/tsaserial`, "01\n");
      await openssl([
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        "tsa.key",
      ], dir);
      await openssl([
        "req",
        "-x509",
        "-new",
        "-config",
        "tsa.cnf",
        "-extensions",
        "tsa_ext",
        "-key",
        "tsa.key",
        "-subj",
        "/CN=Test TSA",
        "-days",
        "1",
        "-out",
        "tsa.pem",
      ], dir);
      const timestamp = async (signature: Bytes): Promise<Bytes> => {
        await Deno.writeFile(`${dir}/sig.bin`, signature);
        await openssl(
          ["ts", "-query", "-data", "sig.bin", "-sha256", "-cert", "-out", "q.tsq"],
          dir,
        );
        await openssl([
          "ts",
          "-reply",
          "-config",
          "tsa.cnf",
          "-queryfile",
          "q.tsq",
          "-token_out",
          "-out",
          "tok.der",
        ], dir);
        return await Deno.readFile(`${dir}/tok.der`);
      };
      const pki = await getTestPki("RSA-2048");
      for (const format of ["jws", "cose"] as const) {
        const bytes = await signEnvelope({
          format,
          payload: PAYLOAD,
          signer: pki.signer,
          timestamp,
        });
        const mediaType = format === "jws" ? "application/jose+json" : "application/cose";
        const content = await parseEnvelope(bytes, mediaType).verify();
        const token = content.signerInfo.unsignedAttributes.timestampSignature;
        assert(token !== undefined);
        assertEquals(token, await Deno.readFile(`${dir}/tok.der`));
        if (format === "jws") {
          const env = JSON.parse(fromUtf8(bytes));
          assertEquals(Object.keys(env.header), ["io.cncf.notary.timestampSignature", "x5c"]);
          assertEquals(fromBase64Url(env.signature), content.signerInfo.signature);
        } else {
          const parts = (decodeCbor(bytes) as CborTag).value as CborValue[];
          assertEquals(parts[3], content.signerInfo.signature);
        }
        await Deno.writeFile(`${dir}/sig.bin`, content.signerInfo.signature);
        const verified = await openssl([
          "ts",
          "-verify",
          "-data",
          "sig.bin",
          "-in",
          "tok.der",
          "-token_in",
          "-CAfile",
          "tsa.pem",
        ], dir);
        assert(verified.stdout.includes("Verification: OK"), verified.stdout + verified.stderr);
      }
    });
  },
);

Deno.test("signEnvelope() refuses a timestamp with the signingAuthority scheme", async () => {
  const pki = await getTestPki();
  await assertRejectsCode(
    () =>
      signEnvelope({
        format: "cose",
        payload: PAYLOAD,
        signer: pki.signer,
        signingScheme: "notary.x509.signingAuthority",
        timestamp: () => Promise.resolve(new Uint8Array(1)),
      }),
    "ERR_INVALID_INPUT",
    "notary.x509 signing scheme only",
  );
});
