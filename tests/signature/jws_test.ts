import { fromUtf8, toBase64, toBase64Url, utf8 } from "../../lib/_internal/bytes.ts";
import type { Bytes } from "../../lib/_internal/bytes.ts";
import { assert, assertEquals, assertRejectsCode, assertThrowsCode } from "../_helpers/assert.ts";
import { createTestLeaf, getTestPki } from "../_helpers/pki.ts";
import type { TestIdentity } from "../_helpers/pki.ts";
import { parseEnvelope } from "../../lib/signature/mod.ts";
import { importPrivateKey } from "../../lib/x509/private_key.ts";
import { createCertificate, generateKeyPair } from "../../lib/x509/create_certificate.ts";
import { craftJws, flip, jwsHeader, rfc3339 } from "./_craft.ts";
import type { SignFn } from "./_craft.ts";

const JWS = "application/jose+json";

async function signFn(
  keyPem: string,
  params?: AlgorithmIdentifier | RsaPssParams,
): Promise<SignFn> {
  const { key, keySpec } = await importPrivateKey(keyPem);
  return async (data) =>
    new Uint8Array(await crypto.subtle.sign(params ?? keySpec.signParams, key, data));
}

async function ec256(): Promise<{ id: TestIdentity; sign: SignFn }> {
  const id = await getTestPki("EC-256");
  return { id, sign: await signFn(id.keyPem) };
}

async function rejects(
  bytes: Bytes,
  code: "ERR_SIGNATURE_INTEGRITY" | "ERR_ENVELOPE_INVALID",
  text: string,
) {
  if (code === "ERR_ENVELOPE_INVALID") {
    let parsed;
    try {
      parsed = parseEnvelope(bytes, JWS);
    } catch (err) {
      assertEquals((err as { code?: string }).code, code, String(err));
      assert((err as Error).message.includes(text), (err as Error).message);
      return;
    }
    await assertRejectsCode(() => parsed.verify(), code, text);
    return;
  }
  await assertRejectsCode(() => parseEnvelope(bytes, JWS).verify(), code, text);
}

Deno.test("parseEnvelope() JWS accepts a crafted valid envelope (sanity for the rejection tests)", async () => {
  const { id, sign } = await ec256();
  const content = await parseEnvelope(
    await craftJws({ header: jwsHeader("ES256"), sign, chain: id.chain }),
    JWS,
  ).verify();
  assertEquals(content.signerInfo.signatureAlgorithm, "ES256");
});

Deno.test("parseEnvelope() JWS rejects algorithms outside the Notary set (none, HS256, RS256)", async () => {
  const { id, sign } = await ec256();
  for (const alg of ["none", "HS256", "RS256"]) {
    await rejects(
      await craftJws({ header: jwsHeader(alg), sign, chain: id.chain }),
      "ERR_SIGNATURE_INTEGRITY",
      `"${alg}" is not supported`,
    );
  }
});

Deno.test("parseEnvelope() JWS rejects an alg that does not match the leaf key", async () => {
  for (
    const [spec, alg] of [["RSA-3072", "PS256"], ["EC-384", "ES256"], ["EC-256", "ES512"]] as const
  ) {
    const id = await getTestPki(spec);
    const bytes = await craftJws({
      header: jwsHeader(alg),
      sign: await signFn(id.keyPem),
      chain: id.chain,
    });
    await rejects(
      bytes,
      "ERR_SIGNATURE_INTEGRITY",
      "mismatch between signature algorithm derived from signing certificate",
    );
  }
});

Deno.test("parseEnvelope() JWS rejects a DER-encoded ECDSA signature", async () => {
  const { id, sign } = await ec256();
  const der: SignFn = async (data) => {
    const raw = await sign(data);
    const int = (b: Uint8Array) => {
      let i = 0;
      while (i < b.length - 1 && b[i] === 0) i++;
      const v = b.subarray(i);
      return v[0]! & 0x80 ? [0x02, v.length + 1, 0, ...v] : [0x02, v.length, ...v];
    };
    const body = [...int(raw.subarray(0, 32)), ...int(raw.subarray(32))];
    return new Uint8Array([0x30, body.length, ...body]);
  };
  await rejects(
    await craftJws({ header: jwsHeader("ES256"), sign: der, chain: id.chain }),
    "ERR_SIGNATURE_INTEGRITY",
    "signature is invalid",
  );
});

