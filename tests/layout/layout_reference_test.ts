import { parseLayoutReference } from "../../lib/layout/mod.ts";
import { assertEquals, assertThrowsCode } from "../_helpers/assert.ts";

const D = "sha256:" + "a".repeat(64);

Deno.test("parseLayoutReference() splits tags at the last colon", () => {
  assertEquals(parseLayoutReference("./hello-world:v1"), { path: "./hello-world", tag: "v1" });
  assertEquals(parseLayoutReference("/tmp/a:b/img.tar:latest"), {
    path: "/tmp/a:b/img.tar",
    tag: "latest",
  });
  assertEquals(parseLayoutReference("img"), { path: "img" });
});

Deno.test("parseLayoutReference() splits digests at the last @", () => {
  assertEquals(parseLayoutReference(`./hello-world@${D}`), { path: "./hello-world", digest: D });
  assertEquals(parseLayoutReference(`./a@b:c@${D}`), { path: "./a@b:c", digest: D });
});

Deno.test("parseLayoutReference() rejects empty paths, bad tags and bad digests", () => {
  for (
    const bad of [
      "",
      ":v1",
      `@${D}`,
      "./dir:",
      "./dir:-bad",
      "./dir@sha256:abc",
      "./dir@v1",
      "./x:a/b",
    ]
  ) {
    assertThrowsCode(() => parseLayoutReference(bad), "ERR_INVALID_REFERENCE");
  }
});
