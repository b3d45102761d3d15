/**
 * `toHex` (native `Uint8Array.prototype.toHex` where the runtime has it) gives lower-case,
 * two-digit hex of exactly the bytes of a view, as `fromHex` reads it back.
 */
import { fromHex, toHex } from "../../lib/_internal/bytes.ts";
import { assertEquals } from "../_helpers/assert.ts";

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