Deno.test("parseEnvelope() JWS rejects one changed byte in payload, protected header or signature", async () => {
  const { id, sign } = await ec256();
  const good = JSON.parse(
    fromUtf8(await craftJws({ header: jwsHeader("ES256"), sign, chain: id.chain })),
  );
  for (const field of ["payload", "protected", "signature"]) {
    const env = { ...good };
    const s: string = env[field];
    const i = 5;
    env[field] = s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
    const bytes = utf8(JSON.stringify(env));
    let err: unknown;
    try {
      await parseEnvelope(bytes, JWS).verify();
    } catch (e) {
      err = e;
    }
    const code = (err as { code?: string })?.code;
    assert(
      code === "ERR_SIGNATURE_INTEGRITY" || code === "ERR_ENVELOPE_INVALID",
      `${field}: ${err}`,
    );
  }
  const truncated = { ...good, signature: good.signature.slice(0, 40) };
  await rejects(utf8(JSON.stringify(truncated)), "ERR_SIGNATURE_INTEGRITY", "signature is invalid");
});

Deno.test("parseEnvelope() JWS enforces crit rules", async () => {
  const { id, sign } = await ec256();
  const cases: [Record<string, unknown>, string][] = [
    [jwsHeader("ES256", { crit: undefined }), 'missing "crit" header'],
    [jwsHeader("ES256", { crit: [] }), 'missing "crit" header'],
    [
      jwsHeader("ES256", {
        crit: ["io.cncf.notary.expiry"],
        "io.cncf.notary.expiry": rfc3339(3600),
      }),
      "not marked as critical: [io.cncf.notary.signingScheme]",
    ],
    [
      jwsHeader("ES256", { "io.cncf.notary.expiry": rfc3339(3600) }),
      "not marked as critical: [io.cncf.notary.expiry]",
    ],
    [
      jwsHeader("ES256", { crit: ["io.cncf.notary.signingScheme", "io.cncf.notary.signingTime"] }),
      '"io.cncf.notary.signingTime" header is marked critical but not present',
    ],
    [
      jwsHeader("ES256", { crit: ["io.cncf.notary.signingScheme", "alg"] }),
      '"alg" header is marked critical but not present',
    ],
    [
      jwsHeader("ES256", { crit: ["io.cncf.notary.signingScheme", "io.cncf.notary.expiry"] }),
      '"io.cncf.notary.expiry" header is marked critical but not present',
    ],
    [
      jwsHeader("ES256", { crit: ["io.cncf.notary.signingScheme", "com.example.absent"] }),
      '"com.example.absent" header is marked critical but not present',
    ],
    [
      jwsHeader("ES256", { "io.cncf.notary.verificationPlugin": "p" }),
      "not marked as critical: [io.cncf.notary.verificationPlugin]",
    ],
  ];
  for (const [header, message] of cases) {
    if (header.crit === undefined) delete header.crit;
    await rejects(
      await craftJws({ header, sign, chain: id.chain }),
      "ERR_SIGNATURE_INTEGRITY",
      message,
    );
  }
});

Deno.test("parseEnvelope() JWS enforces signing scheme rules", async () => {
  const { id, sign } = await ec256();
  const sa = { "io.cncf.notary.signingScheme": "notary.x509.signingAuthority" };
  const cases: [Record<string, unknown>, string][] = [
    [
      jwsHeader("ES256", { "io.cncf.notary.signingScheme": "notary.default.x509" }),
      'unsupported SigningScheme "notary.default.x509"',
    ],
    [
      jwsHeader("ES256", { "io.cncf.notary.signingScheme": undefined }),
      'missing "io.cncf.notary.signingScheme" header',
    ],
    [
      jwsHeader("ES256", { "io.cncf.notary.authenticSigningTime": rfc3339(-60) }),
      "must not be present for notary.x509",
    ],
    [
      jwsHeader("ES256", { "io.cncf.notary.signingTime": undefined }),
      'missing "io.cncf.notary.signingTime" header',
    ],
    [
      jwsHeader("ES256", { ...sa, "io.cncf.notary.signingTime": undefined }),
      'missing "io.cncf.notary.authenticSigningTime"',
    ],
    [
      jwsHeader("ES256", {
        ...sa,
        crit: ["io.cncf.notary.signingScheme", "io.cncf.notary.authenticSigningTime"],
        "io.cncf.notary.authenticSigningTime": rfc3339(-60),
      }),
      "must not be present for notary.x509.signingAuthority",
    ],
    [
      jwsHeader("ES256", {
        ...sa,
        "io.cncf.notary.signingTime": undefined,
        "io.cncf.notary.authenticSigningTime": rfc3339(-60),
      }),
      "not marked as critical: [io.cncf.notary.authenticSigningTime]",
    ],
  ];
  for (const [header, message] of cases) {
    for (const k of Object.keys(header)) if (header[k] === undefined) delete header[k];
    await rejects(
      await craftJws({ header, sign, chain: id.chain }),
      "ERR_SIGNATURE_INTEGRITY",
      message,
    );
  }
});

