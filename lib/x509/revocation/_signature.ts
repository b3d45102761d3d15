/**
 * Private: verifies the signature of a signed revocation document (OCSP basic response, CRL)
 * with a certificate's key, under Go's `CheckSignature` rules: RSA PKCS#1 v1.5 and RSASSA-PSS
 * with SHA-256/384/512, ECDSA P-256/384/521 with SHA-256/384/512, Ed25519. SHA-1 and MD5 are
 * refused as insecure.
 *
 * @module
 */
import type { Bytes } from "../../_internal/bytes.ts";
import { concat } from "../../_internal/bytes.ts";
import { readSingle, TAG } from "../asn1.ts";
import type { DerElement } from "../asn1.ts";
import type { Certificate } from "../certificate.ts";
import { kids, MalformedError, oidOf, smallInt } from "./_der.ts";

type Hash = "SHA-256" | "SHA-384" | "SHA-512";

const HASH_OIDS: Readonly<Record<string, Hash>> = {
  "2.16.840.1.101.3.4.2.1": "SHA-256",
  "2.16.840.1.101.3.4.2.2": "SHA-384",
  "2.16.840.1.101.3.4.2.3": "SHA-512",
};

const SIMPLE: Readonly<Record<string, { kind: "RSA" | "EC"; hash: Hash }>> = {
  "1.2.840.113549.1.1.11": { kind: "RSA", hash: "SHA-256" },
  "1.2.840.113549.1.1.12": { kind: "RSA", hash: "SHA-384" },
  "1.2.840.113549.1.1.13": { kind: "RSA", hash: "SHA-512" },
  "1.2.840.10045.4.3.2": { kind: "EC", hash: "SHA-256" },
  "1.2.840.10045.4.3.3": { kind: "EC", hash: "SHA-384" },
  "1.2.840.10045.4.3.4": { kind: "EC", hash: "SHA-512" },
};

const OID_RSA_PSS = "1.2.840.113549.1.1.10";
const OID_ED25519 = "1.3.101.112";
const HASH_BYTES: Readonly<Record<Hash, number>> = { "SHA-256": 32, "SHA-384": 48, "SHA-512": 64 };

function pssParams(params: DerElement | undefined): { hash: Hash; saltLength: number } {
  // RFC 4055: the defaults (SHA-1) are insecure, so the hash must be given
  let hash: Hash | undefined;
  let saltLength: number | undefined;
  for (const p of kids(params, "RSASSA-PSS parameters")) {
    if (p.tag === 0xa0) {
      hash = HASH_OIDS[oidOf(kids(readSingle(p.content), "PSS hash")[0], "PSS hash")];
    } else if (p.tag === 0xa2) {
      saltLength = smallInt(readSingle(p.content), "PSS salt", TAG.INTEGER);
    }
  }
  if (hash === undefined) throw new MalformedError("unsupported RSASSA-PSS hash algorithm");
  return { hash, saltLength: saltLength ?? HASH_BYTES[hash] };
}

function rawEcdsa(der: Bytes, bits: number): Bytes {
  const [r, s, extra] = kids(readSingle(der), "ECDSA signature");
  if (r?.tag !== TAG.INTEGER || s?.tag !== TAG.INTEGER || extra) {
    throw new MalformedError("bad ECDSA signature");
  }
  const size = Math.ceil(bits / 8);
  const pad = (n: Bytes): Bytes => {
    let i = 0;
    while (i < n.length - 1 && n[i] === 0) i++;
    const v = n.subarray(i);
    if (v.length > size) throw new MalformedError("bad ECDSA signature");
    const out = new Uint8Array(size);
    out.set(v, size - v.length);
    return out;
  };
  return concat([pad(r.content), pad(s.content)]);
}

/**
 * Whether `signer`'s key verifies `signature` over `data` with `algorithm`.
 * @returns undefined when it verifies, else why not.
 */
export async function checkSignature(
  signer: Certificate,
  algorithm: DerElement | undefined,
  data: Bytes,
  signature: Bytes,
): Promise<string | undefined> {
  let oid: string;
  let params: DerElement | undefined;
  try {
    const parts = kids(algorithm, "signature algorithm");
    oid = oidOf(parts[0], "signature algorithm");
    params = parts[1];
  } catch {
    return "the signature algorithm is malformed";
  }
  const { keyType, size } = signer.publicKeyInfo;
  try {
    if (oid === OID_ED25519) {
      const key = await crypto.subtle.importKey("spki", signer.spki, "Ed25519", false, ["verify"]);
      return await crypto.subtle.verify("Ed25519", key, signature, data)
        ? undefined
        : "the signature does not verify";
    }
    if (oid === OID_RSA_PSS) {
      if (keyType !== "RSA") return `a ${keyType} key cannot verify an RSASSA-PSS signature`;
      const { hash, saltLength } = pssParams(params);
      const key = await crypto.subtle.importKey(
        "spki",
        signer.spki,
        {
          name: "RSA-PSS",
          hash,
        },
        false,
        ["verify"],
      );
      return await crypto.subtle.verify({ name: "RSA-PSS", saltLength }, key, signature, data)
        ? undefined
        : "the signature does not verify";
    }
    const alg = SIMPLE[oid];
    if (alg === undefined) {
      return `the signature algorithm ${oid} is insecure or unsupported`;
    }
    if (alg.kind !== keyType) return `a ${keyType} key cannot verify a ${alg.kind} signature`;
    if (alg.kind === "RSA") {
      const key = await crypto.subtle.importKey(
        "spki",
        signer.spki,
        {
          name: "RSASSA-PKCS1-v1_5",
          hash: alg.hash,
        },
        false,
        ["verify"],
      );
      return await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, signature, data)
        ? undefined
        : "the signature does not verify";
    }
    const namedCurve = { 256: "P-256", 384: "P-384", 521: "P-521" }[size];
    if (namedCurve === undefined) return `the EC curve of the key (${size} bits) is unsupported`;
    const key = await crypto.subtle.importKey(
      "spki",
      signer.spki,
      {
        name: "ECDSA",
        namedCurve,
      },
      false,
      ["verify"],
    );
    return await crypto.subtle.verify(
        { name: "ECDSA", hash: alg.hash },
        key,
        rawEcdsa(signature, size),
        data,
      )
      ? undefined
      : "the signature does not verify";
  } catch (err) {
    return `the signature cannot be verified: ${(err as Error).message}`;
  }
}
