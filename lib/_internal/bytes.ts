/**
 * Byte helpers shared by every layer: UTF-8, hex, base64 (standard and url-safe), concatenation
 * and constant-time comparison.
 *
 * @module
 */

/**
 * The byte array type used across ocisign: a `Uint8Array` over an `ArrayBuffer` (never a
 * `SharedArrayBuffer`), which WebCrypto and web streams accept as is. Any `new Uint8Array(n)` is
 * one.
 *
 * @example
 * ```ts
 * import type { Bytes } from "@ocisign/ocisign/digest";
 * const bytes: Bytes = new TextEncoder().encode("{}");
 * if (bytes.length !== 2) throw new Error("expected 2 bytes");
 * ```
 */
export type Bytes = Uint8Array<ArrayBuffer>;

const ENCODER = new TextEncoder();
const DECODER = new TextDecoder("utf-8", { fatal: true });

/** Encodes a string as UTF-8. */
export function utf8(text: string): Bytes {
  return ENCODER.encode(text) as Bytes;
}

/**
 * Decodes UTF-8 strictly.
 * @throws {TypeError} when the bytes are not valid UTF-8.
 */
export function fromUtf8(bytes: Uint8Array): string {
  return DECODER.decode(bytes);
}

/** Joins byte arrays. */
export function concat(parts: readonly Uint8Array[]): Bytes {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** `Uint8Array.prototype.toHex` where the runtime has it (Bun, Deno; Node from version 25). */
const nativeToHex = (Uint8Array.prototype as { toHex?: (this: Uint8Array) => string }).toHex;

/** Lower-case hex of the bytes. */
export function toHex(bytes: Uint8Array): string {
  // Native where there is one: cold, the loop below costs 0.2-0.7 ms a call in the compiled
  // binary, and verify hexes a few fields of each certificate at start.
  if (nativeToHex !== undefined) return nativeToHex.call(bytes);
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/**
 * Parses lower- or upper-case hex.
 * @throws {SyntaxError} when the text is not even-length hex.
 */
export function fromHex(hex: string): Bytes {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new SyntaxError("Cannot parse hex: not an even-length hex string");
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Standard, padded base64. */
export function toBase64(bytes: Uint8Array): string {
  let bin = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    bin += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(bin);
}

/** `Uint8Array.fromBase64` where the runtime has it (Bun, Deno; Node from version 25). */
const nativeFromBase64 = (Uint8Array as { fromBase64?: (text: string) => Uint8Array }).fromBase64;

/**
 * Parses standard, padded base64 strictly (no whitespace, no url-safe alphabet).
 * @throws {SyntaxError} when the text is not canonical standard base64.
 */
export function fromBase64(text: string): Bytes {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) {
    throw new SyntaxError("Cannot parse base64: not standard padded base64");
  }
  if (nativeFromBase64 !== undefined) return nativeFromBase64(text) as Bytes;
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Base64url without padding (RFC 7515). */
export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Parses base64url without padding strictly.
 * @throws {SyntaxError} when the text has padding or characters outside the url-safe alphabet.
 */
export function fromBase64Url(text: string): Bytes {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
    throw new SyntaxError("Cannot parse base64url: not unpadded base64url");
  }
  const std = text.replace(/-/g, "+").replace(/_/g, "/");
  return fromBase64(std + "=".repeat((4 - (std.length % 4)) % 4));
}

/** Compares two byte arrays in time independent of where they differ. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
