import { stressSign } from "./_concurrent_sign.ts";

Deno.test("ocisign sign in 4 processes x 6 rounds on a dir, a tar and serve of the dir loses nothing", async () => {
  await stressSign({ processes: 4, iterations: 6, serve: true });
});
