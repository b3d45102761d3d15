/**
 * Progress in a log (not a terminal): `cp` writes one line per finished node, `verify --deep`
 * one per blob checked, `build` one per step; none with `-o json` (stdout stays one document).
 * The terminal's rows are tested through a pseudo-terminal in progress_slow_test.ts.
 */
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { ok, withSigningSandbox } from "../commands/_fixture.ts";

Deno.test("cp, verify --deep and build write one line per finished blob in a log, nothing with -o json", async () => {
  await withSigningSandbox(async (sb) => {
    const from = ["--from-oci-layout", "./img:v1", "--to-oci-layout"];
    const log = ok(await sb.run("cp", ...from, "./a:v1"));
    const logLines = log.stderr.trimEnd().split("\n");
    assertEquals(logLines.length, 3, log.stderr); // layer, config, manifest
    for (const line of logLines) assert.match(line, /^Copied {2}[0-9a-f]{12} \S/);
    const again = ok(await sb.run("cp", ...from, "./a:v1"));
    assert.match(again.stderr, /^Exists {2}[0-9a-f]{12} /m);
    const json = ok(await sb.run("cp", ...from, "./c:v1", "-o", "json"));
    assertEquals(json.stderr, "");
    JSON.parse(json.stdout);

    ok(await sb.run("sign", "--oci-layout", "./a:v1"));
    const verify = ["verify", "--oci-layout", "./a:v1", "--scope", "local/hello-world"];
    // Deep by default on a layout, but stderr stays as notation's unless --deep is asked for.
    assert.doesNotMatch(ok(await sb.run(...verify)).stderr, /Verified {2}/);
    const deep = ok(await sb.run(...verify, "--deep")).stderr.split("\n");
    const blobs = deep.filter((l) => /^Verified {2}[0-9a-f]{12} application\//.test(l));
    assertEquals(blobs.length, 2, deep.join("\n")); // the config and the layer
    assert.ok(!deep.some((l) => l.includes("\x1b")), "no escapes in a log");
    const quiet = ok(await sb.run(...verify, "--deep", "-o", "json")).stderr;
    assert.doesNotMatch(quiet, /Verified/); // only the tag warning, as a JSON line
    for (const line of quiet.trimEnd().split("\n")) JSON.parse(line);

    const build = ok(await sb.run("build", "-t", "x:v1", "-o", "./b", "./ctx"));
    assert.match(build.stderr, /line 2: COPY hello\.txt \/\n/);
    assert.doesNotMatch(build.stderr, /layers written/);
  });
});
