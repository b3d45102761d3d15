import { fromUtf8, utf8 } from "../../lib/_internal/bytes.ts";
import type { Bytes } from "../../lib/_internal/bytes.ts";
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

Deno.test("parsePayload() refuses payloads notation's Go decoder reads differently", () => {
  const t = (inner: string, top = "") =>
    utf8(`{${top}"targetArtifact":{"mediaType":"m/t","digest":"${DIGEST}","size":3${inner}}}`);
  const other = "sha256:" + "0".repeat(64);
  const cases: [Bytes, string][] = [
    // Go matches struct keys without regard to case and keeps the last match
    [t(`,"Digest":"${other}"`), 'keys "digest" and "Digest" differ only in case'],
    [t(`,"DIGEST":"${other}"`), "differ only in case"],
    // Unicode simple folding: long s (U+017F) and the Kelvin sign (U+212A)
    [t(`,"digeſt":"${other}"`), "differ only in case"],
    [t(`,"Size":4`), "differ only in case"],
    [t(`,"Annotations":{"k":"v"}`), 'key "Annotations" is not spelled "annotations"'],
    [t("", `"TargetArtifact":{},`), "differ only in case"],
    // exact duplicates anywhere
    [t(`,"digest":"${other}"`), 'duplicate key "digest"'],
    [t(`,"annotations":{"k":"a","k":"b"}`), 'duplicate key "k"'],
    [t("", `"x":1,"x":2,`), 'duplicate key "x"'],
    // Go refuses a byte order mark, and 400.0 for an int64
    [new Uint8Array([0xef, 0xbb, 0xbf, ...t("")]), "byte order mark"],
    [utf8(`{"targetArtifact":{"mediaType":"m/t","digest":"${DIGEST}","size":3.0}}`), "integer"],
    [utf8(`{"targetArtifact":{"mediaType":"m/t","digest":"${DIGEST}","size":3e0}}`), "integer"],
  ];
  for (const [bytes, message] of cases) {
    assertThrowsCode(() => parsePayload(bytes), "ERR_ENVELOPE_INVALID", message);
  }
  // Annotations are a Go map: keys differing in case are distinct there too, and accepted.
  assertEquals(parsePayload(t(`,"annotations":{"k":"a","K":"b"}`)).annotations, {
    k: "a",
    K: "b",
  });
  // Unknown members are ignored, as Go ignores them.
  assertEquals(parsePayload(t(`,"platform":{"os":"linux","weight":1.5}`)).size, 3);
});
