import { toHex } from "../../lib/_internal/bytes.ts";
import { fromHex } from "../../lib/_internal/bytes.ts";
import { assertEquals, assertThrowsCode } from "../_helpers/assert.ts";
import { CborMap, CborTag, decodeCbor, encodeCbor } from "../../lib/signature/cbor/mod.ts";
import type { CborValue } from "../../lib/signature/cbor/mod.ts";

// RFC 8949 Appendix A vectors (preferred serialisation).
const VECTORS: [CborValue, string][] = [
  [0, "00"],
  [23, "17"],
  [24, "1818"],
  [100, "1864"],
  [1000, "1903e8"],
  [1000000, "1a000f4240"],
  [1000000000000, "1b000000e8d4a51000"],
  [18446744073709551615n, "1bffffffffffffffff"],
  [-1, "20"],
  [-1000, "3903e7"],
  [-18446744073709551616n, "3bffffffffffffffff"],
  [1.5, "f93e00"],
  [100000.0 + 0.5, "fa47c35040"],
  [1.1, "fb3ff199999999999a"],
  [-4.1, "fbc010666666666666"],
  [65504.5, "fa477fe080"],
  [5.960464477539063e-8, "f90001"],
  [Infinity, "f97c00"],
  [false, "f4"],
  [true, "f5"],
  [null, "f6"],
  [undefined, "f7"],
  [new CborTag(1, 1363896240), "c11a514b67b0"],
  [new Uint8Array([1, 2, 3, 4]), "4401020304"],
  ["", "60"],
  ["IETF", "6449455446"],
  ["\u00fc", "62c3bc"],
  [[1, [2, 3], [4, 5]], "8301820203820405"],
  [new CborMap([[1, 2], [3, 4]]), "a201020304"],
  [new CborMap([["a", 1], ["b", [2, 3]]]), "a26161016162820203"],
];

Deno.test("encodeCbor() produces RFC 8949 preferred encodings", () => {
  for (const [value, hex] of VECTORS) {
    assertEquals(toHex(encodeCbor(value)), hex, `encoding ${String(value)}`);
  }
});

Deno.test("decodeCbor() round-trips the RFC 8949 vectors", () => {
  for (const [, hex] of VECTORS) assertEquals(toHex(encodeCbor(decodeCbor(fromHex(hex)))), hex);
});

Deno.test("encodeCbor() sorts map keys by their encoded bytes (core deterministic)", () => {
  const map = new CborMap([
    ["io.cncf.notary.signingTime", 1],
    [3, "c"],
    ["io.cncf.notary.expiry", 2],
    [1, -7],
    [-1, 0],
    ["b", 0],
  ]);
  const decoded = decodeCbor(encodeCbor(map)) as CborMap;
  assertEquals([...decoded.keys()], [
    1,
    3,
    -1,
    "b",
    "io.cncf.notary.expiry",
    "io.cncf.notary.signingTime",
  ]);
});

Deno.test("decodeCbor() rejects malformed or hostile input with ERR_INVALID_INPUT", () => {
  const cases: [string, string][] = [
    ["", "empty input"],
    ["0001", "trailing bytes"],
    ["5f4101ff", "indefinite-length"],
    ["9f01ff", "indefinite-length"],
    ["bf0102ff", "indefinite-length"],
    ["a201020103", "duplicate map key"],
    ["a2616101616102", "duplicate map key"],
    ["a1400102", "map keys must be integers or text strings"],
    ["1c", "reserved"],
    ["62c328", "not valid UTF-8"],
    ["5a7fffffff00", "exceeds"],
    ["9bffffffffffffffff", "exceeds"],
    ["bb0000000100000000", "exceeds"],
    ["f800", "unsupported simple value"],
    ["ff", "unexpected break"],
    ["8181818181818181818181818181818181818100", "nesting deeper"],
    ["c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c100", "nesting deeper"],
    ["1b00", "needs 8 bytes"],
  ];
  for (const [hex, message] of cases) {
    assertThrowsCode(() => decodeCbor(fromHex(hex)), "ERR_INVALID_INPUT", message);
  }
});

Deno.test("encodeCbor() writes integral doubles beyond the safe range as floats (fast-check regression)", () => {
  // fast-check found 7.970035730038523e+34 encoded as a wrapped 64-bit integer.
  const x = 7.970035730038523e+34;
  assertEquals(decodeCbor(encodeCbor(x)), x);
  assertEquals(toHex(encodeCbor(2 ** 60)), "fa5d800000");
});
