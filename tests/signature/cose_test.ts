import type { Bytes } from "../../lib/_internal/bytes.ts";
import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { getTestPki } from "../_helpers/pki.ts";
import { CborMap, CborTag, encodeCbor } from "../../lib/signature/cbor/mod.ts";
import { createPayload, parseEnvelope, signEnvelope } from "../../lib/signature/mod.ts";
import { importPrivateKey } from "../../lib/x509/private_key.ts";
import { coseHeader, craftCose, flip } from "./_craft.ts";
import type { SignFn } from "./_craft.ts";

const COSE = "application/cose";

async function signFn(keyPem: string, params?: RsaPssParams | EcdsaParams): Promise<SignFn> {
  const { key, keySpec } = await importPrivateKey(keyPem);
  return async (data) =>
    new Uint8Array(await crypto.subtle.sign(params ?? keySpec.signParams, key, data));
}

async function ec256() {
  const id = await getTestPki("EC-256");
  return { id, sign: await signFn(id.keyPem) };
}

async function rejects(
  bytes: Bytes,
  code: "ERR_SIGNATURE_INTEGRITY" | "ERR_ENVELOPE_INVALID",
  text: string,
) {
  let parsed;
  try {
    parsed = parseEnvelope(bytes, COSE);
  } catch (err) {
    assertEquals((err as { code?: string }).code, code, String(err));
    assert((err as Error).message.includes(text), (err as Error).message);
    return;
  }
  await assertRejectsCode(() => parsed.verify(), code, text);
}

Deno.test("parseEnvelope() COSE accepts a crafted valid envelope (sanity for the rejection tests)", async () => {
  const { id, sign } = await ec256();
  const content = await parseEnvelope(
    await craftCose({ header: coseHeader(-7), sign, chain: id.chain }),
    COSE,
  ).verify();
  assertEquals(content.signerInfo.signatureAlgorithm, "ES256");
});

Deno.test("parseEnvelope() COSE rejects untagged COSE_Sign1 and other tags", async () => {
  const { id, sign } = await ec256();
  await rejects(
    await craftCose({ header: coseHeader(-7), sign, chain: id.chain, untagged: true }),
    "ERR_ENVELOPE_INVALID",
    "not a tagged COSE_Sign1",
  );
  const good = await craftCose({ header: coseHeader(-7), sign, chain: id.chain });
  const retagged = good.slice();
  retagged[0] = 0xd1;
  await rejects(retagged, "ERR_ENVELOPE_INVALID", "not a tagged COSE_Sign1");
});

Deno.test("parseEnvelope() COSE rejects RS256 (-257) and a key/alg mismatch", async () => {
  const { id, sign } = await ec256();
  await rejects(
    await craftCose({ header: coseHeader(-257), sign, chain: id.chain }),
    "ERR_SIGNATURE_INTEGRITY",
    "is not supported",
  );
  await rejects(
    await craftCose({ header: coseHeader(-35), sign, chain: id.chain }),
    "ERR_SIGNATURE_INTEGRITY",
    "mismatch between signature algorithm",
  );
});

Deno.test("parseEnvelope() COSE rejects one changed byte in payload or signature", async () => {
  const { id, sign } = await ec256();
  const good = await craftCose({ header: coseHeader(-7), sign, chain: id.chain });
  await rejects(flip(good, good.length - 1), "ERR_SIGNATURE_INTEGRITY", "signature is invalid");
  const payloadAt = good.length - 64 - 2 - 5;
  await rejects(flip(good, payloadAt), "ERR_SIGNATURE_INTEGRITY", "signature is invalid");
});

Deno.test("parseEnvelope() COSE requires signing times as CBOR tag 1", async () => {
  const { id, sign } = await ec256();
  const t = Math.floor(Date.now() / 1000) - 60;
  await rejects(
    await craftCose({
      header: coseHeader(-7, [[
        "io.cncf.notary.signingTime",
        new CborTag(0, new Date(t * 1000).toISOString()),
      ]]),
      sign,
      chain: id.chain,
    }),
    "ERR_ENVELOPE_INVALID",
    "only Tag 1 Datetime CBOR object is supported",
  );
  await rejects(
    await craftCose({
      header: coseHeader(-7, [["io.cncf.notary.signingTime", t]]),
      sign,
      chain: id.chain,
    }),
    "ERR_ENVELOPE_INVALID",
    "does not have a tag",
  );
});

Deno.test("parseEnvelope() COSE requires x5chain as a non-empty array in the unprotected header", async () => {
  const { id, sign } = await ec256();
  const leafOnly = new CborMap([[33, id.leaf.raw]]);
  await rejects(
    await craftCose({ header: coseHeader(-7), sign, chain: id.chain, unprotected: leafOnly }),
    "ERR_ENVELOPE_INVALID",
    "certificate chain is not present",
  );
  await rejects(
    await craftCose({ header: coseHeader(-7), sign, chain: id.chain, unprotected: new CborMap() }),
    "ERR_ENVELOPE_INVALID",
    "certificate chain is not present",
  );
  const inProtected = coseHeader(-7, [[33, id.chain.map((c) => c.raw)]]);
  await rejects(
    await craftCose({ header: inProtected, sign, chain: id.chain, unprotected: new CborMap() }),
    "ERR_ENVELOPE_INVALID",
    "certificate chain is not present",
  );
});

Deno.test("parseEnvelope() COSE requires RSASSA-PSS salt length equal to the hash length", async () => {
  const id = await getTestPki("RSA-2048");
  const sign = await signFn(id.keyPem, { name: "RSA-PSS", saltLength: 0 });
  await rejects(
    await craftCose({ header: coseHeader(-37), sign, chain: id.chain }),
    "ERR_SIGNATURE_INTEGRITY",
    "signature is invalid",
  );
});

