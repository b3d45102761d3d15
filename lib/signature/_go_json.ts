/**
 * JSON serialised as Go's `encoding/json` does, so that what notation would sign and what we sign
 * are byte-identical: no whitespace, `<`, `>`, `&`, U+2028 and U+2029 escaped, and (optionally)
 * object keys sorted as Go sorts map keys (by UTF-8 bytes).
 *
 * @module
 */
import { utf8 } from "../_internal/bytes.ts";
import type { Bytes } from "../_internal/bytes.ts";

const GO_ESCAPES: Readonly<Record<string, string>> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/** Orders strings by their UTF-8 bytes, as Go sorts map keys. */
export function compareUtf8(a: string, b: string): number {
  const x = utf8(a);
  const y = utf8(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value !== null && typeof value === "object" && !(value instanceof Uint8Array)) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      compareUtf8(a, b)
    );
    return Object.fromEntries(entries.map(([k, v]) => [k, sortDeep(v)]));
  }
  return value;
}

/**
 * Serialises `value` as Go's `json.Marshal` would.
 *
 * @example
 * ```ts
 * import { goJson } from "./_go_json.ts";
 * console.log(new TextDecoder().decode(goJson({ b: "<", a: 1 }, true))); // {"a":1,"b":"\u003c"}
 * ```
 * @param value A JSON value (objects in the key order to write, unless `sortKeys`).
 * @param sortKeys Sort object keys at every level, as Go does for maps.
 * @returns UTF-8 JSON bytes.
 */
export function goJson(value: unknown, sortKeys: boolean): Bytes {
  const text = JSON.stringify(sortKeys ? sortDeep(value) : value);
  return utf8(text.replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]!));
}
