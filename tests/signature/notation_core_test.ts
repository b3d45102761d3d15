/**
 * Interop with the real notation-core-go v1.3.0 (the envelope library of notation 1.3.2): it
 * must accept every envelope ocisign signs, and ocisign must accept what it signs. The Go
 * checker in `notation_core/` is built with the local Go toolchain; without Go the test skips
 * (or fails under `OCISIGN_REQUIRE_PEERS=1`).
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { getTestPki } from "../_helpers/pki.ts";
import { createPayload, parseEnvelope, signEnvelope } from "../../lib/signature/mod.ts";
import { KEY_SPECS } from "../../lib/x509/key_spec.ts";
import { parseCertificates } from "../../lib/x509/certificate.ts";
import { CHECKER, run } from "./_notation_core.ts";

const MEDIA = { jws: "application/jose+json", cose: "application/cose" } as const;
/** A stand-in DER value for the unsigned timestamp header. */
const TOKEN = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]);

Deno.test({
  name: "signEnvelope() output is accepted by notation-core-go, and its output by parseEnvelope()",
  ignore: CHECKER === undefined,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "ocisign-notation-core-" });
    try {
      const bin = CHECKER!;
      const payload = createPayload({
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        digest: "sha256:" + "9".repeat(64),
        size: 77,
        annotations: { "com.example": "<&>" },
      });
      await Deno.writeFile(`${dir}/payload`, payload);
      for (const spec of KEY_SPECS) {
        const pki = await getTestPki(spec.name);
        await Deno.writeTextFile(`${dir}/key.pem`, pki.keyPem);
        await Deno.writeTextFile(`${dir}/chain.pem`, pki.chainPem);
        for (const format of ["jws", "cose"] as const) {
          const files: string[] = [];
          for (const scheme of ["notary.x509", "notary.x509.signingAuthority"] as const) {
            const file = `${dir}/${spec.name}-${scheme}.${format}`;
            await Deno.writeFile(
              file,
              await signEnvelope({
                format,
                payload,
                signer: pki.signer,
                signingScheme: scheme,
                expiry: new Date(Date.now() + 3600_000),
                signingAgent: "ocisign/test",
                extendedAttributes: [{ key: "com.example.flag", critical: true, value: "on" }],
                // notation-core-go carries the token without judging it; the verifier does.
                ...(scheme === "notary.x509" ? { timestamp: () => Promise.resolve(TOKEN) } : {}),
              }),
            );
            files.push(file);
          }
          const verified = await run(bin, ["verify", MEDIA[format], ...files]);
          assertEquals(
            verified.stdout.trim().split("\n"),
            [
              `OK ${spec.jwsAlgorithm} notary.x509`,
              `OK ${spec.jwsAlgorithm} notary.x509.signingAuthority`,
            ],
            `${spec.name} ${format}: ${verified.stdout}${verified.stderr}`,
          );
          const theirs = `${dir}/theirs.${format}`;
          const signed = await run(bin, [
            "sign",
            MEDIA[format],
            `${dir}/key.pem`,
            `${dir}/chain.pem`,
            `${dir}/payload`,
            theirs,
          ]);
          assert(signed.code === 0, signed.stderr);
          const content = await parseEnvelope(await Deno.readFile(theirs), MEDIA[format]).verify();
          assertEquals(content.signerInfo.signatureAlgorithm, spec.jwsAlgorithm);
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

const SUBJECTS: [string, string[]][] = [
  ["/C=US/ST=WA/L=Seattle/O=Acme, Inc./OU=Eng+OU=Ops/CN=#test <x>/emailAddress=a@b.com", [
    "-multivalue-rdn",
  ]],
  [
    '/CN= lead and trail /O=a;b"c\\\\d/DC=com/DC=example/UID=u1/serialNumber=42/street=Main St/postalCode=98052',
    [],
  ],
  ["/C=DE/CN=Zo\u00eb \u00dcn\u00efcode/O=\u65e5\u672c", ["-utf8"]],
  ["/CN=first/CN=second/O=one/O=two", []],
];

Deno.test({
  name: "Certificate.subject renders names exactly as notation (Go pkix.Name.String()) does",
  ignore: CHECKER === undefined,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "ocisign-notation-core-" });
    try {
      const bin = CHECKER!;
      let pem = "";
      for (const [i, [subject, extra]] of SUBJECTS.entries()) {
        const made = await run("openssl", [
          "req",
          "-x509",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:P-256",
          "-nodes",
          "-keyout",
          `${dir}/k${i}.pem`,
          "-subj",
          subject,
          ...extra,
          "-days",
          "1",
          "-out",
          `${dir}/c${i}.pem`,
        ]);
        if (made.code !== 0) throw new Error(`openssl failed: ${made.stderr}`);
        pem += await Deno.readTextFile(`${dir}/c${i}.pem`);
      }
      await Deno.writeTextFile(`${dir}/all.pem`, pem);
      const go = await run(bin, ["subject", `${dir}/all.pem`]);
      assert(go.code === 0, go.stderr);
      assertEquals(
        parseCertificates(pem).map((c) => c.subject),
        go.stdout.replace(/\n$/, "").split("\n"),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
