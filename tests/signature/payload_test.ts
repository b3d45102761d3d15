import { fromUtf8, utf8 } from "../../lib/_internal/bytes.ts";
import { assertEquals, assertThrowsCode } from "../_helpers/assert.ts";
import { createPayload, parsePayload } from "../../lib/signature/mod.ts";

const DIGEST = "sha256:" + "f".repeat(64);

Deno.test("createPayload() writes notation's bytes: Go field order, sorted annotations, Go escaping, stripped fields", () => {
  const bytes = createPayload({
    mediaType: "application/vnd.oci.image.index.v1+json",
    digest: DIGEST,
    size: 7,
    urls: ["https://example.com"],
    platform: { os: "linux", architecture: "arm64" },
    data: "e30=",
    artifactType: "application/x",
    annotations: { "z": "<b>&", "a": "1", "\u{1F600}": "astral", "\uFFFF": "bmp" },
  });
  assertEquals(
    fromUtf8(bytes),
    `{"targetArtifact":{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"${DIGEST}","size":7,` +
      `"annotations":{"a":"1","z":"\\u003cb\\u003e\\u0026","\uFFFF":"bmp","\u{1F600}":"astral"}}}`,
  );
  assertEquals(
    fromUtf8(createPayload({ mediaType: "m/t", digest: DIGEST, size: 0, annotations: {} })),
    `{"targetArtifact":{"mediaType":"m/t","digest":"${DIGEST}","size":0}}`,
  );
});

Deno.test("createPayload() refuses malformed descriptors", () => {
  assertThrowsCode(
    () => createPayload({ mediaType: "", digest: DIGEST, size: 1 }),
    "ERR_INVALID_INPUT",
    "mediaType",
  );
  assertThrowsCode(
    () => createPayload({ mediaType: "m/t", digest: "sha256:xyz", size: 1 }),
    "ERR_INVALID_INPUT",
    "digest",
  );
  assertThrowsCode(
    () => createPayload({ mediaType: "m/t", digest: DIGEST, size: -1 }),
    "ERR_INVALID_INPUT",
    "size",
  );
  assertThrowsCode(
    () => createPayload({ mediaType: "m/t", digest: DIGEST, size: 1.5 }),
    "ERR_INVALID_INPUT",
    "size",
  );
});

Deno.test("parsePayload() reads either key order and refuses malformed payloads", () => {
  const sorted =
    `{"targetArtifact":{"annotations":{"k":"v"},"digest":"${DIGEST}","mediaType":"m/t","size":3}}`;
  assertEquals(parsePayload(utf8(sorted)), {
    mediaType: "m/t",
    digest: DIGEST,
    size: 3,
    annotations: { k: "v" },
  });
  const bad = [
    "not json",
    "[]",
    "{}",
    `{"targetArtifact":{"mediaType":"m/t","digest":"${DIGEST}","size":"3"}}`,
    `{"targetArtifact":{"mediaType":"m/t","digest":"${DIGEST}","size":3,"annotations":{"k":1}}}`,
  ];
  for (const text of bad) assertThrowsCode(() => parsePayload(utf8(text)), "ERR_ENVELOPE_INVALID");
});
