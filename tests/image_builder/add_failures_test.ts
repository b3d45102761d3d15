import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { downloadUrl } from "../../lib/image_builder/add_download.ts";
import { ContentSpool } from "../../lib/image_builder/content_spool.ts";
import { buildImage } from "../../lib/image_builder/mod.ts";
import { MemoryStore } from "../../lib/content/memory_store.ts";
import type { ErrorCode } from "../../lib/errors.ts";
import { havePeer, nodeFs, nodeHasherFactory, run, withTempDir } from "./_helpers.ts";

const BODY = new Uint8Array(300 * 1024).map((_, i) => (i * 7 + (i >> 11)) & 0xff);

/**
 * A loopback HTTP server that announces `BODY.length` bytes, sends `sent` of them, then closes
 * the connection (`stall: false`) or keeps it open without sending more (`stall: true`).
 */
function brokenServer(sent: number, stall: boolean): {
  url: string;
  sentAll: Promise<void>;
  close: () => Promise<void>;
} {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  let onSent = (): void => {};
  const sentAll = new Promise<void>((resolve) => (onSent = resolve));
  const serving = (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      await conn.read(new Uint8Array(64 * 1024));
      const head = `HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}\r\n\r\n`;
      await conn.write(new TextEncoder().encode(head));
      for (let off = 0; off < sent;) off += await conn.write(BODY.subarray(off, sent));
      onSent();
      if (!stall) conn.close();
    }
  })().catch(() => {});
  const { port } = listener.addr as Deno.NetAddr;
  return {
    url: `http://127.0.0.1:${port}/files/data.bin`,
    sentAll,
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

async function expectBuildFailure(
  tmp: string,
  dockerfile: string,
  code: ErrorCode,
  message?: string,
  signal?: AbortSignal,
): Promise<Error> {
  await Deno.mkdir(`${tmp}/spool`, { recursive: true });
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
        ...(signal === undefined ? {} : { signal }),
      }),
    code,
    message,
  );
  assertEquals([...Deno.readDirSync(`${tmp}/spool`)], [], "no temporary file is left");
  return err;
}

Deno.test({
  name: "buildImage() fails clearly on a truncated or corrupt ADD archive and leaves no temp files",
  ignore: !havePeer("tar"),
}, async () => {
  await withTempDir(async (tmp) => {
    await Deno.mkdir(`${tmp}/src/pkg`, { recursive: true });
    await Deno.mkdir(`${tmp}/ctx`);
    await Deno.writeFile(`${tmp}/src/pkg/data.bin`, BODY);
    for (const [name, flags] of [["pkg.tar.gz", "-czf"], ["pkg.tar", "-cf"]]) {
      const made = run("tar", [flags!, `${tmp}/${name}`, "-C", `${tmp}/src`, "pkg"]);
      assertEquals(made.code, 0, made.out);
      const whole = await Deno.readFile(`${tmp}/${name}`);
      await Deno.writeFile(`${tmp}/ctx/cut-${name}`, whole.subarray(0, whole.length >> 1));
    }
    const garbage = new Uint8Array(4096).map((_, i) => (i * 13) & 0xff);
    garbage.set([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff]);
    await Deno.writeFile(`${tmp}/ctx/corrupt.tar.gz`, garbage);
    for (const name of ["cut-pkg.tar.gz", "cut-pkg.tar", "corrupt.tar.gz"]) {
      const err = await expectBuildFailure(
        tmp,
        `FROM scratch\nADD ${name} /opt/\n`,
        "ERR_BUILD",
        "corrupt or truncated",
      );
      assert(err.message.includes(`line 2: ADD ${name}`), err.message);
    }
  });
});

Deno.test("buildImage() fails clearly when a download breaks off or has the wrong checksum", async () => {
  await withTempDir(async (tmp) => {
    await Deno.mkdir(`${tmp}/ctx`);
    const broken = brokenServer(100 * 1024, false);
    try {
      await expectBuildFailure(
        tmp,
        `FROM scratch\nADD ${broken.url} /dl/\n`,
        "ERR_BUILD",
        "download",
      );
    } finally {
      await broken.close();
    }
    await using server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      () => new Response(BODY),
    );
    const url = `http://127.0.0.1:${server.addr.port}/data.bin`;
    await expectBuildFailure(
      tmp,
      `FROM scratch\nADD --checksum=sha256:${"0".repeat(64)} ${url} /dl/\n`,
      "ERR_DIGEST_MISMATCH",
    );
  });
});

Deno.test("buildImage() stops a stalled download on abort, and downloadUrl() on its idle timeout", async () => {
  await withTempDir(async (tmp) => {
    await Deno.mkdir(`${tmp}/ctx`);
    const stalled = brokenServer(100 * 1024, true);
    try {
      const controller = new AbortController();
      stalled.sentAll.then(() => controller.abort());
      await expectBuildFailure(
        tmp,
        `FROM scratch\nADD ${stalled.url} /dl/\n`,
        "ERR_ABORTED",
        undefined,
        controller.signal,
      );
      const spool = new ContentSpool({ spool: { fs: nodeFs, dir: `${tmp}/spool` } });
      await assertRejectsCode(
        () =>
          downloadUrl(stalled.url, {
            fetch,
            line: 3,
            spool,
            hasher: nodeHasherFactory,
            idleTimeoutMs: 200,
          }),
        "ERR_BUILD",
        "stalled",
      );
      await spool.dispose();
      assertEquals([...Deno.readDirSync(`${tmp}/spool`)], []);
    } finally {
      await stalled.close();
    }
  });
});
