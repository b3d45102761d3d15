/**
 * The signing setup benchmarks share: a test key `bench` (the default signing key) and a trust
 * policy for `local/bench` that trusts it, in the configuration directory of `env`.
 *
 * @module
 */
import { run } from "./measure.ts";

/** The trust policy scope of the benchmarks' layouts. */
export const BENCH_SCOPE = "local/bench";

const POLICY = {
  version: "1.0",
  trustPolicies: [{
    name: "bench",
    registryScopes: [BENCH_SCOPE],
    signatureVerification: { level: "strict" },
    trustStores: ["ca:bench"],
    trustedIdentities: ["*"],
  }],
};

/**
 * Makes the `bench` test key and imports the trust policy with the ocisign binary `cmd`.
 *
 * @example
 * ```ts ignore
 * await setUpBenchTrust(bin.cmd, work, { OCISIGN_CONFIG_DIR: `${work}/cfg` });
 * ```
 */
export async function setUpBenchTrust(
  cmd: string,
  work: string,
  env: Record<string, string>,
): Promise<void> {
  await run(cmd, ["cert", "generate-test", "bench", "--default"], { env });
  await Deno.writeTextFile(`${work}/policy.json`, JSON.stringify(POLICY));
  await run(cmd, ["policy", "import", `${work}/policy.json`], { env });
}