Deno.test("parseEnvelope() JWS rejects an expiry equal to or before the signing time", async () => {
  const { id, sign } = await ec256();
  for (const expiry of [rfc3339(-60), rfc3339(-120)]) {
    const header = jwsHeader("ES256", {
      crit: ["io.cncf.notary.signingScheme", "io.cncf.notary.expiry"],
      "io.cncf.notary.expiry": expiry,
    });
    await rejects(
      await craftJws({ header, sign, chain: id.chain }),
      "ERR_SIGNATURE_INTEGRITY",
      "must be after the signing time",
    );
  }
});

Deno.test("parseEnvelope() JWS rejects a missing or wrong cty", async () => {
  const { id, sign } = await ec256();
  const noCty = jwsHeader("ES256");
  delete noCty.cty;
  await rejects(
    await craftJws({ header: noCty, sign, chain: id.chain }),
    "ERR_SIGNATURE_INTEGRITY",
    "missing content type",
  );
  await rejects(
    await craftJws({
      header: jwsHeader("ES256", { cty: "application/json" }),
      sign,
      chain: id.chain,
    }),
    "ERR_SIGNATURE_INTEGRITY",
    'payload content type "application/json" not supported',
  );
});

Deno.test("parseEnvelope() JWS rejects bad base64, bad JSON and unexpected fields", async () => {
  const { id, sign } = await ec256();
  const good = JSON.parse(
    fromUtf8(await craftJws({ header: jwsHeader("ES256"), sign, chain: id.chain })),
  );
  const bad = (m: (e: Record<string, unknown>) => void) => {
    const e = structuredClone(good);
    m(e);
    return utf8(JSON.stringify(e));
  };
  await rejects(
    bad((e) => (e.protected += "=")),
    "ERR_ENVELOPE_INVALID",
    '"protected" is not unpadded base64url',
  );
  await rejects(
    bad((e) => (e.payload = (e.payload as string).replace(/.$/, "+"))),
    "ERR_ENVELOPE_INVALID",
    '"payload" is not unpadded base64url',
  );
  await rejects(
    bad((
      e,
    ) => ((e.header as { x5c: string[] }).x5c[0] =
      (e.header as { x5c: string[] }).x5c[0]!.replace(/\+/g, "-").replace(/\//g, "_").replace(
        /=+$/,
        "",
      ) + "-_")
    ),
    "ERR_ENVELOPE_INVALID",
    "malformed leaf certificate",
  );
  await rejects(
    bad((e) => (e.extra = 1)),
    "ERR_ENVELOPE_INVALID",
    'unexpected top-level field "extra"',
  );
  await rejects(
    bad((e) => ((e.header as { x5c: string[] }).x5c = [])),
    "ERR_ENVELOPE_INVALID",
    "certificate chain is not present",
  );
  await rejects(bad((e) => delete e.header), "ERR_ENVELOPE_INVALID", '"header" must be an object');
  const text = JSON.stringify(good);
  await rejects(utf8(text.slice(0, text.length - 10)), "ERR_ENVELOPE_INVALID", "not valid JSON");
  await rejects(utf8("[1,2]"), "ERR_ENVELOPE_INVALID", "not a JSON object");
  await rejects(new Uint8Array([0xff, 0xfe]), "ERR_ENVELOPE_INVALID", "not UTF-8");
  await rejects(
    await craftJws({
      header: jwsHeader("ES256", { "io.cncf.notary.signingTime": "yesterday" }),
      sign,
      chain: id.chain,
    }),
    "ERR_ENVELOPE_INVALID",
    "RFC 3339",
  );
});

