/**
 * The host side of the plugin tests: a temporary config dir with test certificates, a layout
 * `hello:v1`, a trust policy trusting `ca:vault`, and plugin scripts (real processes).
 */
import { assertEquals } from "../_helpers/assert.ts";
import { type CliResult, runCli } from "../_helpers/cli.ts";
import { addTestKey } from "../_helpers/test_key.ts";

const FAKE = new URL("./_fake_plugin.ts", import.meta.url).pathname;

export interface Host {
  dir: string;
  cwd: string;
  configDir: string;
  run(...argv: string[]): Promise<CliResult>;
  runEnv(env: Record<string, string>, ...argv: string[]): Promise<CliResult>;
  /** A plugin script named notation-<name> running `fake` (the RAW one by default), not installed. */
  script(name: string, fake?: string): Promise<string>;
  /** pluginConfig flags for the key NAME (made as `cert generate-test NAME` makes one). */
  config(name: string, ...more: string[]): string[];
}

export async function host(dir: string): Promise<Host> {
  const cwd = `${dir}/work`;
  const configDir = `${dir}/xdg/notation`;
  await Deno.mkdir(cwd, { recursive: true });
  await Deno.writeTextFile(`${cwd}/Dockerfile`, "FROM scratch\nCOPY hello.txt /hello.txt\n");
  await Deno.writeTextFile(`${cwd}/hello.txt`, "hello through a plugin\n");
  const runEnv = (env: Record<string, string>, ...argv: string[]) =>
    runCli(argv, { cwd, home: cwd, env: { OCISIGN_CONFIG_DIR: configDir, ...env } });
  const run = (...argv: string[]) => runEnv({}, ...argv);
  assertEquals((await run("build", "-t", "hello:v1", "-o", "./hello", ".")).code, 0);
  for (const name of ["vault", "mallory"]) await addTestKey({ configDir, run }, name, false);
  await Deno.writeTextFile(
    `${configDir}/trustpolicy.json`,
    JSON.stringify({
      version: "1.0",
      trustPolicies: [{
        name: "plugin",
        registryScopes: ["local/hello"],
        signatureVerification: { level: "strict" },
        trustStores: ["ca:vault"],
        trustedIdentities: ["*"],
      }],
    }),
  );
  return {
    dir,
    cwd,
    configDir,
    run,
    runEnv,
    async script(name, fake = FAKE) {
      const path = `${dir}/bin/notation-${name}`;
      await Deno.mkdir(`${dir}/bin`, { recursive: true });
      await Deno.writeTextFile(
        path,
        `#!/bin/sh\nFAKE_PLUGIN_NAME=${name} exec '${Deno.execPath()}' run -A --no-config --no-lock '${fake}' "$@"\n`,
      );
      await Deno.chmod(path, 0o755);
      return path;
    },
    config: (name, ...more) =>
      [
        `key=${configDir}/localkeys/${name}.key`,
        `cert=${configDir}/localkeys/${name}.crt`,
        `otherCert=${configDir}/localkeys/mallory.crt`,
        ...more,
      ].flatMap((kv) => ["--plugin-config", kv]),
  };
}

export async function snapshot(layout: string): Promise<string[]> {
  const out: string[] = [await Deno.readTextFile(`${layout}/index.json`)];
  for await (const e of Deno.readDir(`${layout}/blobs/sha256`)) out.push(e.name);
  return out.sort();
}
