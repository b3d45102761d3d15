import { assertEquals } from "../_helpers/assert.ts";
import { paceGarbageCollection } from "../../lib/runtime/gc_pacer.ts";

Deno.test("paceGarbageCollection() does nothing under Deno: no timer is left running", () => {
  // Deno's sanitizers fail this test if a timer was started and never cleared.
  const stop = paceGarbageCollection(5);
  assertEquals(typeof stop, "function");
});
