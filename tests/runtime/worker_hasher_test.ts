import { createHash } from "node:crypto";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { findPeer } from "../_helpers/peers.ts";
import { BUN_PRELOAD } from "../_helpers/bun.ts";
import { verifyStream } from "../../lib/digest/verify_stream.ts";
import type { DigestAlgorithm, HasherFactory } from "../../lib/digest/mod.ts";
import { bunFs, denoFs, nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import type { Fs } from "../../lib/content/fs.ts";
import { digestBlob } from "../../lib/blob/digest_blob.ts";
import { offThreadHasher } from "../../lib/runtime/worker_hasher.ts";

const bun = findPeer("bun");
const CHECK = new URL("./_worker_hash_check.ts", import.meta.url).pathname;

function pattern(size: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed * 17 + (i >>> 9)) & 0xff;
  return out;
}

async function hashOffThread(algorithm: DigestAlgorithm, bytes: Uint8Array): Promise<string> {
  const h = offThreadHasher(algorithm)!;
  for (let off = 0; off < bytes.length;) {
    const buf = await h.buffer();
    const n = Math.min(buf.length, bytes.length - off);
    buf.set(bytes.subarray(off, off + n));
    h.update(buf, n);
    off += n;
  }
  return await h.digestHex();
}

Deno.test("offThreadHasher() digests as node:crypto does, several hashers at once", async () => {
  // 2.5 MiB passes each hasher's three lent buffers around several times.
  const inputs = [0, 1, 2, 3].map((seed) => pattern(2.5 * 1024 * 1024 + seed * 1001, seed));
  const algorithms: DigestAlgorithm[] = ["sha256", "sha512", "sha256", "sha384"];
  const got = await Promise.all(inputs.map((b, i) => hashOffThread(algorithms[i]!, b)));
  const want = inputs.map((b, i) => createHash(algorithms[i]!).update(b).digest("hex"));
  assertEquals(got, want);
});

Deno.test("after its idle time (a Web Worker under Deno is then stopped), the next hasher works", async () => {
  const bytes = pattern(1_500_000, 5);
  const want = createHash("sha256").update(bytes).digest("hex");
  assertEquals(await hashOffThread("sha256", bytes), want);
  // Past the pool's 100 ms of idleness: under Deno its thread is stopped, and starts again.
  await new Promise((resolve) => setTimeout(resolve, 300));
  assertEquals(await hashOffThread("sha256", bytes), want);
});

Deno.test("an aborted off-thread hasher refuses further use; others go on", async () => {
  const h = offThreadHasher("sha256")!;
  const buf = await h.buffer();
  h.update(buf, 10);
  h.abort();
  await assert.rejects(() => h.digestHex(), /aborted/);
  await assert.rejects(() => h.buffer(), /aborted/);
  assertEquals(
    await hashOffThread("sha256", pattern(1000, 9)),
    createHash("sha256").update(pattern(1000, 9)).digest("hex"),
  );
});

Deno.test("an off-thread hasher takes only buffers it lent, and no more than they hold", async () => {
  const h = offThreadHasher("sha256")!;
  assert.throws(() => h.update(new Uint8Array(16), 16), TypeError);
  const lent = await h.buffer();
  assert.throws(() => h.update(lent, lent.length + 1), RangeError);
  h.abort();
});

/** nodeHasherFactory with hashing threads however many cores, counting the hashers made there. */
function counting(): { factory: HasherFactory; offThread: () => number } {
  let n = 0;
  const factory = Object.assign((a: DigestAlgorithm) => nodeHasherFactory(a), {
    offThread: (a: DigestAlgorithm) => {
      n++;
      return offThreadHasher(a);
    },
  });
  return { factory, offThread: () => n };
}

async function drain(s: ReadableStream<Uint8Array>): Promise<{ bytes: number; code?: string }> {
  let bytes = 0;
  try {
    for await (const chunk of s) bytes += chunk.length;
    return { bytes };
  } catch (err) {
    return { bytes, code: (err as { code?: string }).code };
  }
}

Deno.test("verifyStream() hashes large content off the main thread and still fails closed", async () => {
  const content = pattern(3 * 1024 * 1024 + 3, 5);
  const expected = {
    digest: `sha256:${createHash("sha256").update(content).digest("hex")}`,
    size: content.length,
  };
  const { factory, offThread } = counting();
  assertEquals(await drain(verifyStream(new Blob([content]).stream(), expected, factory)), {
    bytes: content.length,
  });
  assertEquals(offThread(), 1);

  // The last byte differs: every byte is delivered, then an error instead of a clean end.
  const bad = content.slice();
  bad[bad.length - 1]! ^= 0x80;
  assertEquals(await drain(verifyStream(new Blob([bad]).stream(), expected, factory)), {
    bytes: content.length,
    code: "ERR_DIGEST_MISMATCH",
  });
  // Too many bytes: an error before the surplus is delivered.
  const long = new Uint8Array(content.length + 1);
  long.set(content);
  const tooLong = await drain(verifyStream(new Blob([long]).stream(), expected, factory));
  assertEquals(tooLong.code, "ERR_SIZE_MISMATCH");
  assert.ok(tooLong.bytes <= content.length);
  // Small content stays on this thread (a round trip would cost more than the hash).
  const small = new Uint8Array(1000);
  await drain(verifyStream(new Blob([small]).stream(), {
    digest: `sha256:${createHash("sha256").update(small).digest("hex")}`,
    size: 1000,
  }, factory));
  assertEquals(offThread(), 3);
});