Deno.test("parseEnvelope() COSE rejects a missing or integer content type", async () => {
  const { id, sign } = await ec256();
  const noCty = coseHeader(-7);
  const withoutCty = new CborMap([...noCty.entries()].filter(([k]) => k !== 3));
  await rejects(
    await craftCose({ header: withoutCty, sign, chain: id.chain }),
    "ERR_SIGNATURE_INTEGRITY",
    "missing content type",
  );
  await rejects(
    await craftCose({ header: coseHeader(-7).set(3, 50), sign, chain: id.chain }),
    "ERR_SIGNATURE_INTEGRITY",
    "content type should be of 'tstr' type",
  );
});

Deno.test("parseEnvelope() COSE enforces crit and scheme rules", async () => {
  const { id, sign } = await ec256();
  const expiry = new CborTag(1, Math.floor(Date.now() / 1000) + 3600);
  const cases: [CborMap, string][] = [
    [coseHeader(-7).set(2, []), 'missing "crit" header'],
    [
      coseHeader(-7, [["io.cncf.notary.expiry", expiry]]),
      "not marked as critical: [io.cncf.notary.expiry]",
    ],
    [
      coseHeader(-7).set(2, ["io.cncf.notary.signingScheme", 1]),
      '"1" header is marked critical but not present',
    ],
    [
      coseHeader(-7).set("io.cncf.notary.signingScheme", "notary.default.x509"),
      "unsupported SigningScheme",
    ],
    [
      coseHeader(-7, [[
        "io.cncf.notary.expiry",
        new CborTag(1, Math.floor(Date.now() / 1000) - 60),
      ]]).set(2, ["io.cncf.notary.signingScheme", "io.cncf.notary.expiry"]),
      "must be after the signing time",
    ],
  ];
  for (const [header, message] of cases) {
    await rejects(
      await craftCose({ header, sign, chain: id.chain }),
      "ERR_SIGNATURE_INTEGRITY",
      message,
    );
  }
  await rejects(
    await craftCose({
      header: coseHeader(-7).set("io.cncf.notary.signingScheme", 5),
      sign,
      chain: id.chain,
    }),
    "ERR_ENVELOPE_INVALID",
    "must be a text string",
  );
});

Deno.test("parseEnvelope() COSE rejects bad CBOR: trailing bytes, indefinite lengths, duplicate keys, detached payload", async () => {
  const { id, sign } = await ec256();
  const good = await craftCose({ header: coseHeader(-7), sign, chain: id.chain });
  const trailing = new Uint8Array([...good, 0x00]);
  await rejects(trailing, "ERR_ENVELOPE_INVALID", "trailing bytes");
  await rejects(good.subarray(0, good.length - 3), "ERR_ENVELOPE_INVALID", "Invalid CBOR");
  await rejects(
    new Uint8Array([0xd2, 0x84, 0x5f, 0xff, 0xa0, 0x40, 0x40]),
    "ERR_ENVELOPE_INVALID",
    "indefinite-length",
  );
  const dup = new Uint8Array([0xa2, 0x01, 0x26, 0x01, 0x26]);
  await rejects(
    await craftCose({ header: dup, sign, chain: id.chain }),
    "ERR_ENVELOPE_INVALID",
    "duplicate map key",
  );
  const detached = encodeCbor(
    new CborTag(18, [
      encodeCbor(coseHeader(-7)),
      new CborMap([[33, [id.leaf.raw]]]),
      null,
      new Uint8Array(64),
    ]),
  );
  await rejects(detached, "ERR_ENVELOPE_INVALID", "payload must be attached");
});

Deno.test("parseEnvelope() COSE rejects a header label in both header buckets", async () => {
  const { id, sign } = await ec256();
  const unprotected = new CborMap([[33, id.chain.map((c) => c.raw)], [1, -7]]);
  await rejects(
    await craftCose({ header: coseHeader(-7), sign, chain: id.chain, unprotected }),
    "ERR_ENVELOPE_INVALID",
    "in both the protected and unprotected headers",
  );
});

Deno.test("signEnvelope() COSE carries extended attributes of any CBOR type", async () => {
  const { id } = await ec256();
  const bytes = await signEnvelope({
    format: "cose",
    payload: createPayload({
      mediaType: "application/vnd.oci.image.index.v1+json",
      digest: "sha256:" + "0".repeat(64),
      size: 5,
    }),
    signer: id.signer,
    extendedAttributes: [
      { key: "com.example.n", critical: true, value: 7 },
      { key: "com.example.obj", critical: false, value: { a: [1, "b"] } },
    ],
  });
  const attrs =
    (await parseEnvelope(bytes, COSE).verify()).signerInfo.signedAttributes.extendedAttributes;
  assertEquals(attrs.map((a) => [a.key, a.critical]), [["com.example.n", true], [
    "com.example.obj",
    false,
  ]]);
  assertEquals(attrs[0]!.value, 7);
});

Deno.test("parseEnvelope() COSE refuses a label listed twice in crit (decision: as notation-core-go does for JWS)", async () => {
  const { id, sign } = await ec256();
  const header = new CborMap([
    [1, -7],
    [2, ["io.cncf.notary.signingScheme", "io.cncf.notary.signingScheme"]],
    [3, "application/vnd.cncf.notary.payload.v1+json"],
    ["io.cncf.notary.signingScheme", "notary.x509"],
    ["io.cncf.notary.signingTime", new CborTag(1, Math.floor(Date.now() / 1000) - 60)],
  ]);
  await rejects(
    await craftCose({ header, sign, chain: id.chain }),
    "ERR_SIGNATURE_INTEGRITY",
    '"io.cncf.notary.signingScheme" is listed more than once in the "crit" header',
  );
});
