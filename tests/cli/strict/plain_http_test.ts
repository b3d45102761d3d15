/**
 * `--plain-http` has three states: unset (HTTP only for localhost), `--plain-http` (HTTP), and
 * `--plain-http=false` / `--no-plain-http` (HTTPS, also for localhost).
 */
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { freePort } from "../../_helpers/distribution.ts";
import { ok, withSigningSandbox } from "../commands/_fixture.ts";

Deno.test("localhost is HTTP unless --plain-http=false, for build bases, cp and list", async () => {
  await withSigningSandbox(async (sb) => {
    const port = freePort();
    const controller = new AbortController();
    const server = sb.runWith(
      { signal: controller.signal },
      "serve",
      "--create",
      "--addr",
      `127.0.0.1:${port}`,
      "./registry",
    );
    try {
      const base = `localhost:${port}/base:v1`;
      let pushed;
      for (let i = 0; i < 100; i++) {
        pushed = await sb.run("cp", "--from-oci-layout", "./img:v1", base);
        if (pushed.code === 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      ok(pushed!);
      await Deno.mkdir(`${sb.cwd}/ctx2`);
      await Deno.writeTextFile(`${sb.cwd}/ctx2/Dockerfile`, `FROM ${base}\nLABEL x=y\n`);
      ok(await sb.run("build", "-o", "./out", "./ctx2"));
      const https = await sb.run("list", base, "--plain-http=false");
      assertEquals(https.code, 7, https.stderr);
      assert.match(https.stderr, /https:\/\/localhost/);
      assert.match(https.stderr, /if it serves plain HTTP, use --plain-http\)\n/);
      const built = await sb.run("build", "-o", "./out2", "--no-plain-http", "./ctx2");
      assertEquals(built.code, 7, built.stderr);
    } finally {
      controller.abort();
      assertEquals((await server).code, 130);
    }
  });
});
