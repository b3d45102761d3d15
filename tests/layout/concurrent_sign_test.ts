import { stressSign } from "./_concurrent_sign.ts";

Deno.test("ocisign sign in 3 processes at once on one layout dir and one tar loses nothing", async () => {
  await stressSign({ processes: 3, iterations: 2, serve: false });
});
