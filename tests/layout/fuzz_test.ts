import fc from "fast-check";
import type { FileHandle } from "../../lib/content/fs.ts";
import { OcisignError } from "../../lib/errors.ts";
import { LayoutIndex } from "../../lib/content/_layout_index.ts";
import { indexLayoutTar } from "../../lib/layout/_tar_index.ts";
import { assertEquals } from "../_helpers/assert.ts";

const enc = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));
const DIGEST = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

function memoryHandle(bytes: Uint8Array): FileHandle {
  return {
    size: bytes.length,
    read: (offset, length) => Promise.resolve(bytes.slice(offset, offset + length)),
    stream: (offset = 0, length) =>
      new Blob([bytes.slice(offset, length === undefined ? undefined : offset + length)]).stream(),
    close: () => Promise.resolve(),
  };
}

function typedOnly(err: unknown): void {
  if (!(err instanceof OcisignError)) throw err;
}

Deno.test("LayoutIndex.parse() fuzzed with index-like JSON throws only typed errors", () => {
  const desc = fc.record({
    mediaType: fc.oneof(
      fc.string(),
      fc.constant("application/vnd.oci.image.manifest.v1+json"),
      fc.jsonValue(),
    ),
    digest: fc.oneof(fc.constant(DIGEST), fc.string(), fc.jsonValue()),
    size: fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.jsonValue()),
    annotations: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.jsonValue()),
  }, { requiredKeys: [] });
  const doc = fc.record({
    schemaVersion: fc.oneof(fc.constant(2), fc.jsonValue()),
    mediaType: fc.oneof(fc.constant("application/vnd.oci.image.index.v1+json"), fc.jsonValue()),
    manifests: fc.oneof(fc.array(desc, { maxLength: 5 }), fc.jsonValue()),
  }, { requiredKeys: [] });
  fc.assert(
    fc.property(
      fc.oneof(doc.map(enc), fc.jsonValue().map(enc), fc.uint8Array({ maxLength: 100 })),
      (raw) => {
        try {
          const index = LayoutIndex.parse(raw, "fuzz");
          // Whatever parses must round-trip through serialize().
          const again = LayoutIndex.parse(index.serialize(), "fuzz");
          assertEquals(again.entries(), index.entries());
        } catch (err) {
          typedOnly(err);
        }
      },
    ),
    { numRuns: 1000 },
  );
});

Deno.test("LayoutIndex tag moves keep one entry per tag and every digest recorded", () => {
  const op = fc.record({
    digest: fc.constantFrom("a", "b", "c"),
    tag: fc.option(fc.constantFrom("v1", "v2")),
  });
  fc.assert(
    fc.property(fc.array(op, { maxLength: 20 }), (ops) => {
      const index = LayoutIndex.empty();
      const pushed = new Set<string>();
      const tags = new Map<string, string>();
      for (const o of ops) {
        const d = {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: `sha256:${o.digest.repeat(64)}`,
          size: 1,
        };
        index.addUntagged(d);
        pushed.add(d.digest);
        if (o.tag) {
          index.setTag(d, o.tag);
          tags.set(o.tag, d.digest);
        }
      }
      assertEquals(new Set(index.entries().map((e) => e.digest)), pushed);
      for (const [tag, digest] of tags) assertEquals(index.findTag(tag, "fuzz")?.digest, digest);
      assertEquals(index.tags(), [...tags.keys()].sort());
    }),
    { numRuns: 300 },
  );
});

Deno.test("LayoutIndex.findTag() refuses exactly the tags given to several digests", () => {
  const entry = fc.record({
    digest: fc.constantFrom("a", "b", "c"),
    tag: fc.option(fc.constantFrom("v1", "v2")),
  });
  fc.assert(
    fc.property(fc.array(entry, { maxLength: 8 }), (entries) => {
      const manifests = entries.map((e) => ({
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        digest: `sha256:${e.digest.repeat(64)}`,
        size: 1,
        ...(e.tag ? { annotations: { "org.opencontainers.image.ref.name": e.tag } } : {}),
      }));
      const index = LayoutIndex.parse(enc({ schemaVersion: 2, manifests }), "fuzz");
      for (const tag of ["v1", "v2"]) {
        const digests = new Set(entries.filter((e) => e.tag === tag).map((e) => e.digest));
        let found: string | undefined;
        let refused = false;
        try {
          found = index.findTag(tag, "fuzz")?.digest;
        } catch (err) {
          typedOnly(err);
          refused = true;
        }
        assertEquals(refused, digests.size > 1);
        if (!refused) {
          assertEquals(found, digests.size ? `sha256:${[...digests][0]!.repeat(64)}` : undefined);
        }
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("indexLayoutTar() fuzzed with corrupted archives throws only typed errors", async () => {
  const header = new Uint8Array(512);
  new TextEncoder().encodeInto("index.json", header);
  new TextEncoder().encodeInto("0000644\0", header.subarray(100));
  new TextEncoder().encodeInto("00000000002\0", header.subarray(124));
  header[156] = "0".charCodeAt(0);
  new TextEncoder().encodeInto("ustar\x0000", header.subarray(257));
  header.fill(0x20, 148, 156);
  const sum = header.reduce((a, b) => a + b, 0);
  new TextEncoder().encodeInto(sum.toString(8).padStart(6, "0") + "\0 ", header.subarray(148));
  const valid = new Uint8Array(512 * 4);
  valid.set(header);
  valid.set(new TextEncoder().encode("{}"), 512);
  assertEquals([...(await indexLayoutTar(memoryHandle(valid), "t")).keys()], ["index.json"]);
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.nat({ max: valid.length - 1 }), fc.nat({ max: 255 })), { maxLength: 6 }),
      fc.nat({ max: valid.length }),
      async (flips, cut) => {
        const bytes = valid.slice(0, Math.max(cut, 0));
        for (const [i, v] of flips) if (i < bytes.length) bytes[i] = v;
        try {
          await indexLayoutTar(memoryHandle(bytes), "fuzz");
        } catch (err) {
          typedOnly(err);
        }
      },
    ),
    { numRuns: 500 },
  );
});
