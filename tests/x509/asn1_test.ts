import { assert, assertEquals } from "../_helpers/assert.ts";
import {
  ecdsaDerToRaw,
  encodeDer,
  readSingle,
  smallInt,
  TAG,
  timeOf,
} from "../../lib/x509/asn1.ts";

/** Asserts that `fn` throws a SyntaxError whose message includes `text`. */
function assertSyntaxError(fn: () => unknown, text = ""): void {
  assert.throws(fn, (err: unknown) => err instanceof SyntaxError && err.message.includes(text));
}

const time = (tag: number, text: string) =>
  timeOf(readSingle(encodeDer(tag, new TextEncoder().encode(text))), "time");

Deno.test("timeOf() reads UTCTime with RFC 5280's century rule and GeneralizedTime fractions", () => {
  assertEquals(time(TAG.UTC_TIME, "491231235959Z").toISOString(), "2049-12-31T23:59:59.000Z");
  assertEquals(time(TAG.UTC_TIME, "500101000000Z").toISOString(), "1950-01-01T00:00:00.000Z");
  assertEquals(
    time(TAG.GENERALIZED_TIME, "20250102030405.123456Z").toISOString(),
    "2025-01-02T03:04:05.123Z",
  );
  for (
    const [tag, text] of [[TAG.UTC_TIME, "2501020304Z"], [
      TAG.GENERALIZED_TIME,
      "20250102030405+0100",
    ]] as const
  ) {
    assertSyntaxError(() => time(tag, text), "bad time");
  }
  assertSyntaxError(
    () => timeOf(readSingle(new Uint8Array([0x05, 0x00])), "thisUpdate"),
    "bad thisUpdate",
  );
});

Deno.test("ecdsaDerToRaw() pads r and s to the curve size and refuses what does not fit", () => {
  // r = 0x00ff (sign octet), s = 0x01
  const der = new Uint8Array([0x30, 0x07, 0x02, 0x02, 0x00, 0xff, 0x02, 0x01, 0x01]);
  const raw = ecdsaDerToRaw(der, 256);
  assertEquals(raw.length, 64);
  assertEquals(raw[31], 0xff);
  assertEquals(raw[63], 0x01);
  assert(raw.subarray(0, 31).every((b) => b === 0));
  const long = encodeDer(
    TAG.SEQUENCE,
    new Uint8Array([
      ...encodeDer(TAG.INTEGER, new Uint8Array(33).fill(1)),
      ...encodeDer(TAG.INTEGER, new Uint8Array([1])),
    ]),
  );
  assertSyntaxError(() => ecdsaDerToRaw(long, 256), "bad ECDSA signature");
  assertEquals(ecdsaDerToRaw(long, 384).length, 96);
});

Deno.test("smallInt() checks the tag and refuses empty or oversized values", () => {
  assertEquals(
    smallInt(readSingle(new Uint8Array([0x0a, 0x01, 0x06])), "reason", TAG.ENUMERATED),
    6,
  );
  assertSyntaxError(
    () => smallInt(readSingle(new Uint8Array([0x02, 0x01, 0x06])), "reason", TAG.ENUMERATED),
    "bad reason",
  );
  assertSyntaxError(() => smallInt(readSingle(new Uint8Array([0x02, 0x00])), "n"), "bad n");
  assertSyntaxError(
    () => smallInt(readSingle(new Uint8Array([0x02, 0x07, 1, 2, 3, 4, 5, 6, 7])), "n"),
  );
});
