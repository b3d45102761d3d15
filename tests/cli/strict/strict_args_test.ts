/**
 * The strict argument layer over every command: walks the command tree (so commands added later
 * are covered), feeds each a misspelled flag and an extra (or missing) positional argument, and
 * expects exit 2 with pflag's message before anything is written.
 */
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { cliSandbox, testIo } from "../../_helpers/cli.ts";
import type { CliResult, CliSandbox } from "../../_helpers/cli.ts";
import { commandTree } from "../../../lib/cli/main.ts";
import { allCommands, argsOf } from "../../../lib/cli/_command_tree.ts";
import type { ArgsDef } from "../../../lib/cli/command.ts";
import { globalArgsFor } from "../../../lib/cli/_global_args.ts";

async function withSandbox(fn: (sb: CliSandbox) => Promise<void>): Promise<void> {
  const sb = await cliSandbox();
  try {
    await fn(sb);
  } finally {
    await sb.close();
  }
}

/** Flags that must be given (build's --output), with a plausible value. */
function requiredFlags(defs: ArgsDef): string[] {
  return Object.entries(defs).filter(([, d]) =>
    (d.type === "string" || d.type === "enum") && d.required === true
  ).flatMap(([name, d]) => [`--${name}`, d.type === "enum" ? d.options[0]! : "out"]);
}

/** A one-letter change of a flag name (two letters swapped in the middle). */
function misspell(name: string): string {
  const i = Math.max(1, Math.floor(name.length / 2) - 1);
  const swapped = name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2);
  return swapped === name ? name + "x" : swapped;
}

async function nothingWritten(sb: CliSandbox, r: CliResult, what: string): Promise<void> {
  assertEquals(r.code, 2, `${what}: ${r.stderr}`);
  assertEquals(r.stdout, "", what);
  assertEquals(await Deno.stat(sb.configDir).catch(() => undefined), undefined, what);
  assertEquals([...Deno.readDirSync(sb.cwd)], [], what);
}

