import { processCredentialHelper } from "../../lib/runtime/mod.ts";
import { dockerConfigCredentials } from "../../lib/registry/credentials.ts";
import { assertEquals } from "../_helpers/assert.ts";

Deno.test("processCredentialHelper runs a real docker-credential helper from PATH with the server on stdin", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-credhelper-" });
  try {
    // A helper that answers for one server and fails ("not found", exit 1) for any other.
    await Deno.writeTextFile(
      `${dir}/docker-credential-fake`,
      `#!/bin/sh
read server
[ "$1" = get ] || exit 3
[ "$server" = reg.example ] || { echo "credentials not found in native keychain"; exit 1; }
echo "secret on stderr" >&2
printf '{"ServerURL":"%s","Username":"u","Secret":"s"}' "$server"
`,
      { mode: 0o755 },
    );
    const path = `${dir}:${Deno.env.get("PATH") ?? ""}`;
    const previous = Deno.env.get("PATH");
    Deno.env.set("PATH", path);
    try {
      const direct = await processCredentialHelper.run("docker-credential-fake", ["get"], "x\n");
      assertEquals(direct, { code: 1, stdout: "credentials not found in native keychain\n" });
      const provider = dockerConfigCredentials({ credsStore: "fake" }, processCredentialHelper);
      assertEquals(await provider("reg.example"), { username: "u", password: "s" });
      assertEquals(await provider("other.example"), undefined);
    } finally {
      if (previous === undefined) Deno.env.delete("PATH");
      else Deno.env.set("PATH", previous);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
