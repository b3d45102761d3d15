import { assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import {
  chainCredentials,
  type CredentialHelperRunner,
  dockerConfigCredentials,
  envCredentials,
  parseDockerConfig,
  staticCredentials,
} from "../../lib/registry/credentials.ts";
import { cleanScopes, parseChallenge } from "../../lib/registry/_challenge.ts";
import { assertThrowsCode } from "../_helpers/assert.ts";

Deno.test("staticCredentials(), envCredentials() and chainCredentials() answer per registry", async () => {
  const one = staticCredentials({ username: "a", password: "b" }, "r1");
  assertEquals(await one("r1"), { username: "a", password: "b" });
  assertEquals(await one("r2"), undefined);
  const env: Record<string, string> = { OCISIGN_USERNAME: "u", OCISIGN_PASSWORD: "p" };
  assertEquals(await envCredentials((n) => env[n])("any"), { username: "u", password: "p" });
  assertEquals(await envCredentials(() => undefined)("any"), undefined);
  assertEquals(await chainCredentials(one, envCredentials((n) => env[n]))("r2"), {
    username: "u",
    password: "p",
  });
});

Deno.test("dockerConfigCredentials() reads auths entries, Docker Hub keys and tokens", async () => {
  const config = parseDockerConfig(JSON.stringify({
    auths: {
      "localhost:5000": { auth: btoa("alice:pa:ss") },
      "https://index.docker.io/v1/": { auth: btoa("hub:secret") },
      "https://ghcr.io/v2/": { identitytoken: "refresh" },
      "other.example": { registrytoken: "bearer", username: "x", password: "y" },
    },
  }));
  const p = dockerConfigCredentials(config);
  assertEquals(await p("localhost:5000"), { username: "alice", password: "pa:ss" });
  assertEquals(await p("docker.io"), { username: "hub", password: "secret" });
  assertEquals(await p("registry-1.docker.io"), { username: "hub", password: "secret" });
  assertEquals(await p("ghcr.io"), { identityToken: "refresh" });
  assertEquals(await p("other.example"), { username: "x", password: "y", registryToken: "bearer" });
  assertEquals(await p("unknown.example"), undefined);
  const bad = dockerConfigCredentials({ auths: { "x.example": { auth: "!!!" } } });
  const err = await assertRejectsCode(() => bad("x.example"), "ERR_CONFIG", "x.example");
  assertEquals(err.message.includes("!!!"), false);
  assertThrowsCode(() => parseDockerConfig("{"), "ERR_CONFIG");
  assertThrowsCode(() => parseDockerConfig("[]"), "ERR_CONFIG");
});

Deno.test("dockerConfigCredentials() calls credHelpers and credsStore through the runner", async () => {
  const calls: string[] = [];
  const runner: CredentialHelperRunner = {
    run(program, args, stdin) {
      calls.push(`${program} ${args.join(" ")} ${stdin}`);
      if (stdin === "missing.example") {
        return Promise.resolve({ code: 1, stdout: "credentials not found in native keychain" });
      }
      if (stdin === "broken.example") return Promise.resolve({ code: 2, stdout: "boom" });
      const username = stdin === "token.example" ? "<token>" : "helper-user";
      return Promise.resolve({
        code: 0,
        stdout: JSON.stringify({ ServerURL: stdin, Username: username, Secret: "helper-secret" }),
      });
    },
  };
  const p = dockerConfigCredentials({
    credsStore: "store",
    credHelpers: { "ecr.example": "ecr-login" },
  }, runner);
  assertEquals(await p("ecr.example"), { username: "helper-user", password: "helper-secret" });
  assertEquals(await p("token.example"), { identityToken: "helper-secret" });
  assertEquals(await p("missing.example"), undefined);
  assertEquals(await p("docker.io"), { username: "helper-user", password: "helper-secret" });
  const err = await assertRejectsCode(() => p("broken.example"), "ERR_CONFIG", "exit code 2");
  assertEquals(err.message.includes("helper-secret"), false);
  assertEquals(calls, [
    "docker-credential-ecr-login get ecr.example",
    "docker-credential-store get token.example",
    "docker-credential-store get missing.example",
    "docker-credential-store get https://index.docker.io/v1/",
    "docker-credential-store get broken.example",
  ]);
  await assertRejectsCode(
    () => dockerConfigCredentials({ credsStore: "store" })("a.example"),
    "ERR_CONFIG",
    "helper runner",
  );
});

Deno.test("parseChallenge() and cleanScopes() read WWW-Authenticate and merge scopes", () => {
  assertEquals(
    parseChallenge(
      'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a:pull,push"',
    ),
    {
      scheme: "bearer",
      params: {
        realm: "https://auth.example/token",
        service: "registry.example",
        scope: "repository:a:pull,push",
      },
    },
  );
  assertEquals(parseChallenge('Basic realm="x \\"q\\""'), {
    scheme: "basic",
    params: { realm: 'x "q"' },
  });
  assertEquals(parseChallenge(null), undefined);
  assertEquals(
    cleanScopes([
      "repository:b:push",
      "repository:a:pull",
      "repository:b:pull repository:c:*",
      "bad",
    ]),
    ["repository:a:pull", "repository:b:pull,push", "repository:c:*"],
  );
});
