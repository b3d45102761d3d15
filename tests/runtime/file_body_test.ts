/**
 * `Fs.fileBody` of the runtime's file system: a regular file of the stated size gives bodies with
 * exactly its bytes, opened again for each send (Bun: any range, `Bun.file` slices that its
 * `fetch` sends with `sendfile`; Deno: tails, the open file's own `readable`, which its `fetch`
 * pumps in Rust); `undefined` for another size, a directory, a FIFO (never opened, so nothing
 * blocks) and a missing file.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { BUN_PRELOAD } from "../_helpers/bun.ts";
import { findPeer } from "../_helpers/peers.ts";

const bun = findPeer("bun");
const CHECK = new URL("./_file_body_check.ts", import.meta.url).pathname;

for (
  const [runtime, cmd, args, expected] of [
    ["Deno", Deno.execPath(), ["run", "-A", CHECK], "same tail"],
    ["Bun", bun, ["run", ...BUN_PRELOAD, CHECK], "same ranges"],
  ] as const
) {
  Deno.test({
    name: `Fs.fileBody under ${runtime}: ${expected} for a regular file of its size`,
    ignore: cmd === undefined,
    async fn() {
      const dir = await Deno.makeTempDir({ prefix: "ocisign-file-body-" });
      try {
        const bytes = new Uint8Array(1024 * 1024 + 5);
        crypto.getRandomValues(bytes.subarray(0, 65536));
        bytes[bytes.length - 1] = 7;
        await Deno.writeFile(`${dir}/file`, bytes);
        await Deno.mkdir(`${dir}/dir`);
        const fifo = new Deno.Command("mkfifo", { args: [`${dir}/fifo`] }).outputSync();
        assertEquals(fifo.success, true, "mkfifo");
        // The signal only stops a hung child so that the failure is reported, not waited for.
        const out = await new Deno.Command(cmd!, {
          args: [...args, dir],
          stdout: "piped",
          stderr: "piped",
          signal: AbortSignal.timeout(60_000),
        }).output();
        const stderr = new TextDecoder().decode(out.stderr);
        assertEquals(out.code, 0, stderr);
        assertEquals(
          new TextDecoder().decode(out.stdout),
          `file: ${expected}\nwrong size: none\ndirectory: none\nfifo: none\nmissing: none\n`,
          stderr,
        );
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
