/**
 * RFC 7512 PKCS#11 URIs, as cosign takes them:
 * `pkcs11:token=station;object=release;id=%01?module-path=/usr/lib/softhsm/libsofthsm2.so`.
 * Pure: no I/O. A PIN given in the URI (`pin-value`) is kept out of {@linkcode formatPkcs11Uri}'s
 * output unless asked for.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7512
 * @module
 */
import { InvalidInputError } from "../../errors.ts";

/** The parts of a PKCS#11 URI ocisign uses. */
export interface Pkcs11Uri {
  /** Token label (`token`). */
  token?: string;
  /** Token manufacturer (`manufacturer`). */
  manufacturer?: string;
  /** Token model (`model`). */
  model?: string;
  /** Token serial number (`serial`). */
  serial?: string;
  /** Slot id (`slot-id`). */
  slotId?: bigint;
  /** Object label, `CKA_LABEL` (`object`). */
  object?: string;
  /** Object id bytes, `CKA_ID` (`id`). */
  id?: Uint8Array;
  /** Object type (`type`); only `private` makes sense for signing. */
  type?: string;
  /** Module file path (`module-path`). */
  modulePath?: string;
  /** Module name (`module-name`), recorded but not searched for. */
  moduleName?: string;
  /** The PIN itself (`pin-value`). */
  pinValue?: string;
  /** Where to read the PIN (`pin-source`: a file path or `file:` URI). */
  pinSource?: string;
}

const PATH_ATTRIBUTES = {
  token: "token",
  manufacturer: "manufacturer",
  model: "model",
  serial: "serial",
  "slot-id": "slotId",
  object: "object",
  id: "id",
  type: "type",
} as const;

const QUERY_ATTRIBUTES = {
  "module-path": "modulePath",
  "module-name": "moduleName",
  "pin-value": "pinValue",
  "pin-source": "pinSource",
} as const;

const OBJECT_TYPES = new Set(["private", "public", "cert", "secret-key", "data"]);

function invalid(reason: string): InvalidInputError {
  return new InvalidInputError(
    `invalid PKCS#11 URI: ${reason}; write it as pkcs11:token=LABEL;object=LABEL (RFC 7512)`,
  );
}

function decodeBytes(value: string, name: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (value[i] === "%") {
      const hex = value.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw invalid(`bad percent-encoding in ${name}`);
      out.push(parseInt(hex, 16));
      i += 2;
    } else if (c < 0x80) out.push(c);
    else out.push(...new TextEncoder().encode(value[i]!));
  }
  return new Uint8Array(out);
}

function decodeText(value: string, name: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(decodeBytes(value, name));
  } catch (err) {
    if (err instanceof InvalidInputError) throw err;
    throw invalid(`${name} is not UTF-8`);
  }
}

function setOnce(uri: Pkcs11Uri, seen: Set<string>, name: string, raw: string): void {
  if (seen.has(name)) throw invalid(`attribute ${name} appears twice`);
  seen.add(name);
  if (name in PATH_ATTRIBUTES) {
    const field = PATH_ATTRIBUTES[name as keyof typeof PATH_ATTRIBUTES];
    if (field === "id") uri.id = decodeBytes(raw, name);
    else if (field === "slotId") {
      const text = decodeText(raw, name);
      if (!/^[0-9]+$/.test(text)) throw invalid(`slot-id ${JSON.stringify(text)} is not a number`);
      uri.slotId = BigInt(text);
    } else uri[field] = decodeText(raw, name);
    return;
  }
  const field = QUERY_ATTRIBUTES[name as keyof typeof QUERY_ATTRIBUTES];
  uri[field] = decodeText(raw, name);
}

function parseAttributes(
  part: string,
  separator: string,
  known: Record<string, string>,
  uri: Pkcs11Uri,
  seen: Set<string>,
): void {
  if (part === "") return;
  for (const item of part.split(separator)) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw invalid(`${JSON.stringify(item)} is not NAME=VALUE`);
    const name = item.slice(0, eq);
    if (name.startsWith("x-")) continue; // vendor attributes: not ours to interpret
    if (!(name in known)) throw invalid(`unknown attribute ${JSON.stringify(name)}`);
    setOnce(uri, seen, name, item.slice(eq + 1));
  }
}

