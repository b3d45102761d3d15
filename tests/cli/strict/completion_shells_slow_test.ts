/**
 * The zsh and fish completion scripts, loaded into a real interactive zsh and fish on a
 * pseudo-terminal: a command line typed with Tab after each partial word is completed and run
 * (a shell function named `ocisign` prints the words it got).
 */
import { assert } from "../../_helpers/assert.ts";
import { findPeer } from "../../_helpers/peers.ts";
import { script } from "../../_helpers/terminal.ts";
import { cliSandbox } from "../../_helpers/cli.ts";
import type { CliSandbox } from "../../_helpers/cli.ts";

const zsh = findPeer("zsh");
const fish = findPeer("fish");

/** Typed at the prompt: each partial word is finished by the completion (Tab). */
const TYPED = "ocisign pol\tin\t--rev\tskip\r";
const COMPLETED = "ARGS: policy init --revocation skip";
const NESTED = "ocisign blob sig\t--media\tx\r";
const NESTED_COMPLETED = "ARGS: blob sign --media-type x";

/**
 * Starts `shell` interactively on a pseudo-terminal, types each line once the prompt shows,
 * and returns everything the terminal showed.
 */
async function typeInShell(
  shell: string[],
  env: Record<string, string>,
  lines: string[],
): Promise<string> {
  const child = new Deno.Command(script!, {
    args: ["-qfec", shell.join(" "), "/dev/null"],
    clearEnv: true,
    env: { PATH: "/usr/bin:/bin", TERM: "dumb", ...env },
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  // A guard against a shell that never shows its prompt: the test fails instead of hanging.
  const guard = setTimeout(() => child.kill(), 60_000);
  const writer = child.stdin.getWriter();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let output = "";
  const pending = [...lines, "exit\r"];
  let prompts = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      output += value;
      const seen = output.split("READY>").length - 1;
      if (seen > prompts && pending.length > 0) {
        prompts = seen;
        await writer.write(new TextEncoder().encode(pending.shift()!));
      }
    }
  } finally {
    clearTimeout(guard);
    await writer.close().catch(() => {});
    await child.status;
  }
  return output;
}

async function withSandbox(fn: (sb: CliSandbox) => Promise<void>): Promise<void> {
  const sb = await cliSandbox();
  try {
    await fn(sb);
  } finally {
    await sb.close();
  }
}

Deno.test({
  name: "zsh completes commands, subcommands, flags and enum values with the zsh script",
  ignore: script === undefined || zsh === undefined,
  fn: async () => {
    await withSandbox(async (sb) => {
      const completion = `${sb.dir}/ocisign.zsh`;
      await Deno.writeTextFile(completion, (await sb.run("completion", "zsh")).stdout);
      await Deno.writeTextFile(
        `${sb.dir}/.zshrc`,
        `PS1='READY> '\nautoload -U compinit && compinit -u\nsource ${completion}\n` +
          `ocisign() { print "ARGS: $*" }\n`,
      );
      const out = await typeInShell([zsh!, "-i"], { HOME: sb.dir, ZDOTDIR: sb.dir }, [
        TYPED,
        NESTED,
      ]);
      assert.ok(out.includes(COMPLETED), out);
      assert.ok(out.includes(NESTED_COMPLETED), out);
    });
  },
});

Deno.test({
  name: "fish completes commands, subcommands, flags and enum values with the fish script",
  ignore: script === undefined || fish === undefined,
  fn: async () => {
    await withSandbox(async (sb) => {
      const completion = `${sb.dir}/ocisign.fish`;
      await Deno.writeTextFile(completion, (await sb.run("completion", "fish")).stdout);
      await Deno.mkdir(`${sb.dir}/config/fish`, { recursive: true });
      await Deno.writeTextFile(
        `${sb.dir}/config/fish/config.fish`,
        "function fish_prompt; echo -n 'READY> '; end\nfunction fish_greeting; end\n" +
          `source ${completion}\nfunction ocisign; echo "ARGS: $argv"; end\n`,
      );
      // On a first start fish scans the man pages for completions in a background process that
      // outlives the shell (and the sandbox); an existing generated_completions says it is done.
      await Deno.mkdir(`${sb.dir}/data/fish/generated_completions`, { recursive: true });
      const env = {
        HOME: sb.dir,
        XDG_CONFIG_HOME: `${sb.dir}/config`,
        XDG_DATA_HOME: `${sb.dir}/data`,
      };
      const out = await typeInShell([fish!, "-i"], env, [TYPED, NESTED]);
      assert.ok(out.includes(COMPLETED), out);
      assert.ok(out.includes(NESTED_COMPLETED), out);
    });
  },
});
