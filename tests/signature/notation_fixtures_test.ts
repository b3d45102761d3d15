import { fromBase64Url, fromUtf8, toHex } from "../../lib/_internal/bytes.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { decodeCbor } from "../../lib/signature/cbor/mod.ts";
import type { CborMap, CborTag, CborValue } from "../../lib/signature/cbor/mod.ts";
import { LocalSigner, parseEnvelope, signEnvelope } from "../../lib/signature/mod.ts";
import { KEY_SPECS } from "../../lib/x509/key_spec.ts";
import { parseCertificate } from "../../lib/x509/certificate.ts";

const DIR = new URL("./testdata/", import.meta.url);
const JWS = "application/jose+json";
const COSE = "application/cose";

function read(name: string): Uint8Array<ArrayBuffer> {
  return Deno.readFileSync(new URL(name, DIR));
}

for (const spec of KEY_SPECS) {
  Deno.test(`parseEnvelope() verifies notation-core-go's ${spec.name} JWS and COSE envelopes`, async () => {
    for (const [ext, mediaType] of [["jws", JWS], ["cose", COSE]] as const) {
      const content = await parseEnvelope(read(`notation_${spec.name}.${ext}`), mediaType).verify();
      assertEquals(content.signerInfo.signatureAlgorithm, spec.jwsAlgorithm);
      assertEquals(content.signerInfo.unsignedAttributes.signingAgent, "notation-go/1.3.2");
      assertEquals(content.signerInfo.signedAttributes.signingScheme, "notary.x509");
      assert(content.signerInfo.signedAttributes.expiry !== undefined);
      assertEquals(
        JSON.parse(fromUtf8(content.payload.content)),
        JSON.parse(fromUtf8(read("payload.bin"))),
      );
    }
  });
}

async function signerFor(name: string, chainDer: Uint8Array<ArrayBuffer>[]): Promise<LocalSigner> {
  return await LocalSigner.create({
    privateKey: fromUtf8(read(`notation_${name}.key`)),
    certificateChain: chainDer.map((d) => parseCertificate(d)),
  });
}

for (const name of ["EC-256", "RSA-2048"]) {
  Deno.test(`signEnvelope() JWS bytes equal notation's except the signature (${name})`, async () => {
    const theirs = JSON.parse(fromUtf8(read(`notation_${name}.jws`)));
    const header = JSON.parse(fromUtf8(fromBase64Url(theirs.protected)));
    const x5c: string[] = theirs.header.x5c;
    const chain = x5c.map((b) => Uint8Array.from(atob(b), (c) => c.charCodeAt(0)));
    const ours = JSON.parse(fromUtf8(
      await signEnvelope({
        format: "jws",
        payload: read("payload.bin"),
        signer: await signerFor(name, chain),
        signingTime: new Date(header["io.cncf.notary.signingTime"]),
        expiry: new Date(header["io.cncf.notary.expiry"]),
        signingAgent: "notation-go/1.3.2",
      }),
    ));
    assertEquals(Object.keys(ours), Object.keys(theirs));
    assertEquals(ours.protected, theirs.protected);
    assertEquals(ours.payload, theirs.payload);
    assertEquals(ours.header, theirs.header);
    assertEquals(Object.keys(ours.header), Object.keys(theirs.header));
  });

  Deno.test(`signEnvelope() COSE bytes equal notation's except the signature (${name})`, async () => {
    const theirsBytes = read(`notation_${name}.cose`);
    const theirs = (decodeCbor(theirsBytes) as CborTag).value as CborValue[];
    const header = decodeCbor(theirs[0] as Uint8Array<ArrayBuffer>) as CborMap;
    const unprotected = theirs[1] as CborMap;
    const time = (k: string) => new Date(((header.get(k) as CborTag).value as number) * 1000);
    const oursBytes = await signEnvelope({
      format: "cose",
      payload: read("payload.bin"),
      signer: await signerFor(name, unprotected.get(33) as Uint8Array<ArrayBuffer>[]),
      signingTime: time("io.cncf.notary.signingTime"),
      expiry: time("io.cncf.notary.expiry"),
      signingAgent: "notation-go/1.3.2",
    });
    const ours = (decodeCbor(oursBytes) as CborTag).value as CborValue[];
    const sigLen = (theirs[3] as Uint8Array).length;
    // Everything before the signature is byte-identical.
    const prefix = (b: Uint8Array) => toHex(b.subarray(0, b.length - sigLen));
    assertEquals(prefix(oursBytes), prefix(theirsBytes));
    assertEquals((ours[3] as Uint8Array).length, sigLen);
  });
}
