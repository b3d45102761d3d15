/**
 * cp's progress: every step on a terminal, one line per finished node in a log, none with
 * `-o json` (stdout stays one document).
 */
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { ok, withSigningSandbox } from "../commands/_fixture.ts";

Deno.test("cp reports each node on a terminal, finished nodes in a log, nothing with -o json", async () => {
  await withSigningSandbox(async (sb) => {
    const from = ["--from-oci-layout", "./img:v1", "--to-oci-layout"];
    const log = ok(await sb.run("cp", ...from, "./a:v1"));
    const logLines = log.stderr.trimEnd().split("\n");
    assert.ok(logLines.length >= 3, log.stderr);
    for (const line of logLines) assert.match(line, /^Copied {2}[0-9a-f]{12} \S/);
    const tty = ok(await sb.runWith({ isTty: true }, "cp", ...from, "./b:v1"));
    const phases = tty.stderr.trimEnd().split("\n").map((l) => l.split(" ")[0]);
    assertEquals(phases.filter((p) => p === "Copying").length, logLines.length);
    assertEquals(phases.filter((p) => p === "Copied").length, logLines.length);
    const again = ok(await sb.run("cp", ...from, "./a:v1"));
    assert.match(again.stderr, /^Exists {2}[0-9a-f]{12} /m);
    const json = ok(await sb.run("cp", ...from, "./c:v1", "-o", "json"));
    assertEquals(json.stderr, "");
    JSON.parse(json.stdout);
  });
});
