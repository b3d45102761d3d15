import { assertEquals, assertThrowsCode } from "../_helpers/assert.ts";
import { formatReference, parseReference, registryHost } from "../../lib/registry/reference.ts";
import { openRepository, Registry } from "../../lib/registry/registry.ts";
import { referrersTag } from "../../lib/registry/referrers_tag.ts";

const D = "sha256:" + "ab".repeat(32);

Deno.test("parseReference() reads registry, repository, tag and digest", () => {
  assertEquals(parseReference("localhost:5000/hello-world:v1"), {
    registry: "localhost:5000",
    repository: "hello-world",
    tag: "v1",
  });
  assertEquals(parseReference(`ghcr.io/org/team/app@${D}`), {
    registry: "ghcr.io",
    repository: "org/team/app",
    digest: D,
  });
  assertEquals(parseReference(`docker.io/library/alpine:3.20@${D}`), {
    registry: "docker.io",
    repository: "library/alpine",
    tag: "3.20",
    digest: D,
  });
  assertEquals(parseReference("127.0.0.1:5000/a"), { registry: "127.0.0.1:5000", repository: "a" });
  assertEquals(
    formatReference(parseReference(`localhost:5000/a:v1@${D}`)),
    `localhost:5000/a:v1@${D}`,
  );
});

Deno.test("parseReference() rejects malformed references", () => {
  assertThrowsCode(
    () => parseReference("hello-world:v1"),
    "ERR_INVALID_REFERENCE",
    "missing registry",
  );
  assertThrowsCode(
    () => parseReference("localhost:5000/Hello"),
    "ERR_INVALID_REFERENCE",
    "repository",
  );
  assertThrowsCode(() => parseReference("localhost:5000/a:-bad"), "ERR_INVALID_REFERENCE", "tag");
  assertThrowsCode(
    () => parseReference("localhost:5000/a@sha256:xyz"),
    "ERR_INVALID_REFERENCE",
    "digest",
  );
  assertThrowsCode(() => parseReference("bad host/a"), "ERR_INVALID_REFERENCE");
  assertThrowsCode(
    () => parseReference(`localhost/${"a".repeat(300)}`),
    "ERR_INVALID_REFERENCE",
    "255",
  );
});

Deno.test("registryHost() maps docker.io and Registry picks plain http only for localhost", () => {
  assertEquals(registryHost("docker.io"), "registry-1.docker.io");
  assertEquals(registryHost("localhost:5000"), "localhost:5000");
  assertEquals(new Registry("docker.io").baseUrl.href, "https://registry-1.docker.io/");
  assertEquals(new Registry("localhost:5000").baseUrl.href, "http://localhost:5000/");
  assertEquals(new Registry("127.0.0.1:5000").baseUrl.href, "https://127.0.0.1:5000/");
  assertEquals(
    new Registry("127.0.0.1:5000", { plainHttp: true }).baseUrl.href,
    "http://127.0.0.1:5000/",
  );
  assertEquals(new Registry("localhost:5000", { plainHttp: false }).baseUrl.protocol, "https:");
  const opened = openRepository(`localhost:5000/a/b:v1@${D}`);
  assertEquals([opened.repository.registry, opened.repository.name, opened.reference], [
    "localhost:5000",
    "a/b",
    D,
  ]);
});

Deno.test("referrersTag() follows the tag schema", () => {
  assertEquals(referrersTag(D), "sha256-" + "ab".repeat(32));
  const long = referrersTag("sha512:" + "c".repeat(128));
  assertEquals(long, "sha512-" + "c".repeat(64));
  assertThrowsCode(() => referrersTag("nope"), "ERR_INVALID_DIGEST");
});
