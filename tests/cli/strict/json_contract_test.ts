/**
 * The `-o json` contract: stdout is exactly one JSON document and stderr only JSON lines
 * (warnings included), for each command that has `-o json`.
 */
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { ok, seedPolicy, withSigningSandbox } from "../commands/_fixture.ts";
import { freePort } from "../../_helpers/distribution.ts";

function checkContract(name: string, r: { stdout: string; stderr: string }): unknown {
  let doc: unknown;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    throw new Error(`${name}: stdout is not one JSON document: ${r.stdout}`);
  }
  for (const line of r.stderr.split("\n").filter((l) => l !== "")) {
    try {
      JSON.parse(line);
    } catch {
      throw new Error(`${name}: stderr line is not JSON: ${line}`);
    }
  }
  return doc;
}

Deno.test("-o json: one JSON document on stdout, JSON lines on stderr, for every command that has it", async () => {
  await withSigningSandbox(async (sb) => {
    const runs: string[][] = [
      ["sign", "--oci-layout", "./img:v1", "-o", "json"],
      ["list", "--oci-layout", "./img:v1", "-o", "json"],
      ["verify", "--oci-layout", "./img:v1", "--scope", "local/hello-world", "-o", "json", "-v"],
      ["inspect", "--oci-layout", "./img:v1", "-o", "json"],
      ["cp", "-r", "--from-oci-layout", "./img:v1", "--to-oci-layout", "./copy:v1", "-o", "json"],
      ["cert", "list", "-o", "json"],
      [
        "cert",
        "show",
        "-t",
        "ca",
        "-s",
        "wabbit-networks.io",
        "wabbit-networks.io.crt",
        "-o",
        "json",
      ],
      ["key", "list", "-o", "json"],
      ["version", "-o", "json"],
    ];
    for (const argv of runs) {
      const r = ok(await sb.run(...argv));
      checkContract(argv.join(" "), r);
    }
    // the tag warning of sign/list/verify is a JSON line
    const list = ok(await sb.run("list", "--oci-layout", "./img:v1", "-o", "json"));
    assert.match(
      JSON.parse(list.stderr.split("\n")[0]!).warning.message,
      /^Always list the artifact using digest/,
    );
    // errors, argument errors included
    for (
      const argv of [
        ["verify", "--oci-layout", "./img:v1", "-o", "json"],
        ["verify", "--oci-layout", "./missing:v1", "--scope", "x/y", "-o", "json"],
        ["list", "-o", "json", "--max-signatures", "many", "x"],
      ]
    ) {
      const r = await sb.run(...argv);
      assert.ok(r.code !== 0, argv.join(" "));
      assertEquals(r.stdout, "", argv.join(" "));
      const lines = r.stderr.trimEnd().split("\n").map((l) => JSON.parse(l));
      assert.ok(typeof lines.at(-1).error.code === "string", argv.join(" "));
    }
  });
});

Deno.test("build -o json is refused, nothing is created; --format json is the JSON result", async () => {
  await withSigningSandbox(async (sb) => {
    for (const format of ["json", "text"]) {
      const r = await sb.run("build", "-o", format, "./ctx");
      assertEquals(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`use --format ${format} for the result`));
      assertEquals(await Deno.stat(`${sb.cwd}/${format}`).catch(() => undefined), undefined);
    }
    const built = ok(await sb.run("build", "-o", "./json", "--format", "json", "./ctx"));
    const doc = checkContract("build --format json", built) as { output: string };
    assertEquals(doc.output, "./json");
    assert.ok(built.stderr.length > 0, "the build's steps are reported, as JSON lines");
  });
});

Deno.test("-o json for policy, blob policy, key, cert (add, delete, generate-test), login and logout: one document each", async () => {
  await withSigningSandbox(async (sb) => {
    const controller = new AbortController();
    const port = freePort();
    const server = sb.runWith(
      { signal: controller.signal },
      "serve",
      "--create",
      "--addr",
      `127.0.0.1:${port}`,
      "./registry",
    );
    try {
      const key = `${sb.configDir}/localkeys/wabbit-networks.io`;
      const crt = `${sb.configDir}/truststore/x509/ca/wabbit-networks.io/wabbit-networks.io.crt`;
      await Deno.writeTextFile(`${sb.cwd}/policy.json`, seedPolicy());
      const init = ["--name", "p", "--trust-store", "ca:wabbit-networks.io"];
      const runs: [string[], unknown][] = [
        [["policy", "import", "--force", "./policy.json"], {
          path: `${sb.configDir}/trustpolicy.json`,
        }],
        [["policy", "init", "--force", ...init, "--scope", "*", "--trusted-identity", "*"], {
          path: `${sb.configDir}/trustpolicy.json`,
        }],
        [["blob", "policy", "init", ...init, "--trusted-identity", "*", "--global"], {
          path: `${sb.configDir}/trustpolicy.blob.json`,
        }],
        [["key", "add", "again", "--key", `${key}.key`, "--cert", `${key}.crt`], {
          name: "again",
          default: false,
        }],
        [["key", "update", "again", "--default"], { name: "again", default: true }],
        [["key", "delete", "again"], { removed: [{ name: "again", default: true }] }],
        [["cert", "add", "-t", "ca", "-s", "more", crt], {
          type: "ca",
          store: "more",
          added: [crt],
        }],
        [["cert", "delete", "-t", "ca", "-s", "more", "--all", "--yes"], {
          deleted: `${sb.configDir}/truststore/x509/ca/more`,
        }],
        [["cert", "generate-test", "json.example"], {
          name: "json.example",
          key: `${sb.configDir}/localkeys/json.example.key`,
          certificate: `${sb.configDir}/localkeys/json.example.crt`,
          trustStore: "ca:json.example",
          default: false,
        }],
        [["logout", `localhost:${port}`], { registry: `localhost:${port}`, removed: false }],
        [["login", "-u", "u", "-p", "p", `localhost:${port}`], {
          registry: `localhost:${port}`,
          loggedIn: true,
        }],
        [["logout", `localhost:${port}`], { registry: `localhost:${port}`, removed: true }],
      ];
      for (const [argv, expected] of runs) {
        const r = ok(await sb.run(...argv, "-o", "json"));
        assertEquals(checkContract(argv.join(" "), r), expected, argv.join(" "));
      }
      // the steps of cert generate-test are notes on stderr
      const generated = ok(await sb.run("cert", "generate-test", "more.example", "-o", "json"));
      assert.match(JSON.parse(generated.stderr.split("\n")[0]!).info.message, /^generating RSA/);
      // notation's warning for -p is a JSON line
      const login = ok(
        await sb.run("login", "-u", "u", "-p", "p", `localhost:${port}`, "-o", "json"),
      );
      assert.match(
        JSON.parse(login.stderr.split("\n")[0]!).warning?.message,
        /--password/,
        login.stderr,
      );
      for (const show of [["policy", "show"], ["blob", "policy", "show"]]) {
        const doc = checkContract(show.join(" "), ok(await sb.run(...show, "-o", "json"))) as {
          valid: boolean;
          policy: { trustPolicies: { name: string }[] };
        };
        assertEquals([doc.valid, doc.policy.trustPolicies[0]!.name], [true, "p"]);
      }
    } finally {
      controller.abort();
      await server;
    }
  });
});
