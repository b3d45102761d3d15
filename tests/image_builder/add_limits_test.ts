/**
 * What a hostile build input can no longer do: keep a build alive forever with a download that
 * trickles one byte at a time (overall deadline and minimum rate, exit 7), fill the disk with a
 * decompression bomb (expanded-size caps, exit 8), or chown files to root through an id that
 * chown(2) truncates (ids above 4294967294 refused). Each runs with small configured limits against
 * a loopback server or an archive made here, and checks that no temporary file is left.
 */
import fc from "fast-check";
import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { buildImage } from "../../lib/image_builder/mod.ts";
import type { AddLimits } from "../../lib/image_builder/mod.ts";
import { MAX_CHOWN_ID, resolveChown } from "../../lib/image_builder/chown.ts";
import { writeTar } from "../../lib/tar/mod.ts";
import { EXIT, exitCodeFor } from "../../lib/cli/exit_codes.ts";
import { MemoryStore } from "../../lib/content/memory_store.ts";
import { BuildError, type ErrorCode, type OcisignError } from "../../lib/errors.ts";
import { nodeFs, nodeHasherFactory, withTempDir } from "./_helpers.ts";

async function expectFailure(
  tmp: string,
  dockerfile: string,
  code: ErrorCode,
  message: string,
  addLimits: AddLimits = {},
): Promise<Error> {
  await Deno.mkdir(`${tmp}/spool`, { recursive: true });
  await Deno.mkdir(`${tmp}/ctx`, { recursive: true });
  const err = await assertRejectsCode(
    () =>
      buildImage({
        context: `${tmp}/ctx`,
        dockerfile,
        fs: nodeFs,
        output: new MemoryStore(),
        fetch,
        hasher: nodeHasherFactory,
        spoolDir: `${tmp}/spool`,
        addLimits,
      }),
    code,
    message,
  );
  assertEquals([...Deno.readDirSync(`${tmp}/spool`)], [], "no temporary file is left");
  return err;
}

/** A loopback server that announces 10,000 bytes and sends one every `everyMs`. */
function trickleServer(everyMs: number): { url: string; close: () => Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const serving = (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      (async () => {
        await conn.read(new Uint8Array(64 * 1024));
        await conn.write(new TextEncoder().encode(
          "HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n",
        ));
        for (let i = 0; i < 10000; i++) {
          await new Promise((r) => setTimeout(r, everyMs));
          await conn.write(new Uint8Array([0x61]));
        }
      })().catch(() => {});
    }
  })().catch(() => {});
  const { port } = listener.addr as Deno.NetAddr;
  return {
    url: `http://127.0.0.1:${port}/slow.bin`,
    close: async () => {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* already closed */ }
      }
      await serving;
    },
  };
}

Deno.test("buildImage() ends a trickling ADD download at its deadline and below the minimum rate (exit 7)", async () => {
  await withTempDir(async (tmp) => {
    const server = trickleServer(50);
    try {
      const dockerfile = `FROM scratch\nADD ${server.url} /dl/\n`;
      // data keeps arriving, so the idle timeout never fires: only the deadline ends it
      const late = await expectFailure(
        tmp,
        dockerfile,
        "ERR_TIMEOUT",
        "did not finish within 0.5 s",
        {
          deadlineMs: 500,
          minBytesPerSecond: 0,
        },
      );
      assert(late.message.includes("line 2"), late.message);
      assertEquals(exitCodeFor((late as OcisignError).code), EXIT.REGISTRY);
      const slow = await expectFailure(tmp, dockerfile, "ERR_TIMEOUT", "too slow", {
        minBytesPerSecond: 1000,
        rateWindowMs: 300,
      });
      assert(/\d+ bytes in the last 0\.3 s/.test(slow.message), slow.message);
      assertEquals(exitCodeFor((slow as OcisignError).code), EXIT.REGISTRY);
    } finally {
      await server.close();
    }
  });
});

