/**
 * The progress view on its own: rows cut to the terminal's width with the figures kept, redrawn
 * in place, dimmed unless NO_COLOR; finished lines only in a log; nothing with -o json.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { testIo } from "../_helpers/cli.ts";
import { formatBytes, progressView } from "../../lib/cli/progress.ts";

const LABEL = "Copying 0123456789ab application/vnd.oci.image.layer.v1.tar+gzip";

function drive(isTty: boolean, env: Record<string, string>, json = false): string {
  const { io, output } = testIo({ isTty, env });
  const view = progressView(io, json);
  view.bytes("a", LABEL, 0, 4_500_000);
  view.bytes("a", LABEL, 4_500_000, 4_500_000);
  view.finish("a", "Copied  0123456789ab layer.tar");
  view.close();
  return output().stderr;
}

Deno.test("progress rows fit the terminal, keep their figures and are redrawn in place", () => {
  const out = drive(true, { COLUMNS: "50", NO_COLOR: "" });
  assert.ok(!out.includes("\x1b[2m"), "NO_COLOR: no dim");
  // deno-lint-ignore no-control-regex
  const rows = out.split("\n").map((l) => l.replace(/\x1b\[[0-9;]*[A-Za-z]|\r/g, ""));
  const drawn = rows.filter((l) => l.endsWith("/s"));
  assertEquals(drawn.length, 2, out);
  for (const row of drawn) assert.ok(row.length <= 49, row);
  assert.ok(drawn[0]!.endsWith("0 B/4.50 MB  0.00%  0 B/s"), drawn[0]);
  assert.match(drawn[1]!, /^Copying 0\d*… {2}4\.50 MB\/4\.50 MB {2}100\.00% {2}/);
  assert.ok(out.includes("\x1b[1A\r\x1b[JCopied  0123456789ab layer.tar\n"), out);
});

Deno.test("progress rows are dimmed on a terminal and with FORCE_COLOR, not with NO_COLOR", () => {
  assert.ok(drive(true, {}).includes("\x1b[2mCopying"));
  assert.ok(drive(true, { NO_COLOR: "1", FORCE_COLOR: "1" }).includes("\x1b[2mCopying"));
  assert.ok(!drive(true, { NO_COLOR: "1" }).includes("\x1b[2m"));
});

Deno.test("in a log only the finished lines are written; with -o json nothing", () => {
  assertEquals(drive(false, {}), "Copied  0123456789ab layer.tar\n");
  assertEquals(drive(true, {}, true), "");
  assertEquals(drive(false, {}, true), "");
});

Deno.test("formatBytes uses oras's decimal units", () => {
  assertEquals([0, 999, 1000, 1_234_567, 5e9].map(formatBytes), [
    "0 B",
    "999 B",
    "1.00 kB",
    "1.23 MB",
    "5.00 GB",
  ]);
});

Deno.test("with -v or -d on a terminal only the finished lines are written (log lines come between)", () => {
  const { io, output } = testIo({ isTty: true });
  const view = progressView({ ...io, verbose: true }, false);
  assertEquals(view.live, false);
  view.bytes("a", LABEL, 10, 20);
  view.finish("a", "Copied  0123456789ab layer.tar");
  assertEquals(output().stderr, "Copied  0123456789ab layer.tar\n");
});
