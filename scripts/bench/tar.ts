/**
 * Benchmark `tar`: the measurement behind lib/tar's choice (see lib/tar/mod.ts). For lib/tar and
 * modern-tar, in one process and in memory: write, and write-then-read, one large file and many
 * small files (MB/s of tar bytes, best of the runs); whether the same entries give the same bytes
 * twice and the same bytes as lib/tar (image digests depend on them); and the PAX limits (a
 * 300-byte UTF-8 name, a size over 8 GiB, uid/gid over 2,097,151, an mtime after 2242).
 *
 * Run: `deno run -A scripts/bench/tar.ts [--big-mib 1024] [--files 20000] [--runs 3]`
 *
 * @module
 */
import { createTarDecoder, createTarPacker } from "modern-tar";
import { readTar, type TarWriterEntry, writeTar } from "../../lib/tar/mod.ts";
import { nodeHasherFactory } from "../../lib/runtime/mod.ts";

const CHUNK = 64 * 1024;
const PIECE = new Uint8Array(CHUNK).map((_, i) => (i * 131) & 0xff);

interface Spec {
  path: string;
  size: number;
  uid?: number;
  gid?: number;
  mtime?: number;
}

function* content(size: number): Generator<Uint8Array> {
  for (let left = size; left > 0; left -= CHUNK) {
    yield left >= CHUNK ? PIECE : PIECE.subarray(0, left);
  }
}

function stream(size: number): ReadableStream<Uint8Array> {
  const it = content(size);
  return new ReadableStream({
    pull(c) {
      const n = it.next();
      if (n.done) c.close();
      else c.enqueue(n.value.slice());
    },
  });
}

/** A tar writer and reader under test. */
interface Library {
  name: string;
  write(specs: Spec[]): ReadableStream<Uint8Array>;
  /** Reads every entry's content; returns the headers seen. */
  read(tar: ReadableStream<Uint8Array>): Promise<Spec[]>;
}

const ours: Library = {
  name: "lib/tar",
  write(specs) {
    const entries = specs.map((s): TarWriterEntry => ({
      path: s.path,
      type: "file",
      mode: 0o644,
      uid: s.uid ?? 0,
      gid: s.gid ?? 0,
      size: s.size,
      mtime: s.mtime ?? 0,
      open: () => Promise.resolve(stream(s.size)),
    }));
    const chunks = writeTar(entries);
    return new ReadableStream({
      async pull(c) {
        const n = await chunks.next();
        if (n.done) c.close();
        else c.enqueue(n.value);
      },
    });
  },
  async read(tar) {
    const out: Spec[] = [];
    for await (const e of readTar(tar, { stream: () => true })) {
      if (e.body) { for await (const _ of e.body) { /* drain */ } }
      const { path, size, uid, gid } = e.header;
      out.push({ path, size, uid, gid });
    }
    return out;
  },
};

const modern: Library = {
  name: "modern-tar",
  write(specs) {
    const { readable, controller } = createTarPacker();
    (async () => {
      for (const s of specs) {
        const body = controller.add({
          name: s.path,
          size: s.size,
          type: "file",
          mode: 0o644,
          uid: s.uid ?? 0,
          gid: s.gid ?? 0,
          mtime: new Date((s.mtime ?? 0) * 1000),
        });
        const writer = body.getWriter();
        for (const piece of content(s.size)) await writer.write(piece.slice());
        await writer.close();
      }
      controller.finalize();
    })().catch((err) => controller.error(err));
    return readable;
  },
  async read(tar) {
    const out: Spec[] = [];
    for await (const e of tar.pipeThrough(createTarDecoder({ strict: true }))) {
      for await (const _ of e.body) { /* drain */ }
      const { name, size, uid, gid } = e.header;
      out.push({ path: name, size, uid: uid ?? 0, gid: gid ?? 0 });
    }
    return out;
  },
};

async function drain(s: ReadableStream<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const c of s) n += c.length;
  return n;
}

async function sha256(s: ReadableStream<Uint8Array>): Promise<string> {
  const h = nodeHasherFactory("sha256");
  for await (const c of s) h.update(c);
  return h.digestHex();
}

async function best(runs: number, f: () => Promise<number>): Promise<string> {
  let bestMs = Infinity;
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    bytes = await f();
    bestMs = Math.min(bestMs, performance.now() - t);
  }
  return `${(bytes / 1e6 / (bestMs / 1000)).toFixed(0)} MB/s`;
}