/**
 * Parses a PKCS#11 URI.
 *
 * @example
 * ```ts
 * import { parsePkcs11Uri } from "./pkcs11_uri.ts";
 * const uri = parsePkcs11Uri("pkcs11:token=station;object=release;id=%01?pin-source=file:/run/pin");
 * console.log(uri.token, uri.object, uri.id, uri.pinSource);
 * // station release Uint8Array(1) [ 1 ] file:/run/pin
 * ```
 * @param text The URI.
 * @returns Its attributes.
 * @throws {InvalidInputError} ERR_INVALID_INPUT when it is not a PKCS#11 URI, an attribute is
 *   unknown, repeated or badly encoded, or it names no key (no `object` and no `id`).
 */
export function parsePkcs11Uri(text: string): Pkcs11Uri {
  if (!text.toLowerCase().startsWith("pkcs11:")) throw invalid("it does not start with pkcs11:");
  const rest = text.slice("pkcs11:".length);
  const q = rest.indexOf("?");
  const path = q < 0 ? rest : rest.slice(0, q);
  const query = q < 0 ? "" : rest.slice(q + 1);
  const uri: Pkcs11Uri = {};
  const seen = new Set<string>();
  parseAttributes(path, ";", PATH_ATTRIBUTES, uri, seen);
  parseAttributes(query, "&", QUERY_ATTRIBUTES, uri, seen);
  if (uri.type !== undefined && !OBJECT_TYPES.has(uri.type)) {
    throw invalid(`type ${JSON.stringify(uri.type)} is not an object type`);
  }
  if (uri.type !== undefined && uri.type !== "private") {
    throw invalid(`type=${uri.type} names no private key; use type=private or leave it out`);
  }
  if (uri.pinValue !== undefined && uri.pinSource !== undefined) {
    throw invalid("give pin-value or pin-source, not both");
  }
  if (uri.object === undefined && uri.id === undefined) {
    throw invalid("it names no key: add object=LABEL or id=%XX");
  }
  return uri;
}

/** Percent-encodes every byte but the `safe` ASCII characters. */
function encode(value: string | Uint8Array, safe: RegExp): string {
  const bytes = typeof value === "string" ? new TextEncoder().encode(value) : value;
  let out = "";
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    out += b < 0x80 && safe.test(ch) ? ch : `%${b.toString(16).padStart(2, "0")}`;
  }
  return out;
}

const PATH_SAFE = /[A-Za-z0-9\-._~:[\]@!$'()*+,=&]/;
const QUERY_SAFE = /[A-Za-z0-9\-._~:[\]@!$'()*+,=/]/;

/**
 * Writes a PKCS#11 URI back, without `pin-value` unless `withPin` (and never `pin-value` for
 * display).
 *
 * @example
 * ```ts
 * import { formatPkcs11Uri, parsePkcs11Uri } from "./pkcs11_uri.ts";
 * console.log(formatPkcs11Uri(parsePkcs11Uri("pkcs11:object=a%20b;id=%01?pin-value=1234")));
 * // pkcs11:object=a%20b;id=%01
 * ```
 * @param uri The attributes.
 * @param options `withPin` keeps `pin-value`.
 * @returns The URI text.
 */
export function formatPkcs11Uri(uri: Pkcs11Uri, options: { withPin?: boolean } = {}): string {
  const path: string[] = [];
  for (const [name, field] of Object.entries(PATH_ATTRIBUTES)) {
    const value = uri[field];
    if (value === undefined) continue;
    if (value instanceof Uint8Array) path.push(`${name}=${encode(value, /^$/)}`);
    else path.push(`${name}=${encode(String(value), PATH_SAFE)}`);
  }
  const query: string[] = [];
  for (const [name, field] of Object.entries(QUERY_ATTRIBUTES)) {
    const value = uri[field];
    if (value === undefined || (field === "pinValue" && !options.withPin)) continue;
    query.push(`${name}=${encode(value, QUERY_SAFE)}`);
  }
  return `pkcs11:${path.join(";")}${query.length > 0 ? `?${query.join("&")}` : ""}`;
}

/** Whether a `--key`-style value is a PKCS#11 URI. */
export function isPkcs11Uri(text: string): boolean {
  return text.toLowerCase().startsWith("pkcs11:");
}