Deno.test("every command refuses a misspelled flag and a wrong number of positional arguments", async () => {
  const { io } = testIo();
  const commands = (await allCommands(commandTree(io))).filter((c) => !c.group);
  assert.ok(commands.length >= 24, `only ${commands.length} commands found`);
  await withSandbox(async (sb) => {
    for (const { path, cmd } of commands) {
      const words = path.slice(1);
      const name = words.join(" ");
      const defs = argsOf(cmd);
      const meta = cmd.meta;
      const positionals = Object.values(defs).filter((d) => d.type === "positional");
      const given = [
        ...positionals.map((_, i) => `arg${i}`),
        ...Array.from({ length: meta.variadic?.min ?? 0 }, (_, i) => `more${i}`),
      ];
      const required = requiredFlags(defs);

      const flag = Object.keys(defs).find((n) => defs[n]!.type !== "positional" && n.length > 3);
      const typo = flag ? misspell(flag) : "nosuchflag";
      const unknown = await sb.run(...words, ...given, ...required, `--${typo}`, "value");
      await nothingWritten(sb, unknown, `${name} --${typo}`);
      assert.match(unknown.stderr, new RegExp(`^Error: unknown flag: --${typo}\n`), name);
      if (flag) {
        assert.ok(
          unknown.stderr.includes(`\nDid you mean this?\n\t--${flag}\n`),
          `${name}: ${unknown.stderr}`,
        );
      }
      assert.ok(unknown.stderr.endsWith(`\nRun 'ocisign ${name} --help' for usage.\n`), name);

      const json = await sb.run(...words, ...given, ...required, `--${typo}`, "-o", "json");
      if ("output" in defs && defs.output!.type === "enum") {
        assertEquals(JSON.parse(json.stderr).error, {
          code: "ERR_USAGE",
          message: `unknown flag: --${typo}`,
          ...(flag ? { details: { suggestions: [`--${flag}`] } } : {}),
        }, name);
      }

      if (meta.variadic === undefined) {
        const extra = await sb.run(...words, ...given, ...required, "extra-argument");
        await nothingWritten(sb, extra, `${name} extra-argument`);
        assert.match(
          extra.stderr,
          new RegExp(
            `^Error: accepts (at most )?${positionals.length} arg\\(s\\), received ${
              given.length + 1
            }\n`,
          ),
          name,
        );
      }
      if (given.length > 0) {
        const missing = await sb.run(...words, ...required);
        await nothingWritten(sb, missing, `${name} without arguments`);
        assert.match(
          missing.stderr,
          /^Error: (accepts|requires at least) \d+ arg\(s\), received 0 \(missing /,
          name,
        );
      }
    }
  });
});

Deno.test("no two flags of a command share a spelling (names, aliases, global flags)", async () => {
  const { io } = testIo();
  for (const { path, cmd } of await allCommands(commandTree(io))) {
    const own = argsOf(cmd);
    const seen = new Map<string, string>();
    for (const [name, def] of Object.entries({ ...own, ...globalArgsFor(own) })) {
      if (def.type === "positional") continue;
      for (const spelling of [name, ...(def.alias === undefined ? [] : [def.alias])]) {
        assertEquals(seen.get(spelling), undefined, `${path.join(" ")}: ${spelling} of ${name}`);
        seen.set(spelling, name);
      }
    }
  }
});

Deno.test("unknown and misspelled commands, at the root and in groups", async () => {
  await withSandbox(async (sb) => {
    const sgin = await sb.run("sgin", "x");
    assertEquals(sgin.code, 2);
    assert.ok(
      sgin.stderr.startsWith(
        'Error: unknown command "sgin" for "ocisign"\n\nDid you mean this?\n\tsign\n',
      ),
      sgin.stderr,
    );
    const nested = await sb.run("cert", "generate-tset", "x");
    assertEquals(nested.code, 2);
    assert.match(
      nested.stderr,
      /^Error: unknown command "generate-tset" for "ocisign cert"\n\nDid you mean this\?\n\tgenerate-test\n/,
    );
    const abbreviated = await sb.run("sign", "x", "--sign-format", "cose");
    assertEquals(abbreviated.code, 2);
    assert.match(
      abbreviated.stderr,
      /^Error: unknown flag: --sign-format\n\nDid you mean this\?\n\t--signature-format\n/,
    );
    const flagFirst = await sb.run("--verbose", "list", "x");
    assertEquals([flagFirst.code, flagFirst.stderr.split("\n")[0]], [
      2,
      "Error: unknown flag: --verbose",
    ]);
    // command aliases still work
    const ls = await sb.run("key", "ls");
    assertEquals(ls.code, 0, ls.stderr);
  });
});

Deno.test("malformed values are refused before the command runs; secrets are never echoed", async () => {
  await withSandbox(async (sb) => {
    const cases: Array<[string[], RegExp]> = [
      [
        ["list", "x", "-o", "xml"],
        /^Error: invalid argument "xml" for "-o, --output" flag: must be one of text, json\n/,
      ],
      [
        ["list", "x", "--max-signatures", "ten"],
        /^Error: invalid argument "ten" for "--max-signatures" flag: must be a whole number\n/,
      ],
      [
        ["cp", "a", "b", "--concurrency=3x"],
        /^Error: invalid argument "3x" for "--concurrency" flag: must be a whole number\n/,
      ],
      [
        ["cert", "generate-test", "x", "--bits", "1024"],
        /^Error: invalid argument "1024" for "-b, --bits" flag: must be one of 2048, 3072, 4096\n/,
      ],
      [
        ["sign", "x", "--signature-format", "cosy"],
        /^Error: invalid argument "cosy" for "--signature-format" flag: must be one of jws, cose\n/,
      ],
      [
        ["verify", "x", "--oci-layout=yes"],
        /^Error: invalid argument "yes" for "--oci-layout" flag: must be true or false\n/,
      ],
      [["verify", "x", "--no-scope"], /^Error: unknown flag: --no-scope\n/],
      [["verify", "x", "--scope"], /^Error: flag needs an argument: --scope\n/],
      [["verify", "x", "-z"], /^Error: unknown shorthand flag: 'z' in -z\n/],
      [["build", "."], /^Error: required flag\(s\) "output" not set\n/],
    ];
    for (const [argv, expected] of cases) {
      const r = await sb.run(...argv);
      assertEquals(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, expected, argv.join(" "));
      assertEquals(await Deno.stat(sb.configDir).catch(() => undefined), undefined);
    }
    const secrets = [
      ["verify", "x", "--pasword=s3cret"],
      ["verify", "x", "--pasword", "s3cret"],
      ["list", "-p", "s3cret"],
      ["list", "x", "y", "-p", "s3cret"],
      ["login", "--password=s3cret", "--bogus", "h"],
    ];
    for (const argv of secrets) {
      const r = await sb.run(...argv);
      assertEquals(r.code, 2, argv.join(" "));
      assert.ok(!r.stderr.includes("s3cret"), `${argv.join(" ")} echoed the secret: ${r.stderr}`);
    }
  });
});

Deno.test("accepted spellings: --x=v, -xv, short groups, --no-x, --x=false, --, repeated flags", async () => {
  await withSandbox(async (sb) => {
    const init = await sb.run(
      "policy",
      "init",
      "--name=images",
      "--scope",
      "a/b",
      "--scope=c/d",
      "--trust-store",
      "ca:x",
      "--trusted-identity=*",
      "--force=false",
    );
    assertEquals(init.code, 0, init.stderr);
    const doc = JSON.parse(await Deno.readTextFile(`${sb.configDir}/trustpolicy.json`));
    assertEquals(doc.trustPolicies[0].registryScopes, ["a/b", "c/d"]);
    const again = await sb.run(
      "policy",
      "init",
      "--name",
      "x",
      "--scope",
      "*",
      "--level",
      "skip",
      "--no-force",
    );
    assertEquals(again.code, 2, "--no-force is no --force: the existing policy stays");
    const forced = await sb.run(
      "policy",
      "init",
      "--name",
      "x",
      "--scope",
      "*",
      "--level=skip",
      "--force=true",
    );
    assertEquals(forced.code, 0, forced.stderr);
    const gen = await sb.run("cert", "generate-test", "-db2048", "--", "dash.example");
    assertEquals(gen.code, 0, gen.stderr);
    const keys = JSON.parse(await Deno.readTextFile(`${sb.configDir}/signingkeys.json`));
    assertEquals(keys.default, "dash.example");
  });
});

Deno.test("help: per command, bare groups, help command, version listed, no trailing spaces", async () => {
  const { io } = testIo();
  const all = await allCommands(commandTree(io));
  await withSandbox(async (sb) => {
    const root = await sb.run("--help");
    assertEquals(root.code, 0);
    for (const word of ["version", "help", "completion", "sign", "verify"]) {
      assert.match(root.stdout, new RegExp(`^  ${word} `, "m"), word);
    }
    assert.match(root.stdout, /^Environment variables:\n/m);
    assert.match(root.stdout, /NOTATION_USERNAME/);
    assert.match(root.stdout, /^Exit codes:\n/m);
    for (const { path, cmd, group } of all) {
      const words = path.slice(1);
      const r = await sb.run("help", ...words);
      assertEquals(r.code, 0, words.join(" "));
      const viaFlag = await sb.run(...words, "--help");
      assertEquals(viaFlag.stdout, r.stdout, words.join(" "));
      assert.ok(!/[ \t]$/m.test(r.stdout), `trailing space in help of ${words.join(" ")}`);
      const meta = cmd.meta;
      if (group) {
        const bare = await sb.run(...words);
        assertEquals([bare.code, bare.stdout], [0, r.stdout], `bare ${words.join(" ")}`);
        continue;
      }
      assert.ok(meta.examples && meta.examples.length > 0, `no examples for ${words.join(" ")}`);
      assert.match(r.stdout, /\nExamples:\n {2}/);
      const usage = r.stdout.split("\n").find((l) => l.startsWith("  ocisign "))!;
      for (const [name, def] of Object.entries(argsOf(cmd))) {
        if (def.type === "positional") assert.ok(usage.includes(name), `${usage} lacks ${name}`);
      }
      if (meta.variadic) assert.ok(usage.includes(`<${meta.variadic.name}>...`), usage);
    }
    const version = await sb.run("version");
    assert.match(version.stdout, /^ocisign \d+\.\d+\.\d+/);
    assertEquals(Object.keys(JSON.parse((await sb.run("version", "-o", "json")).stdout)), [
      "version",
    ]);
  });
});

Deno.test("completion scripts for bash, zsh and fish name every command and flag", async () => {
  await withSandbox(async (sb) => {
    for (const shell of ["bash", "zsh", "fish"]) {
      const r = await sb.run("completion", shell);
      assertEquals(r.code, 0, shell);
      assert.ok(r.stdout.includes("generate-test") && r.stdout.includes("user-metadata"), shell);
    }
    const bad = await sb.run("completion", "tcsh");
    assertEquals(bad.code, 2);
    const bash = new Deno.Command("bash", {
      args: [
        "-c",
        `source /dev/stdin; COMP_WORDS=(ocisign cert gen); COMP_CWORD=2; _ocisign; echo "\${COMPREPLY[@]}"`,
      ],
      stdin: "piped",
      stdout: "piped",
    }).spawn();
    const w = bash.stdin.getWriter();
    await w.write(new TextEncoder().encode((await sb.run("completion", "bash")).stdout));
    await w.close();
    const out = await bash.output();
    assertEquals(new TextDecoder().decode(out.stdout).trim(), "generate-test");
  });
});
