import fc from "fast-check";
import {
  artifactTypeOf,
  parseManifest,
  referrerDescriptor,
  successors,
} from "../../lib/content/mod.ts";
import { MAX_MANIFEST_BYTES } from "../../lib/_internal/limits.ts";
import { OcisignError } from "../../lib/errors.ts";
import { EMPTY_JSON_DESCRIPTOR } from "../../lib/oci/mod.ts";
import { assert, assertEquals, assertThrowsCode } from "../_helpers/assert.ts";

const enc = (v: unknown): Uint8Array =>
  new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));
const D = { ...EMPTY_JSON_DESCRIPTOR };
delete (D as { data?: string }).data;

Deno.test("parseManifest() parses an OCI manifest and keeps raw bytes and unknown fields", () => {
  const raw = enc({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { ...D, mediaType: "application/vnd.cncf.notary.signature" },
    layers: [D],
    subject: D,
    annotations: { a: "b" },
    extra: { kept: true },
  });
  const p = parseManifest(raw);
  assertEquals(p.kind, "manifest");
  assert.ok(p.raw === raw);
  assertEquals((p.json as unknown as Record<string, unknown>).extra, { kept: true });
  assertEquals(artifactTypeOf(p), "application/vnd.cncf.notary.signature");
  assertEquals(successors(p).length, 3);
  const r = referrerDescriptor(p, "sha256:" + "1".repeat(64));
  assertEquals(r.artifactType, "application/vnd.cncf.notary.signature");
  assertEquals(r.annotations, { a: "b" });
  assertEquals(r.size, raw.length);
});

Deno.test("parseManifest() infers an index and prefers artifactType", () => {
  const p = parseManifest(enc({ schemaVersion: 2, manifests: [D], artifactType: "x/y" }));
  assertEquals(p.kind, "index");
  assertEquals(p.mediaType, "application/vnd.oci.image.index.v1+json");
  assertEquals(artifactTypeOf(p), "x/y");
});

Deno.test("parseManifest() rejects malformed documents with typed errors", () => {
  const bad: unknown[] = [
    "not json",
    "[]",
    { schemaVersion: 1, manifests: [] },
    { schemaVersion: 2, config: { ...D, digest: "sha256:XYZ" } },
    { schemaVersion: 2, config: { ...D, size: -1 } },
    { schemaVersion: 2, config: D, layers: "no" },
    { schemaVersion: 2, manifests: [{ mediaType: 1, digest: D.digest, size: 2 }] },
    { schemaVersion: 2, manifests: [], annotations: { a: 1 } },
    { schemaVersion: 2, manifests: [], subject: {} },
  ];
  for (const doc of bad) assertThrowsCode(() => parseManifest(enc(doc)), "ERR_INVALID_MANIFEST");
  assertThrowsCode(
    () =>
      parseManifest(
        enc({
          schemaVersion: 2,
          mediaType: "application/vnd.oci.image.index.v1+json",
          manifests: [],
        }),
        {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
        },
      ),
    "ERR_INVALID_MANIFEST",
    "differs",
  );
  assertThrowsCode(() => parseManifest(new Uint8Array([0xff, 0xfe])), "ERR_INVALID_MANIFEST");
  assertThrowsCode(
    () => parseManifest(new Uint8Array(MAX_MANIFEST_BYTES + 1)),
    "ERR_SIZE_EXCEEDED",
  );
});

Deno.test("parseManifest() fuzzed with arbitrary JSON and bytes throws only typed errors", () => {
  const descriptorish = fc.record({
    mediaType: fc.oneof(fc.string(), fc.constant(D.mediaType), fc.integer()),
    digest: fc.oneof(fc.constant(D.digest), fc.string(), fc.constant("sha512:" + "a".repeat(128))),
    size: fc.oneof(fc.integer(), fc.double(), fc.constant(2)),
  }, { requiredKeys: [] });
  const doc = fc.record({
    schemaVersion: fc.oneof(fc.constant(2), fc.jsonValue()),
    mediaType: fc.oneof(fc.constant("application/vnd.oci.image.index.v1+json"), fc.string()),
    manifests: fc.oneof(fc.array(descriptorish), fc.jsonValue()),
    config: fc.oneof(descriptorish, fc.jsonValue()),
    layers: fc.array(descriptorish),
    subject: descriptorish,
    annotations: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.jsonValue()),
  }, { requiredKeys: [] });
  const input = fc.oneof(
    doc.map((d) => enc(d)),
    fc.jsonValue().map((v) => enc(v)),
    fc.uint8Array({ maxLength: 200 }),
  );
  fc.assert(
    fc.property(input, (bytes) => {
      try {
        parseManifest(bytes);
      } catch (err) {
        if (!(err instanceof OcisignError)) throw err;
      }
    }),
    { numRuns: 1000 },
  );
});
