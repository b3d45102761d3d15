/**
 * `nodeFs`'s and `denoFs`'s native body writes and flushes, and `nodeFs`'s file scans, as a pull
 * into a layout uses them: a body goes to a new file (never over an existing one) with a plain
 * file's mode; a failing body fails the write; a scan follows a file while it is being written, up
 * to its last byte; anything but a regular file is refused; a flush of a missing file is not found;
 * under Bun, the native write and an upload part stop on their signal.
 */
import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { BUN_PRELOAD } from "../_helpers/bun.ts";
import { findPeer } from "../_helpers/peers.ts";
import { denoFs, nodeFs } from "../../lib/runtime/mod.ts";

const bun = findPeer("bun");

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-body-file-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A body of `parts`, each after a pause, so that a reader catches up with it. */
function slowBody(parts: Uint8Array[], pauseMs: number): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      if (i < parts.length) controller.enqueue(parts[i++]!);
      else controller.close();
    },
  });
}

function numberedParts(n: number, size: number): Uint8Array[] {
  return Array.from(
    { length: n },
    (_, k) => new Uint8Array(size).map((_, i) => (i * 31 + k) & 255),
  );
}

for (const [name, fs] of [["nodeFs", nodeFs], ["denoFs", denoFs]] as const) {
  Deno.test(`${name}.writeBodyFile writes a body to a new file with a plain file's mode`, async () => {
    await withDir(async (dir) => {
      const parts = numberedParts(3, 50_000);
      await fs.writeBodyFile!(`${dir}/f`, slowBody(parts, 1));
      const got = await Deno.readFile(`${dir}/f`);
      assertEquals(got, new Uint8Array(parts.flatMap((p) => [...p])));
      assertEquals((await Deno.stat(`${dir}/f`)).mode! & 0o777, 0o644 & ~Deno.umask());
      // Never over an existing file.
      await assert.rejects(() => fs.writeBodyFile!(`${dir}/f`, new Blob(["x"]).stream()));
      assertEquals((await Deno.readFile(`${dir}/f`)).length, 150_000);
    });
  });

  Deno.test(`${name}.writeBodyFile fails when the body fails`, async () => {
    await withDir(async (dir) => {
      let sent = false;
      const failing = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent) controller.error(new Error("connection lost"));
          else controller.enqueue(new Uint8Array(1000));
          sent = true;
        },
      });
      await assert.rejects(() => fs.writeBodyFile!(`${dir}/f`, failing), /connection lost/);
    });
  });

  Deno.test(`${name}.writeBodyFile stops on its signal`, async () => {
    await withDir(async (dir) => {
      const endless = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array(1000));
        },
        pull: () => new Promise(() => {}),
      });
      const ac = new AbortController();
      setTimeout(() => ac.abort(new Error("given up")), 100);
      await assert.rejects(() => fs.writeBodyFile!(`${dir}/f`, endless, { signal: ac.signal }));
    });
  });

  Deno.test(`${name}.syncFile flushes a regular file, and refuses a FIFO or a missing file`, async () => {
    await withDir(async (dir) => {
      await Deno.writeTextFile(`${dir}/f`, "hi");
      await fs.syncFile!(`${dir}/f`);
      const made = new Deno.Command("mkfifo", { args: [`${dir}/p`] }).outputSync();
      assert(made.success, "mkfifo");
      await assertRejectsCode(() => fs.syncFile!(`${dir}/p`), "ERR_INVALID_INPUT");
      await assertRejectsCode(() => fs.syncFile!(`${dir}/none`), "ERR_NOT_FOUND");
    });
  });
}

Deno.test({
  name:
    "under Bun, writeBodyFile and an upload part stop on their signal, the descriptor closed once",
  ignore: bun === undefined,
  async fn() {
    await withDir(async (dir) => {
      // The signal only stops a hung child so that the failure is reported, not waited for.
      const out = await new Deno.Command(bun!, {
        args: [
          "run",
          ...BUN_PRELOAD,
          new URL("./_bun_body_file_signal.ts", import.meta.url).pathname,
          dir,
        ],
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(60_000),
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assertEquals(out.code, 0, stderr);
      assertEquals(
        new TextDecoder().decode(out.stdout).split("\n"),
        [
          "rejected: given up",
          "partial file: 1000 bytes",
          "descriptors left on the file: 0",
          "other file: 1 bytes",
          "part: rejected: The hashing thread failed: gone",
          "part descriptors left: 0",
          "part files: 0",
          "",
        ],
        stderr,
      );
    });
  },
});

Deno.test("nodeFs.scanFile follows a file while it is written, to its last byte", async () => {
  await withDir(async (dir) => {
    const parts = numberedParts(6, 300_000);
    const written = nodeFs.writeBodyFile!(`${dir}/f`, slowBody(parts, 20));
    const copies: Uint8Array[] = [];
    const chunks: number[] = [];
    const total = await nodeFs.scanFile!(`${dir}/f`, (chunk) => {
      copies.push(chunk.slice());
      chunks.push(chunk.length);
    }, { growing: written });
    await written;
    assertEquals(total, 1_800_000);
    assertEquals(
      new Uint8Array(copies.flatMap((c) => [...c])),
      new Uint8Array(parts.flatMap((p) => [...p])),
    );
    // It read while the file grew: more reads than a scan of the finished file needs.
    assert(chunks.length > 2, `reads: ${chunks.join(", ")}`);
    // Without a running write it reads what is there.
    assertEquals(await nodeFs.scanFile!(`${dir}/f`, () => {}), 1_800_000);
  });
});

Deno.test("nodeFs.scanFile refuses anything but a regular file", async () => {
  await withDir(async (dir) => {
    const made = new Deno.Command("mkfifo", { args: [`${dir}/p`] }).outputSync();
    assert(made.success, "mkfifo");
    await assertRejectsCode(() => nodeFs.scanFile!(`${dir}/p`, () => {}), "ERR_INVALID_INPUT");
    await assertRejectsCode(() => nodeFs.scanFile!(`${dir}/none`, () => {}), "ERR_NOT_FOUND");
    // A scan given a write that fails stops with the write, not waiting for more.
    const failed = Promise.reject(new Error("write failed"));
    failed.catch(() => {});
    await assertRejectsCode(
      () => nodeFs.scanFile!(`${dir}/never`, () => {}, { growing: failed }),
      "ERR_NOT_FOUND",
    );
  });
});
