/**
 * The command line on a terminal, driven through a pseudo-terminal (`script`): login asks for
 * the user name and the password (not echoed), Ctrl-C at the prompt is exit 130, and help is in
 * colour unless NO_COLOR is set.
 */
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { findPeer, runPeer } from "../../_helpers/peers.ts";
import { freePort } from "../../_helpers/distribution.ts";
import { cliSandbox } from "../../_helpers/cli.ts";
import { onTerminal, script } from "../../_helpers/terminal.ts";

const htpasswd = findPeer("htpasswd");

Deno.test({
  name: "login on a terminal asks for the user name and the password, and does not echo it",
  ignore: script === undefined || htpasswd === undefined,
  fn: async () => {
    const sb = await cliSandbox();
    const controller = new AbortController();
    const port = freePort();
    try {
      const made = await runPeer(htpasswd!, ["-Bbn", "alice", "s3cret"]);
      await Deno.writeTextFile(`${sb.cwd}/htpasswd`, made.stdout);
      const server = sb.runWith(
        { signal: controller.signal },
        "serve",
        "--create",
        "--addr",
        `127.0.0.1:${port}`,
        "--htpasswd",
        "./htpasswd",
        "./registry",
      );
      const env = { HOME: sb.home, OCISIGN_CONFIG_DIR: sb.configDir, PATH: Deno.env.get("PATH")! };
      const login = await onTerminal(["login", `localhost:${port}`], env, {
        answers: [["Username: ", "alice\r"], ["Password: ", "s3cret\r"]],
      });
      assertEquals(login.code, 0, login.output);
      assert.match(login.output, /Login Succeeded/);
      assert.ok(login.output.includes("alice"), "the user name is echoed");
      assert.ok(!login.output.includes("s3cret"), `the password was echoed: ${login.output}`);
      const config = JSON.parse(await Deno.readTextFile(`${sb.home}/.docker/config.json`));
      assertEquals(atob(config.auths[`localhost:${port}`].auth), "alice:s3cret");

      const interrupted = await onTerminal(["login", `localhost:${port}`, "-u", "alice"], env, {
        answers: [["Password: ", "\x03"]],
      });
      assertEquals(interrupted.code, 130, interrupted.output);
      controller.abort();
      assertEquals((await server).code, 130);
    } finally {
      controller.abort();
      await sb.close();
    }
  },
});

Deno.test({
  name: "help is bold on a terminal, plain with NO_COLOR (any value) or in a pipe",
  ignore: script === undefined,
  fn: async () => {
    const env = { PATH: Deno.env.get("PATH")!, HOME: Deno.env.get("HOME") ?? "/tmp" };
    const tty = await onTerminal(["help", "verify"], env);
    assertEquals(tty.code, 0);
    assert.ok(tty.output.includes("\x1b[1mUsage:\x1b[22m"), tty.output);
    const noColor = await onTerminal(["help", "verify"], { ...env, NO_COLOR: "" });
    assertEquals(noColor.code, 0);
    assert.ok(!noColor.output.includes("\x1b"), noColor.output);
  },
});