Deno.test("parseEnvelope() JWS rejects chains that break the code-signing profile", async () => {
  const cases: [Parameters<typeof createTestLeaf>[0], string][] = [
    [{ basicConstraints: { ca: true } }, "the ca field must be set to false"],
    [{ keyUsage: { usages: ["keyEncipherment"] } }, "digital signature set"],
    [
      { keyUsage: { usages: ["digitalSignature", "keyEncipherment"] } },
      "must not have the bit positions for keyEncipherment",
    ],
    [
      { keyUsage: { usages: ["digitalSignature"], critical: false } },
      "key usage extension must be marked critical",
    ],
    [{ noKeyUsage: true }, "key usage extension must be present"],
    [{ extendedKeyUsage: { oids: ["1.3.6.1.5.5.7.3.1"] } }, "must not contain ServerAuth eku"],
    [{ extendedKeyUsage: { oids: ["1.3.6.1.5.5.7.3.8"] } }, "must not contain TimeStamping eku"],
  ];
  for (const [overrides, message] of cases) {
    const id = await createTestLeaf(overrides);
    const sign = await signFn(id.keyPem);
    await rejects(
      await craftJws({ header: jwsHeader("ES256"), sign, chain: id.chain }),
      "ERR_SIGNATURE_INTEGRITY",
      message,
    );
  }
});

