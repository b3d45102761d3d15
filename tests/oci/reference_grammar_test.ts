import { assertEquals, assertThrowsCode } from "../_helpers/assert.ts";
import { parseLayoutReference } from "../../lib/layout/layout_reference.ts";
import { parseReference } from "../../lib/registry/reference.ts";
import { validateRegistryScope } from "../../lib/trust/registry_scope.ts";

const TAGS_OK = ["v1", "_", "A".repeat(128), "1.0-rc_2"];
const TAGS_BAD = [".v1", "-v1", "A".repeat(129), "v1+x"];
const REPOSITORIES_OK = ["a", "org/app", "a__b", "a---b", "a.b_c/d-e"];
const REPOSITORIES_BAD = ["Org", "a___b", "a._b", "-a", "a/", "a//b"];

Deno.test("registry and layout references read tags with the one distribution grammar", () => {
  for (const tag of TAGS_OK) {
    assertEquals(parseReference(`localhost:5000/app:${tag}`).tag, tag);
    assertEquals(parseLayoutReference(`./app:${tag}`).tag, tag);
  }
  for (const tag of TAGS_BAD) {
    assertThrowsCode(() => parseReference(`localhost:5000/app:${tag}`), "ERR_INVALID_REFERENCE");
    assertThrowsCode(() => parseLayoutReference(`./app:${tag}`), "ERR_INVALID_REFERENCE");
  }
});

Deno.test("registry references and trust policy scopes read repositories with one grammar", () => {
  for (const repository of REPOSITORIES_OK) {
    assertEquals(parseReference(`localhost:5000/${repository}:v1`).repository, repository);
    validateRegistryScope(`localhost:5000/${repository}`);
  }
  for (const repository of REPOSITORIES_BAD) {
    assertThrowsCode(
      () => parseReference(`localhost:5000/${repository}:v1`),
      "ERR_INVALID_REFERENCE",
    );
    assertThrowsCode(
      () => validateRegistryScope(`localhost:5000/${repository}`),
      "ERR_TRUST_POLICY",
    );
  }
});
