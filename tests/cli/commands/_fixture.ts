/**
 * A CLI sandbox with a test key (as `cert generate-test wabbit-networks.io --default` leaves it,
 * with a pooled RSA key), the seed's trust policy, and a small image built into a layout directory
 * (`./img:v1`) by `ocisign build`.
 */
import { assert } from "../../_helpers/assert.ts";
import { cliSandbox } from "../../_helpers/cli.ts";
import type { CliResult, CliSandbox } from "../../_helpers/cli.ts";
import { addTestKey } from "../../_helpers/test_key.ts";

/** The seed's trust policy, covering `local/hello-world` and `extraScopes`. */
export function seedPolicy(extraScopes: string[] = []): string {
  return JSON.stringify({
    version: "1.0",
    trustPolicies: [{
      name: "wabbit-networks-images",
      registryScopes: ["local/hello-world", ...extraScopes],
      signatureVerification: { level: "strict" },
      trustStores: ["ca:wabbit-networks.io"],
      trustedIdentities: ["*"],
    }],
  });
}

/** Asserts a zero exit code, showing the output otherwise. */
export function ok(r: CliResult): CliResult {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/** Makes a sandbox with a default key, the seed policy and `./img:v1`. */
export async function signingSandbox(extraScopes: string[] = []): Promise<CliSandbox> {
  const sb = await cliSandbox();
  try {
    await Deno.mkdir(`${sb.cwd}/ctx`);
    await Deno.writeTextFile(
      `${sb.cwd}/ctx/Dockerfile`,
      'FROM scratch\nCOPY hello.txt /\nCMD ["/hello"]\n',
    );
    await Deno.writeTextFile(`${sb.cwd}/ctx/hello.txt`, "hello\n");
    ok(await sb.run("build", "-t", "hello-world:v1", "-o", "./img", "./ctx"));
    await addTestKey(sb, "wabbit-networks.io");
    await Deno.writeTextFile(`${sb.cwd}/policy.json`, seedPolicy(extraScopes));
    ok(await sb.run("policy", "import", "./policy.json"));
    return sb;
  } catch (err) {
    await sb.close();
    throw err;
  }
}

/** Runs `fn` in a fresh signing sandbox and removes it afterwards. */
export async function withSigningSandbox(
  fn: (sb: CliSandbox) => Promise<void>,
  extraScopes: string[] = [],
): Promise<void> {
  const sb = await signingSandbox(extraScopes);
  try {
    await fn(sb);
  } finally {
    await sb.close();
  }
}
