/**
 * Opens the private key a PKCS#11 URI names: loads the module, picks the one token that matches,
 * logs in once, finds the one private key, runs the caller's work and closes everything, also
 * on failure. Also reads the key's public half and the certificates stored with it.
 *
 * @module
 */
import { toBase64Url } from "../../_internal/bytes.ts";
import { DeniedError, InvalidInputError, NotFoundError } from "../../errors.ts";
import { decodeOid, readSingle, TAG } from "../../x509/asn1.ts";
import { Certificate } from "../../x509/certificate.ts";
import { CURVE_OIDS } from "../../x509/key_spec.ts";
import { CKA, CKK, CKO } from "./_ck.ts";
import { Pkcs11Module, readUlong, ulong } from "./pkcs11_module.ts";
import { UNLOCK_PIN_ADVICE } from "./pkcs11_error.ts";
import type { Attribute, Mechanism, Pkcs11Session, TokenInfo } from "./pkcs11_module.ts";
import { formatPkcs11Uri } from "./pkcs11_uri.ts";
import type { Pkcs11Uri } from "./pkcs11_uri.ts";

/** Where the key is and how to log in. */
export interface Pkcs11KeyOptions {
  /** The key's URI (its `module-path` and PINs are not read here). */
  uri: Pkcs11Uri;
  /** The PKCS#11 module's file path. */
  modulePath: string;
  /**
   * Gives the user PIN when the token needs a login (asked once per open). It gets the token's
   * state, so that it can refuse to spend a final try (`userPinFinalTry`) or say so in a prompt.
   */
  pin: (token: TokenInfo) => Promise<string>;
}

/** An open private key on a token. */
export interface TokenKey {
  /** The token. */
  readonly token: TokenInfo;
  /** `RSA` or `EC`. */
  readonly keyType: "RSA" | "EC";
  /** `CKA_ID`, possibly empty. */
  readonly id: Uint8Array;
  /** `CKA_LABEL`, possibly empty. */
  readonly label: string;
  /** The public key as a JWK (`n`/`e` or `crv`/`x`/`y`), when the token shows it. */
  publicJwk(): JsonWebKey | undefined;
  /** Certificates stored with the key (same `CKA_ID`, else same label), as stored. */
  certificates(): Certificate[];
  /** Every certificate on the token, for completing a chain. */
  allCertificates(): Certificate[];
  /** Signs with the key. */
  sign(mechanism: Mechanism, data: Uint8Array): Uint8Array;
}

const CURVE_NAMES: Readonly<Record<number, string>> = { 256: "P-256", 384: "P-384", 521: "P-521" };

/** What the URI says about the key, for messages (never a PIN). */
function describe(uri: Pkcs11Uri): string {
  const { pinValue: _, pinSource: __, modulePath: ___, ...rest } = uri;
  return formatPkcs11Uri(rest);
}

function matchesToken(uri: Pkcs11Uri, token: TokenInfo): boolean {
  return (uri.token === undefined || uri.token === token.label) &&
    (uri.slotId === undefined || uri.slotId === token.slotId) &&
    (uri.serial === undefined || uri.serial === token.serialNumber) &&
    (uri.manufacturer === undefined || uri.manufacturer === token.manufacturer) &&
    (uri.model === undefined || uri.model === token.model);
}

function pickToken(module: Pkcs11Module, uri: Pkcs11Uri): TokenInfo {
  const tokens = module.tokens().filter((t) => t.label !== "" || t.serialNumber !== "");
  const matching = tokens.filter((t) => matchesToken(uri, t));
  if (matching.length === 0) {
    const present = tokens.map((t) => JSON.stringify(t.label)).join(", ") || "none";
    throw new NotFoundError(
      `no PKCS#11 token matches ${
        describe(uri)
      } (tokens present: ${present}); check token= or slot-id=`,
    );
  }
  if (matching.length > 1) {
    throw new InvalidInputError(
      `${matching.length} PKCS#11 tokens match ${
        describe(uri)
      }; add token= or slot-id= to pick one`,
    );
  }
  return matching[0]!;
}

function findKey(session: Pkcs11Session, uri: Pkcs11Uri): bigint {
  const template: Attribute[] = [{ type: CKA.CLASS, value: ulong(CKO.PRIVATE_KEY) }];
  if (uri.object !== undefined) {
    template.push({ type: CKA.LABEL, value: new TextEncoder().encode(uri.object) });
  }
  if (uri.id !== undefined) template.push({ type: CKA.ID, value: uri.id });
  const keys = session.findObjects(template, 2);
  if (keys.length === 0) {
    throw new NotFoundError(
      `no private key matches ${
        describe(uri)
      } on the token; list the token's objects (pkcs11-tool --list-objects) and check object= and id=`,
    );
  }
  if (keys.length > 1) {
    throw new InvalidInputError(
      `several private keys match ${describe(uri)}; add object= or id= to pick one`,
    );
  }
  return keys[0]!;
}

function certificatesWhere(session: Pkcs11Session, template: Attribute[]): Certificate[] {
  const certs: Certificate[] = [];
  const found = session.findObjects([
    { type: CKA.CLASS, value: ulong(CKO.CERTIFICATE) },
    ...template,
  ]);
  for (const handle of found) {
    const der = session.attribute(handle, CKA.VALUE);
    if (der !== undefined && der.length > 0) certs.push(new Certificate(new Uint8Array(der)));
  }
  return certs;
}

