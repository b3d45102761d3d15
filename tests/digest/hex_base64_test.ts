/**
 * `toHex` and `fromBase64` (native `Uint8Array` methods where the runtime has them): hex is
 * lower-case, two digits a byte, of exactly the bytes of a view; base64 is read strictly.
 */
import {
  fromBase64,
  fromBase64Url,
  fromHex,
  toBase64,
  toBase64Url,
  toHex,
} from "../../lib/_internal/bytes.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";

Deno.test("toHex() writes every byte value as two lower-case digits, of a view's bytes only", () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  const hex = toHex(all);
  assertEquals(hex.length, 512);
  assertEquals(hex.slice(0, 8), "00010203");
  assertEquals(hex.slice(-4), "feff");
  assertEquals(hex.slice(20, 24), "0a0b");
  assertEquals(fromHex(hex), all);
  assertEquals(toHex(all.subarray(250, 253)), "fafbfc");
  assertEquals(toHex(new Uint8Array(0)), "");
});

Deno.test("fromBase64() and fromBase64Url() read canonical base64 only, as before", () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  for (const n of [0, 1, 2, 3, 4, 255, 256]) {
    const bytes = all.subarray(0, n);
    assertEquals(fromBase64(toBase64(bytes)), bytes.slice());
    assertEquals(fromBase64Url(toBase64Url(bytes)), bytes.slice());
  }
  // Unused low bits of the last character are ignored, as atob does.
  assertEquals(fromBase64("QR=="), fromBase64("QQ=="));
  for (const bad of ["QQ", "QQ=", "Q Q==", "QQ==\n", "-_==", "QQ==QQ==", "Q"]) {
    assert.throws(() => fromBase64(bad), SyntaxError, bad);
  }
  for (const bad of ["QQ==", "+/", "Q"]) assert.throws(() => fromBase64Url(bad), SyntaxError, bad);
});
