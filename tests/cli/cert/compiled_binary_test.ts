import { assert, assertEquals } from "../../_helpers/assert.ts";
import { findPeer, runPeer } from "../../_helpers/peers.ts";
import denoJson from "../../../deno.json" with { type: "json" };
import { bunCompileArgs } from "../../_helpers/bun.ts";

const bun = findPeer("bun");
const repo = new URL("../../../", import.meta.url).pathname.replace(/\/$/, "");

async function ensureNodeModules(): Promise<void> {
  // `bun build` resolves npm packages from node_modules/, which Deno fills (nodeModulesDir: auto).
  if (await Deno.stat(`${repo}/node_modules/jose`).catch(() => undefined)) return;
  const out = await new Deno.Command(Deno.execPath(), { args: ["install"], cwd: repo }).output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
}

Deno.test({
  name: "bun build --compile of cli.ts runs --version and cert generate-test",
  ignore: bun === undefined,
  fn: async () => {
    await ensureNodeModules();
    const dir = await Deno.makeTempDir({ prefix: "ocisign-bin-" });
    try {
      const binary = `${dir}/ocisign`;
      const build = await runPeer(bun!, bunCompileArgs(binary), {
        cwd: repo,
      });
      assertEquals(build.code, 0, build.stderr);

      const version = await runPeer(binary, ["--version"], { cwd: dir });
      assertEquals(version.code, 0, version.stderr);
      // The binary names the commit it was built from.
      assert.match(
        version.stdout,
        new RegExp(`^ocisign ${denoJson.version}( \\(commit [0-9a-f]+\\))?\n$`),
      );

      const env = { OCISIGN_CONFIG_DIR: `${dir}/config` };
      const gen = await runPeer(
        binary,
        ["cert", "generate-test", "compiled.example", "--default"],
        {
          cwd: dir,
          env,
        },
      );
      assertEquals(gen.code, 0, gen.stderr);
      const lines = gen.stdout.split("\n");
      assertEquals(lines[0], "generating RSA Key with 2048 bits");
      assert.match(
        lines[1]!,
        /^generated certificate expiring on \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
      );
      assertEquals(lines.slice(2), [
        `wrote key: ${dir}/config/localkeys/compiled.example.key`,
        `wrote certificate: ${dir}/config/localkeys/compiled.example.crt`,
        "Successfully added compiled.example.crt to named store compiled.example of type ca",
        "compiled.example: added to the key list",
        "compiled.example: mark as default signing key",
        "",
      ]);
      const key = await Deno.stat(`${dir}/config/localkeys/compiled.example.key`);
      assertEquals(key.mode! & 0o777, 0o600);

      const list = await runPeer(binary, ["key", "list"], { cwd: dir, env });
      assertEquals(list.code, 0, list.stderr);
      assert.match(list.stdout, /^\* compiled\.example /m);

      // The strict argument layer is bundled: a typo is refused, with the suggestion.
      const typo = await runPeer(binary, ["verify", "x", "--user-metdata", "a=b"], {
        cwd: dir,
        env,
      });
      assertEquals(typo.code, 2);
      assert.ok(
        typo.stderr.startsWith(
          "Error: unknown flag: --user-metdata\n\nDid you mean this?\n\t--user-metadata\n",
        ),
        typo.stderr,
      );
      const sgin = await runPeer(binary, ["sgin"], { cwd: dir, env });
      assertEquals(sgin.code, 2);
      assert.match(
        sgin.stderr,
        /^Error: unknown command "sgin" for "ocisign"\n\nDid you mean this\?\n\tsign\n/,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
