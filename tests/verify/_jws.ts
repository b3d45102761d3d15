/**
 * Builds Notary Project JWS envelopes by hand with WebCrypto (ES256), so that tests can make
 * envelopes a well-behaved signer refuses to make (expired, signed outside certificate validity,
 * signingAuthority scheme, arbitrary payloads).
 *
 * @module
 */

function b64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(
    /=+$/,
    "",
  );
}

function b64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function pemToDer(pem: string): Uint8Array<ArrayBuffer> {
  const b = pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
  return Uint8Array.from(atob(b), (c) => c.charCodeAt(0));
}

/** What to put in the envelope. */
export interface JwsOptions {
  /** PKCS#8 PEM of the leaf's P-256 key. */
  keyPem: string;
  /** DER certificates, leaf first. */
  chain: Uint8Array[];
  /** The payload object (`{targetArtifact: …}`). */
  payload: unknown;
  /** Signing scheme (default notary.x509). */
  scheme?: "notary.x509" | "notary.x509.signingAuthority";
  /** Signing time (default now). */
  signingTime?: Date;
  /** Expiry. */
  expiry?: Date;
  /** Makes a TimeStampToken over the signature bytes (added as the unsigned timestamp header). */
  timestamp?: (signature: Uint8Array<ArrayBuffer>) => Promise<Uint8Array>;
}

/** Makes an ES256 JWS envelope in notation's layout. */
export async function makeJws(opts: JwsOptions): Promise<Uint8Array<ArrayBuffer>> {
  const scheme = opts.scheme ?? "notary.x509";
  const time = rfc3339(opts.signingTime ?? new Date());
  const crit = ["io.cncf.notary.signingScheme"];
  const header: Record<string, unknown> = { alg: "ES256" };
  if (scheme === "notary.x509.signingAuthority") crit.push("io.cncf.notary.authenticSigningTime");
  if (opts.expiry) crit.push("io.cncf.notary.expiry");
  header.crit = crit;
  header.cty = "application/vnd.cncf.notary.payload.v1+json";
  if (scheme === "notary.x509.signingAuthority") {
    header["io.cncf.notary.authenticSigningTime"] = time;
  }
  if (opts.expiry) header["io.cncf.notary.expiry"] = rfc3339(opts.expiry);
  header["io.cncf.notary.signingScheme"] = scheme;
  if (scheme === "notary.x509") header["io.cncf.notary.signingTime"] = time;
  const enc = new TextEncoder();
  const protectedB64 = b64url(enc.encode(JSON.stringify(header)));
  const payloadB64 = b64url(enc.encode(JSON.stringify(opts.payload)));
  const key = await crypto.subtle.importKey(
    "pkcs8",
    pemToDer(opts.keyPem),
    { name: "ECDSA", namedCurve: "P-256" },
    false,
    ["sign"],
  );
  const sig = new Uint8Array(
    await crypto.subtle.sign(
      { name: "ECDSA", hash: "SHA-256" },
      key,
      enc.encode(`${protectedB64}.${payloadB64}`),
    ),
  );
  const header2: Record<string, unknown> = {};
  if (opts.timestamp) header2["io.cncf.notary.timestampSignature"] = b64(await opts.timestamp(sig));
  header2.x5c = opts.chain.map(b64);
  header2["io.cncf.notary.signingAgent"] = "ocisign-test/1";
  const envelope = {
    payload: payloadB64,
    protected: protectedB64,
    header: header2,
    signature: b64url(sig),
  };
  return enc.encode(JSON.stringify(envelope));
}
