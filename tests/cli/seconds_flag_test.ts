/** Flags of seconds (serve's --header-timeout and --idle-timeout) take fractions. */
import { assertEquals, assertThrowsCode } from "../_helpers/assert.ts";
import { parseSecondsMs } from "../../lib/cli/_args.ts";

Deno.test("parseSecondsMs: whole and fractional seconds, the default, and what is refused", () => {
  assertEquals(parseSecondsMs(undefined, "idle-timeout", 60), 60_000);
  assertEquals(parseSecondsMs("2", "idle-timeout", 60), 2000);
  assertEquals(parseSecondsMs("0.5", "idle-timeout", 60), 500);
  assertEquals(parseSecondsMs("1.25", "header-timeout", 10), 1250);
  for (const bad of ["0", "0.0001", "-1", "1e3", ".5", "1.", "ten", ""]) {
    assertThrowsCode(
      () => parseSecondsMs(bad, "idle-timeout", 60),
      "ERR_USAGE",
      `--idle-timeout expects a number of seconds above zero, got ${JSON.stringify(bad)}`,
    );
  }
});