async function attempt(f: () => Promise<string>): Promise<string> {
  try {
    return await f();
  } catch (err) {
    return `fails: ${(err instanceof Error ? err.message : String(err)).slice(0, 60)}`;
  }
}

/** What one library does with a value past ustar's limits. */
async function limits(lib: Library): Promise<Record<string, string>> {
  const LONG = `${"d".repeat(120)}/${"é".repeat(60)}/${"f".repeat(50)}.txt`;
  const roundTrip = async (spec: Spec, key: keyof Spec) => {
    const seen = (await lib.read(lib.write([spec])))[0];
    return seen?.[key] === spec[key] ? "kept" : `changed to ${String(seen?.[key])}`;
  };
  const bigSize = 9 * 1024 ** 3;
  /** How the first header block holds a value: a PAX record, GNU base-256, or neither. */
  const headerHolds = async (spec: Spec, text: string, field: number) => {
    const reader = lib.write([spec]).getReader();
    const parts: Uint8Array[] = [];
    for (let n = 0; n < 2048;) {
      const r = await reader.read();
      if (r.done) break;
      parts.push(r.value);
      n += r.value.length;
    }
    await reader.cancel();
    const first = new Uint8Array(await new Blob(parts as BlobPart[]).arrayBuffer());
    if (new TextDecoder().decode(first.subarray(0, 1536)).includes(text)) return "PAX record";
    const main = first[156] === "x".charCodeAt(0) ? first.subarray(1024) : first;
    if ((main[field]! & 0x80) !== 0) return "GNU base-256";
    const octal = new TextDecoder().decode(main.subarray(field, field + 12)).replace(/\0.*$/, "");
    return `lost (octal ${octal})`;
  };
  return {
    "300-byte name": await attempt(() => roundTrip({ path: LONG, size: 1 }, "path")),
    "size 9 GiB": await attempt(() =>
      headerHolds({ path: "big", size: bigSize }, `size=${bigSize}`, 124)
    ),
    "uid 3,000,000": await attempt(() => roundTrip({ path: "u", size: 1, uid: 3e6 }, "uid")),
    "gid 3,000,000": await attempt(() => roundTrip({ path: "g", size: 1, gid: 3e6 }, "gid")),
    "mtime 2^34 s": await attempt(() =>
      headerHolds({ path: "t", size: 1, mtime: 2 ** 34 }, `mtime=${2 ** 34}`, 136)
    ),
  };
}

async function main(): Promise<void> {
  const flag = (name: string, fallback: number): number => {
    const at = Deno.args.indexOf(`--${name}`);
    return at >= 0 ? Number(Deno.args[at + 1]) : fallback;
  };
  const bigBytes = flag("big-mib", 1024) * 1024 * 1024;
  const files = flag("files", 20_000);
  const runs = flag("runs", 3);
  const big: Spec[] = [{ path: "big.bin", size: bigBytes }];
  const small: Spec[] = Array.from({ length: files }, (_, i) => ({
    path: `dir-${i % 200}/file-${i}.bin`,
    size: 1024 + ((i * 7919) % 100_000),
  }));
  const reference = await sha256(ours.write(small));
  const rows: string[][] = [[
    "",
    `write 1 × ${bigBytes >> 20} MiB`,
    `write+read 1 × ${bigBytes >> 20} MiB`,
    `write ${files} files`,
    `write+read ${files} files`,
    "same bytes twice",
    "same bytes as lib/tar",
  ]];
  const limitRows: string[][] = [["", ...Object.keys(await limits(ours))]];
  for (const lib of [ours, modern]) {
    const once = await sha256(lib.write(small));
    const twice = await sha256(lib.write(small));
    rows.push([
      lib.name,
      await best(runs, () => drain(lib.write(big))),
      await best(runs, async () => (await lib.read(lib.write(big)), bigBytes)),
      await best(runs, () => drain(lib.write(small))),
      await best(runs, async () => {
        await lib.read(lib.write(small));
        return small.reduce((n, s) => n + s.size, 0);
      }),
      once === twice ? "yes" : "no",
      once === reference ? "yes" : "no",
    ]);
    limitRows.push([lib.name, ...Object.values(await limits(lib))]);
  }
  for (const table of [rows, limitRows]) {
    console.log(`| ${table[0]!.join(" | ")} |`);
    console.log(`|${table[0]!.map(() => "---").join("|")}|`);
    for (const r of table.slice(1)) console.log(`| ${r.join(" | ")} |`);
    console.log();
  }
}

if (import.meta.main) await main();