for (
  const [runtime, cmd, args] of [
    ["Deno", Deno.execPath(), ["run", "-A", CHECK]],
    ["Bun", bun, ["run", ...BUN_PRELOAD, CHECK]],
  ] as const
) {
  Deno.test({
    name: `a ${runtime} process that hashed on a worker thread verifies and ends on its own`,
    ignore: cmd === undefined,
    async fn() {
      // The signal only stops a hung child so that the failure is reported, not waited for.
      const out = await new Deno.Command(cmd!, {
        args: [...args],
        // Threads however many cores this machine has (by default only above two).
        env: { OCISIGN_HASH_THREADS: "1" },
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(60_000),
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assertEquals(out.code, 0, stderr);
      assertEquals(new TextDecoder().decode(out.stdout), "ok\nERR_DIGEST_MISMATCH\n", stderr);
    },
  });
}

Deno.test("a Deno process that starts the hashing thread early and never uses it ends on its own", async () => {
  // The signal only stops a hung child so that the failure is reported, not waited for.
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./_start_hash_thread_idle.ts", import.meta.url).pathname],
    env: { OCISIGN_HASH_THREADS: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, stderr);
  // The thread was started, then stopped for being idle.
  assertEquals(new TextDecoder().decode(out.stdout), "started\nstopped\n", stderr);
});

Deno.test("digestBlob() reads a file into the hashing thread's buffers, as node:crypto digests", async () => {
  const content = pattern(5 * 1024 * 1024 + 77, 3);
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeFile(path, content);
    const { factory, offThread } = counting();
    const file = await nodeFs.open(path);
    try {
      const got = await digestBlob(file.stream(), "sha384", { hasher: factory });
      assertEquals(got, {
        digest: `sha384:${createHash("sha384").update(content).digest("hex")}`,
        size: content.length,
      });
    } finally {
      await file.close();
    }
    assertEquals(offThread(), 1);
    // An empty blob too.
    const empty = await digestBlob(new Blob([]).stream(), "sha256", { hasher: factory });
    assertEquals(empty.digest, `sha256:${createHash("sha256").digest("hex")}`);
    assertEquals(empty.size, 0);
  } finally {
    await Deno.remove(path);
  }
});

// Each runtime's file system hashes a growing file on the hashing thread (the binary's too: Bun
// writes the body on its main thread, so the hash goes elsewhere).
for (const [name, fs] of [["nodeFs", nodeFs], ["denoFs", denoFs], ["bunFs", bunFs]] as const) {
  Deno.test(`${name}.hashGrowingFile() follows a file as it grows, on a worker thread`, async () => {
    await followsGrowingFile(fs);
  });
}

async function followsGrowingFile(fs: Fs): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-scan-off-" });
  try {
    const bytes = pattern(5 * 1024 * 1024 + 7, 4);
    const path = `${dir}/blob`;
    // Written in parts with pauses, the first one before the file exists.
    const written = (async () => {
      await new Promise((r) => setTimeout(r, 20));
      const f = await Deno.open(path, { write: true, create: true });
      for (let off = 0; off < bytes.length; off += 1024 * 1024 + 3) {
        await f.write(bytes.subarray(off, off + 1024 * 1024 + 3));
        await new Promise((r) => setTimeout(r, 10));
      }
      f.close();
    })();
    const seen: number[] = [];
    const scan = fs.hashGrowingFile!(path, "sha256", {
      growing: written,
      maxBytes: bytes.length,
      onRead: (n) => seen.push(n),
    });
    // Known at once, not a promise of "no thread" (the caller would not scan at all).
    assert(scan instanceof Promise, "no hashing thread");
    const got = await scan;
    assertEquals(got, {
      hex: createHash("sha256").update(bytes).digest("hex"),
      size: bytes.length,
    });
    assert(seen.every((n) => n <= bytes.length), `progress past the end: ${seen}`);
    // More than allowed: no digest, and a size past the limit.
    const over = await fs.hashGrowingFile!(path, "sha256", {
      growing: Promise.resolve(),
      maxBytes: 1000,
      onRead: () => {},
    })!;
    assertEquals(over.hex, "");
    assert(over.size > 1000, `${over.size}`);
    // A file that never came: the runtime's typed error once the write settled.
    const missing = await fs.hashGrowingFile!(`${dir}/none`, "sha256", {
      growing: Promise.resolve(),
      maxBytes: 10,
      onRead: () => {},
    })!.then(() => undefined, (e: unknown) => e);
    assertEquals((missing as { code?: string }).code, "ERR_NOT_FOUND");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