/** Big-endian integer bytes without leading zeros. */
function unsigned(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

function ecJwk(session: Pkcs11Session, key: bigint, id: Uint8Array, label: string) {
  const params = session.attribute(key, CKA.EC_PARAMS);
  if (params === undefined) return undefined;
  const size = CURVE_OIDS[decodeOid(readSingle(params, TAG.OID).content)];
  if (size === undefined) return undefined;
  // The point is on the public key object (most tokens hide it on the private one).
  const template: Attribute[] = [{ type: CKA.CLASS, value: ulong(CKO.PUBLIC_KEY) }];
  if (id.length > 0) template.push({ type: CKA.ID, value: id });
  else template.push({ type: CKA.LABEL, value: new TextEncoder().encode(label) });
  const [pub] = session.findObjects(template, 1);
  let point = session.attribute(key, CKA.EC_POINT) ??
    (pub === undefined ? undefined : session.attribute(pub, CKA.EC_POINT));
  if (point === undefined) return undefined;
  // CKA_EC_POINT is a DER OCTET STRING around the uncompressed point (some tokens omit it).
  if (point[0] === TAG.OCTET_STRING) point = readSingle(point, TAG.OCTET_STRING).content;
  const n = Math.ceil(size / 8);
  if (point.length !== 1 + 2 * n || point[0] !== 4) return undefined;
  return {
    kty: "EC",
    crv: CURVE_NAMES[size],
    x: toBase64Url(point.subarray(1, 1 + n)),
    y: toBase64Url(point.subarray(1 + n)),
  };
}

/**
 * One token operation at a time in this process: a module is initialised once per process and
 * a login is shared by all its sessions, so overlapping operations would log each other out.
 */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Opens the key a URI names and runs `work` with it; the session and module are closed
 * afterwards. The PIN is asked for only when the token needs a login, and tried once.
 * Operations in one process run one after the other.
 *
 * @example
 * ```ts ignore
 * import { withPkcs11Key } from "./pkcs11_key.ts";
 * const label = await withPkcs11Key(
 *   { uri, modulePath: "/usr/lib/softhsm/libsofthsm2.so", pin: () => Promise.resolve("1234") },
 *   (key) => key.label,
 * );
 * ```
 * @param options URI, module and PIN.
 * @param work What to do with the key.
 * @returns What `work` returns.
 * @throws {ConfigError} ERR_CONFIG when the module cannot be loaded.
 * @throws {NotFoundError} ERR_NOT_FOUND when no token or no private key matches.
 * @throws {DeniedError} ERR_DENIED when the token's user PIN is locked.
 * @throws {Pkcs11Error} For a failed call (a wrong PIN: ERR_UNAUTHORIZED).
 */
export function withPkcs11Key<T>(
  options: Pkcs11KeyOptions,
  work: (key: TokenKey) => T | Promise<T>,
): Promise<T> {
  const run = queue.then(() => openAndRun(options, work));
  queue = run.catch(() => undefined);
  return run;
}

async function openAndRun<T>(
  options: Pkcs11KeyOptions,
  work: (key: TokenKey) => T | Promise<T>,
): Promise<T> {
  const module = await Pkcs11Module.open(options.modulePath);
  try {
    const token = pickToken(module, options.uri);
    // A locked PIN is not tried: the login would only fail (or, on some tokens, count).
    if (token.userPinLocked) {
      throw new DeniedError(
        `the user PIN of PKCS#11 token ${
          JSON.stringify(token.label)
        } is locked (too many wrong PINs), so no login was tried; ${
          UNLOCK_PIN_ADVICE.replace("MODULE", options.modulePath)
        }`,
      );
    }
    const session = module.openSession(token.slotId);
    try {
      let pin: string | undefined;
      if (token.loginRequired) session.login(pin = await options.pin(token));
      const handle = findKey(session, options.uri);
      const rawType = session.attribute(handle, CKA.KEY_TYPE);
      const keyType = rawType?.length === 8 ? readUlong(rawType) : undefined;
      if (keyType !== CKK.RSA && keyType !== CKK.EC) {
        throw new InvalidInputError(
          `the key ${describe(options.uri)} is neither RSA nor EC; use an RSA or EC key`,
        );
      }
      // Smartcards may require the PIN again right before each signature.
      const alwaysAuthenticate = session.attribute(handle, CKA.ALWAYS_AUTHENTICATE)?.[0] === 1;
      if (alwaysAuthenticate) pin ??= await options.pin(token);
      const id = session.attribute(handle, CKA.ID) ?? new Uint8Array();
      const label = new TextDecoder().decode(
        session.attribute(handle, CKA.LABEL) ?? new Uint8Array(),
      );
      const key: TokenKey = {
        token,
        keyType: keyType === CKK.RSA ? "RSA" : "EC",
        id,
        label,
        publicJwk(): JsonWebKey | undefined {
          if (keyType === CKK.EC) return ecJwk(session, handle, id, label);
          const n = session.attribute(handle, CKA.MODULUS);
          const e = session.attribute(handle, CKA.PUBLIC_EXPONENT);
          if (n === undefined || e === undefined) return undefined;
          return { kty: "RSA", n: toBase64Url(unsigned(n)), e: toBase64Url(unsigned(e)) };
        },
        certificates(): Certificate[] {
          if (id.length > 0) return certificatesWhere(session, [{ type: CKA.ID, value: id }]);
          if (label === "") return [];
          return certificatesWhere(session, [{
            type: CKA.LABEL,
            value: new TextEncoder().encode(label),
          }]);
        },
        allCertificates: () => certificatesWhere(session, []),
        sign: (mechanism, data) =>
          session.sign(handle, mechanism, data, alwaysAuthenticate ? pin : undefined),
      };
      return await work(key);
    } finally {
      session.close();
    }
  } finally {
    module.close();
  }
}
