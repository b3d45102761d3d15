import { assertEquals } from "../_helpers/assert.ts";
import { findPeer } from "../_helpers/peers.ts";

const CHILD = new URL("./_standard_streams_child.ts", import.meta.url).pathname;
const bun = findPeer("bun");
const python = findPeer("python3");
const script = findPeer("script");

/** The 64 lines the child writes, in order. */
const EXPECTED = Array.from(
  { length: 64 },
  (_, i) => `${String(i).padStart(6, "0")}${"x".repeat(65529)}\n`,
).join("");

async function runChild(cmd: string, args: string[]): Promise<{ out: string; err: string }> {
  const result = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  const err = new TextDecoder().decode(result.stderr);
  assertEquals(result.code, 0, err);
  return { out: new TextDecoder().decode(result.stdout), err };
}

Deno.test("standardWriter() writes every byte in order to a pipe, and isTerminal() says no, under Deno", async () => {
  const { out, err } = await runChild(Deno.execPath(), ["run", "-A", CHILD]);
  assertEquals(out.length, EXPECTED.length);
  assertEquals(out === EXPECTED, true);
  assertEquals(JSON.parse(err), { stdout: false, stderr: false });
});

Deno.test({
  name:
    "standardWriter() writes every byte in order to a pipe, and isTerminal() says no, under Bun",
  // Needs bun on PATH.
  ignore: bun === undefined,
  fn: async () => {
    const { out, err } = await runChild(bun!, [CHILD]);
    assertEquals(out === EXPECTED, true);
    assertEquals(JSON.parse(err), { stdout: false, stderr: false });
  },
});

// A non-blocking pipe that is full makes a plain write fail with EAGAIN: the writer goes on
// through process.stdout, which waits for the reader, and nothing is lost or reordered.
const NON_BLOCKING_READER = `
import fcntl, os, subprocess, sys, time
r, w = os.pipe()
fcntl.fcntl(w, fcntl.F_SETFL, fcntl.fcntl(w, fcntl.F_GETFL) | os.O_NONBLOCK)
child = subprocess.Popen(sys.argv[1:], stdout=w)
os.close(w)
time.sleep(0.3)
data = b""
while True:
    chunk = os.read(r, 1 << 20)
    if not chunk:
        break
    data += chunk
sys.stdout.buffer.write(data)
sys.exit(child.wait())
`;

Deno.test({
  name: "standardWriter() falls back to process.stdout when a non-blocking pipe is full (Bun)",
  // Needs bun and python3 on PATH.
  ignore: bun === undefined || python === undefined,
  fn: async () => {
    const { out } = await runChild(python!, ["-c", NON_BLOCKING_READER, bun!, CHILD]);
    assertEquals(out.length, EXPECTED.length);
    assertEquals(out === EXPECTED, true);
  },
});

Deno.test({
  name: "isTerminal() says no for /dev/null and yes for a terminal, under Bun",
  // Needs bun, and util-linux's script for a pseudo-terminal.
  ignore: bun === undefined || script === undefined,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "ocisign-tty-" });
    try {
      const devNull = await new Deno.Command(bun!, {
        args: [CHILD, "probe"],
        stdout: "null",
        stderr: "piped",
      }).output();
      assertEquals(JSON.parse(new TextDecoder().decode(devNull.stderr)), {
        stdout: false,
        stderr: false,
      });
      // stdout on the pseudo-terminal script makes, stderr to a file.
      const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
      await runChild(script!, [
        "-qec",
        `${quote(bun!)} ${quote(CHILD)} probe 2>${quote(`${dir}/err`)}`,
        "/dev/null",
      ]);
      assertEquals(JSON.parse(await Deno.readTextFile(`${dir}/err`)), {
        stdout: true,
        stderr: false,
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
