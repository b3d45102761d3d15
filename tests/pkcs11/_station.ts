/**
 * A signing station for the PKCS#11 tests: a config dir in notation's layout and a work dir with
 * a layout `./hello:v1` built in it, a trust policy for one store, and verification by ocisign
 * and (when on PATH) the notation CLI.
 *
 * @module
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { type CliResult, runCli } from "../_helpers/cli.ts";
import { describeRun, readSignatureManifest } from "../_helpers/e2e.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";
import { type SoftHsm, TOKEN } from "./_softhsm.ts";

export const NOTATION = findPeer("notation");

/** A station: config dir (notation's layout), a work dir with a layout `./hello:v1`. */
export interface Station {
  hsm: SoftHsm;
  cwd: string;
  configDir: string;
  run(...argv: string[]): Promise<CliResult>;
  runEnv(env: Record<string, string>, ...argv: string[]): Promise<CliResult>;
}

export async function station(hsm: SoftHsm): Promise<Station> {
  const cwd = `${hsm.dir}/work`;
  const configDir = `${hsm.dir}/xdg/notation`;
  await Deno.mkdir(cwd, { recursive: true });
  await Deno.writeTextFile(`${cwd}/Dockerfile`, "FROM scratch\nCOPY hello.txt /hello.txt\n");
  await Deno.writeTextFile(`${cwd}/hello.txt`, "hello from the station\n");
  const runEnv = (env: Record<string, string>, ...argv: string[]) =>
    runCli(argv, { cwd, home: cwd, env: { OCISIGN_CONFIG_DIR: configDir, ...env } });
  const built = await runEnv({}, "build", "-t", "hello:v1", "-o", "./hello", ".");
  assertEquals(built.code, 0, describeRun(built));
  return {
    hsm,
    cwd,
    configDir,
    runEnv,
    run: (...argv) => runEnv({ OCISIGN_PKCS11_PIN: TOKEN.pin }, ...argv),
  };
}

/** Trusts store `ca:<store>` for scope local/hello. */
export async function trust(s: Station, store: string): Promise<void> {
  await Deno.writeTextFile(
    `${s.configDir}/trustpolicy.json`,
    JSON.stringify({
      version: "1.0",
      trustPolicies: [{
        name: "station",
        registryScopes: ["local/hello"],
        signatureVerification: { level: "strict" },
        trustStores: [`ca:${store}`],
        trustedIdentities: ["*"],
      }],
    }),
  );
}

export async function verifyBoth(
  s: Station,
  signature: string,
  format: "jws" | "cose",
): Promise<void> {
  const { envelope } = await readSignatureManifest(`${s.cwd}/hello`, signature);
  assertEquals(envelope.mediaType, `application/${format === "jws" ? "jose+json" : "cose"}`);
  const verified = await s.run("verify", "--oci-layout", "./hello:v1", "--scope", "local/hello");
  assertEquals(verified.code, 0, describeRun(verified));
  if (NOTATION === undefined) return;
  const notation = await runPeer(NOTATION, [
    "verify",
    "--oci-layout",
    "./hello:v1",
    "--scope",
    "local/hello",
  ], {
    cwd: s.cwd,
    env: { XDG_CONFIG_HOME: `${s.hsm.dir}/xdg`, NOTATION_EXPERIMENTAL: "1", HOME: s.cwd },
  });
  assertEquals(notation.code, 0, describeRun(notation));
  assert.match(notation.stdout, /^Successfully verified signature for /);
}

export const URI = (object: string) => `pkcs11:token=${TOKEN.label};object=${object}`;
