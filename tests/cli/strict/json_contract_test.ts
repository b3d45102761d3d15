/**
 * The `-o json` contract: stdout is exactly one JSON document and stderr only JSON lines
 * (warnings included), for each command that has `-o json`.
 */
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { ok, withSigningSandbox } from "../commands/_fixture.ts";

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