async function gzipTar(name: string, size: number): Promise<Uint8Array> {
  const zeros = new Uint8Array(64 * 1024);
  const tar = ReadableStream.from(writeTar([{
    path: name,
    type: "file",
    mode: 0o644,
    uid: 0,
    gid: 0,
    size,
    mtime: 0,
    open: () =>
      Promise.resolve(
        new ReadableStream<Uint8Array>({
          start(controller) {
            for (let sent = 0; sent < size; sent += zeros.length) {
              controller.enqueue(zeros.subarray(0, Math.min(zeros.length, size - sent)));
            }
            controller.close();
          },
        }),
      ),
  }]));
  return new Uint8Array(
    await new Response(tar.pipeThrough(new CompressionStream("gzip"))).arrayBuffer(),
  );
}

Deno.test("buildImage() refuses an ADD archive that expands past its ratio or absolute cap (exit 8)", async () => {
  await withTempDir(async (tmp) => {
    await Deno.mkdir(`${tmp}/ctx`, { recursive: true });
    const bomb = await gzipTar("zeros.bin", 8 * 1024 * 1024);
    assert(bomb.length < 64 * 1024, `${bomb.length}`);
    await Deno.writeFile(`${tmp}/ctx/bomb.tar.gz`, bomb);
    const dockerfile = "FROM scratch\nADD bomb.tar.gz /opt/\n";
    const byRatio = await expectFailure(
      tmp,
      dockerfile,
      "ERR_SIZE_EXCEEDED",
      "decompression bomb",
      {
        maxExpansionRatio: 20,
        ratioFloorBytes: 1024 * 1024,
      },
    );
    assert(byRatio.message.includes("line 2: ADD bomb.tar.gz"), byRatio.message);
    assertEquals(exitCodeFor((byRatio as OcisignError).code), EXIT.INVALID_INPUT);
    const byCap = await expectFailure(tmp, dockerfile, "ERR_SIZE_EXCEEDED", "more than 2097152", {
      maxExpandedBytes: 2 * 1024 * 1024,
    });
    assertEquals(exitCodeFor((byCap as OcisignError).code), EXIT.INVALID_INPUT);
    // the same archive within the limits builds
    await Deno.mkdir(`${tmp}/spool`, { recursive: true });
    const built = await buildImage({
      context: `${tmp}/ctx`,
      dockerfile,
      fs: nodeFs,
      output: new MemoryStore(),
      hasher: nodeHasherFactory,
      spoolDir: `${tmp}/spool`,
      addLimits: { maxExpandedBytes: 9 * 1024 * 1024 },
    });
    assertEquals(built.manifests.length, 1);
  });
});

Deno.test("buildImage() refuses --chown ids chown(2) would truncate or that are negative", async () => {
  await withTempDir(async (tmp) => {
    await Deno.mkdir(`${tmp}/ctx`, { recursive: true });
    await Deno.writeTextFile(`${tmp}/ctx/f.txt`, "x");
    for (const spec of ["4294967296", "0:4294967296", "4294967295", "-1", "1:-5", "9".repeat(40)]) {
      const err = await expectFailure(
        tmp,
        `FROM scratch\nCOPY --chown=${spec} f.txt /f.txt\n`,
        "ERR_BUILD",
        "is out of range; use an id from 0 to 4294967294",
      );
      assert(err.message.includes("line 2"), err.message);
      assert(err.message.length < 200, err.message);
    }
  });
});

Deno.test("resolveChown() gives ids within chown(2)'s range or a BuildError, for any numeric spec", async () => {
  const noFiles = () => Promise.resolve(undefined);
  const id = fc.oneof(
    fc.bigInt({ min: -(2n ** 40n), max: 2n ** 70n }).map(String),
    fc.constantFrom("0", "4294967294", "4294967295", "4294967296", "-0"),
  );
  await fc.assert(
    fc.asyncProperty(id, fc.option(id), async (user, group) => {
      const spec = group === null ? user : `${user}:${group}`;
      try {
        const { uid, gid } = await resolveChown(spec, noFiles, 1);
        for (const v of [uid, gid]) assert(Number.isInteger(v) && v >= 0 && v <= MAX_CHOWN_ID);
        assertEquals(uid, Number(user));
      } catch (err) {
        if (!(err instanceof BuildError)) throw err;
      }
    }),
    { numRuns: 500 },
  );
});
