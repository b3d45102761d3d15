/**
 * `plugin list|install|uninstall|install-self -o json`: one JSON document on stdout and only
 * JSON lines on stderr, argument errors and failures included, as for the other commands.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { describeRun, withTempDir } from "../_helpers/e2e.ts";
import { host } from "./_host.ts";

function jsonLines(stderr: string): Array<Record<string, { code?: string; message: string }>> {
  return stderr.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
}

Deno.test("plugin list, install, uninstall and install-self -o json: one document each", () =>
  withTempDir("ocisign-plugin-json-", async (dir) => {
    const h = await host(dir);
    const script = await h.script("vault");
    const pluginDir = `${h.configDir}/plugins/vault`;

    const empty = await h.run("plugin", "list", "-o", "json");
    assertEquals([empty.code, JSON.parse(empty.stdout), empty.stderr], [0, [], ""]);

    const added = await h.run("plugin", "install", "--file", script, "-o", "json");
    assertEquals(added.code, 0, describeRun(added));
    assertEquals(JSON.parse(added.stdout), {
      name: "vault",
      version: "1.0.0",
      path: `${pluginDir}/notation-vault`,
      files: [],
    });
    assertEquals(added.stderr, "");

    const listed = await h.run("plugin", "list", "-o", "json");
    assertEquals(listed.code, 0, describeRun(listed));
    const [plugin] = JSON.parse(listed.stdout);
    assertEquals([plugin.name, plugin.version, plugin.error], ["vault", "1.0.0", null]);

    const self = await h.run("plugin", "install-self", "-o", "json");
    assertEquals(self.code, 0, describeRun(self));
    const selfDoc = JSON.parse(self.stdout);
    assertEquals(
      [selfDoc.name, selfDoc.path, selfDoc.files],
      ["ocisign", `${h.configDir}/plugins/ocisign/notation-ocisign`, []],
    );
    assert.match(selfDoc.version, /^\d+\.\d+\.\d+/);

    // failures and argument errors: nothing on stdout, the error a JSON line
    const failures: Array<[string[], number, string]> = [
      [["plugin", "install", "--file", script, "-o", "json"], 2, "ERR_ALREADY_EXISTS"],
      [["plugin", "install", "-o", "json"], 2, "ERR_USAGE"],
      [["plugin", "install", "--file", script, "--forse", "-o", "json"], 2, "ERR_USAGE"],
      [["plugin", "uninstall", "-o", "json"], 2, "ERR_USAGE"],
      [["plugin", "uninstall", "vault", "extra", "-o", "json"], 2, "ERR_USAGE"],
      [["plugin", "uninstall", "nothing", "-o", "json"], 5, "ERR_NOT_FOUND"],
      [["plugin", "install-self", "--yes", "-o", "json"], 2, "ERR_USAGE"],
      [["plugin", "list", "extra", "-o", "json"], 2, "ERR_USAGE"],
    ];
    for (const [argv, code, errorCode] of failures) {
      const r = await h.run(...argv);
      assertEquals(r.code, code, `${argv.join(" ")}: ${describeRun(r)}`);
      assertEquals(r.stdout, "", argv.join(" "));
      assertEquals(jsonLines(r.stderr).at(-1)!.error!.code, errorCode, argv.join(" "));
    }

    const removed = await h.run("plugin", "uninstall", "vault", "-o", "json");
    assertEquals(removed.code, 0, describeRun(removed));
    assertEquals(JSON.parse(removed.stdout), { name: "vault", deleted: pluginDir });
    assertEquals(await Deno.stat(pluginDir).catch(() => undefined), undefined);
  }));