Deno.test("parseEnvelope() JWS rejects an RSA-1024 leaf", async () => {
  const pki = await getTestPki();
  const keys = await generateKeyPair({ rsaBits: 1024 });
  const leaf = await createCertificate({
    subject: "C=US, ST=WA, O=Test, CN=weak",
    publicKey: keys.publicKey,
    issuer: { certificate: pki.intermediate, privateKey: pki.intermediateCa.keys.privateKey },
    keyUsage: { usages: ["digitalSignature"] },
  });
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  const key = await crypto.subtle.importKey(
    "pkcs8",
    pkcs8,
    { name: "RSA-PSS", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const sign: SignFn = async (d) =>
    new Uint8Array(await crypto.subtle.sign({ name: "RSA-PSS", saltLength: 32 }, key, d));
  const bytes = await craftJws({
    header: jwsHeader("PS256"),
    sign,
    chain: [leaf, pki.intermediate, pki.root],
  });
  await rejects(bytes, "ERR_SIGNATURE_INTEGRITY", "rsa key size 1024 bits is not supported");
});

Deno.test("parseEnvelope() JWS rejects broken chain order, a missing root and extra certificates", async () => {
  const { id, sign } = await ec256();
  const [leaf, intermediate, root] = id.chain as [typeof id.leaf, typeof id.leaf, typeof id.leaf];
  const other = await getTestPki("EC-384");
  const cases: [typeof id.chain, string][] = [
    [[leaf, root, intermediate], "is not issued by"],
    [
      [leaf, intermediate, root, root],
      'intermediate certificate with subject "CN=Ocisign Test Root',
    ],
    [[leaf, root], "is not issued by"],
    [[leaf, intermediate], "is invalid or not self-signed"],
    [
      [leaf, intermediate, root, other.leaf],
      "must not contain self-signed intermediate certificate",
    ],
    [[leaf], "invalid self-signed certificate"],
  ];
  for (const [chain, message] of cases) {
    await rejects(
      await craftJws({ header: jwsHeader("ES256"), sign, chain }),
      "ERR_SIGNATURE_INTEGRITY",
      message,
    );
  }
});

Deno.test("parseEnvelope() JWS accepts any RFC 3339 offset and fractional seconds", async () => {
  const { id, sign } = await ec256();
  const t = new Date(Date.now() - 3600_000);
  const local = new Date(t.getTime() + 5.5 * 3600_000).toISOString().replace(
    /\.\d{3}Z$/,
    ".25+05:30",
  );
  const content = await parseEnvelope(
    await craftJws({
      header: jwsHeader("ES256", { "io.cncf.notary.signingTime": local }),
      sign,
      chain: id.chain,
    }),
    JWS,
  ).verify();
  assertEquals(
    content.signerInfo.signedAttributes.signingTime.getTime(),
    Math.floor(t.getTime() / 1000) * 1000 + 250,
  );
});

Deno.test("parseEnvelope() JWS accepts RSASSA-PSS salt lengths other than the hash length, as notation does", async () => {
  const id = await getTestPki("RSA-2048");
  for (const saltLength of [0, 20, 222]) {
    const sign = await signFn(id.keyPem, { name: "RSA-PSS", saltLength });
    const content = await parseEnvelope(
      await craftJws({ header: jwsHeader("PS256"), sign, chain: id.chain }),
      JWS,
    ).verify();
    assertEquals(content.signerInfo.signatureAlgorithm, "PS256");
  }
});

Deno.test("parseEnvelope() JWS reports critical extended attributes (accepted, as notation does)", async () => {
  const { id, sign } = await ec256();
  const header = jwsHeader("ES256", {
    crit: ["io.cncf.notary.signingScheme", "com.example.policy"],
    "com.example.policy": { level: 2 },
  });
  const content = await parseEnvelope(await craftJws({ header, sign, chain: id.chain }), JWS)
    .verify();
  assertEquals(content.signerInfo.signedAttributes.extendedAttributes, [{
    key: "com.example.policy",
    critical: true,
    value: { level: 2 },
  }]);
});

Deno.test("parseEnvelope() JWS unverifiedContent() shows the content without trusting it", async () => {
  const { id, sign } = await ec256();
  const bytes = await craftJws({
    header: jwsHeader("ES256"),
    sign,
    chain: id.chain,
    mutate: (e) => (e.signature = toBase64(new Uint8Array(3)).replace(/=+$/, "")),
  });
  const parsed = parseEnvelope(bytes, JWS);
  assertEquals(parsed.unverifiedContent().signerInfo.signatureAlgorithm, "ES256");
  await assertRejectsCode(() => parsed.verify(), "ERR_SIGNATURE_INTEGRITY");
  assertThrowsCode(() => parseEnvelope(flip(bytes, 0), JWS), "ERR_ENVELOPE_INVALID");
});

Deno.test("parseEnvelope() refuses oversized envelopes and over-long chains", async () => {
  const { id, sign } = await ec256();
  assertThrowsCode(
    () => parseEnvelope(new Uint8Array(32 * 1024 * 1024 + 1), JWS),
    "ERR_ENVELOPE_INVALID",
    "over the limit",
  );
  const long = Array.from({ length: 33 }, () => id.leaf);
  await rejects(
    await craftJws({ header: jwsHeader("ES256"), sign, chain: long }),
    "ERR_ENVELOPE_INVALID",
    "more than 32 certificates",
  );
});

Deno.test("parseEnvelope() refuses JWS bytes that Go's decoder (notation) reads differently", async () => {
  const { id, sign } = await ec256();
  const good = await craftJws({ header: jwsHeader("ES256"), sign, chain: id.chain });
  // notation-core-go refuses a byte order mark; ocisign used to skip it
  await rejects(
    new Uint8Array([0xef, 0xbb, 0xbf, ...good]),
    "ERR_ENVELOPE_INVALID",
    "byte order mark",
  );
  const text = fromUtf8(good);
  await rejects(
    utf8(text.replace(/\}$/, () => ',"signature":"AAAA"}')),
    "ERR_ENVELOPE_INVALID",
    'duplicate key "signature"',
  );
  // Go fills the expiry field from a case variant of its key: ocisign must not ignore it
  const past = rfc3339(-30);
  await rejects(
    await craftJws({
      header: jwsHeader("ES256", { "IO.CNCF.NOTARY.EXPIRY": past }),
      sign,
      chain: id.chain,
    }),
    "ERR_ENVELOPE_INVALID",
    'key "IO.CNCF.NOTARY.EXPIRY" is not spelled "io.cncf.notary.expiry"',
  );
  await rejects(
    await craftJws({
      header: `${
        toBase64Url(
          utf8(JSON.stringify(jwsHeader("ES256")).replace(/\}$/, () => ',"ALG":"ES384"}')),
        )
      }`,
      sign,
      chain: id.chain,
    }),
    "ERR_ENVELOPE_INVALID",
    'keys "alg" and "ALG" differ only in case',
  );
});

Deno.test("parseEnvelope() JWS refuses a name listed twice in crit (decision: notation-core-go refuses a repeated standard key)", async () => {
  const { id, sign } = await ec256();
  for (
    const crit of [["io.cncf.notary.signingScheme", "io.cncf.notary.signingScheme"], [
      "io.cncf.notary.signingScheme",
      "com.example.x",
      "com.example.x",
    ]]
  ) {
    await rejects(
      await craftJws({
        header: jwsHeader("ES256", { crit, "com.example.x": "v" }),
        sign,
        chain: id.chain,
      }),
      "ERR_SIGNATURE_INTEGRITY",
      `"${crit.at(-1)}" is listed more than once in the "crit" header`,
    );
  }
});

Deno.test("parseEnvelope() JWS: jose refuses a critical b64 that is not a boolean (README)", async () => {
  const { id, sign } = await ec256();
  const header = jwsHeader("ES256", {
    b64: "yes",
    crit: ["io.cncf.notary.signingScheme", "b64"],
  });
  await rejects(
    await craftJws({ header, sign, chain: id.chain }),
    "ERR_SIGNATURE_INTEGRITY",
    'the JWS is not acceptable: The "b64" (base64url-encode payload) Header Parameter must be a boolean',
  );
});
