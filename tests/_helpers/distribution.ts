/**
 * Starts a real CNCF Distribution registry (`docker-registry`) on a free loopback port with a
 * temporary storage directory, for tests. Optional htpasswd (Basic) or token auth.
 *
 * @module
 */

/** Token auth settings for Distribution's `auth: token`. */
export interface TokenAuthConfig {
  /** Token endpoint URL the registry advertises. */
  realm: string;
  /** Service name (the token's audience). */
  service: string;
  /** Issuer the token must carry. */
  issuer: string;
  /** PEM bundle of certificates trusted to sign tokens. */
  rootCertBundle: string;
}

/** Options of {@linkcode startDistribution}. */
export interface DistributionOptions {
  /** Path of an htpasswd file (bcrypt) to require Basic auth. */
  htpasswd?: string;
  /** Require bearer tokens. */
  token?: TokenAuthConfig;
  /** Allow DELETE (default true). */
  deleteEnabled?: boolean;
}

/** A running registry. */
export interface Distribution {
  /** `127.0.0.1:<port>`. */
  host: string;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** The temp directory (config and storage); removed by `stop`. */
  dir: string;
  /** Stops the process and removes the temp directory. */
  stop(): Promise<void>;
}

import { findPeer } from "./peers.ts";
import { freePort, spawnServer } from "./server_process.ts";
import type { ServerProcess } from "./server_process.ts";

export { freePort };

/**
 * Whether `docker-registry` is installed; a missing one is reported (and fails the test under
 * `OCISIGN_REQUIRE_PEERS=1`) by `findPeer`.
 */
export function distributionAvailable(): boolean {
  return findPeer("docker-registry") !== undefined;
}

function config(dir: string, port: number, opts: DistributionOptions): string {
  const lines = [
    "version: 0.1",
    "log:",
    "  level: error",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${dir}/data`,
    "  delete:",
    `    enabled: ${opts.deleteEnabled ?? true}`,
    "  maintenance:",
    "    uploadpurging:",
    "      enabled: false",
    "http:",
    `  addr: 127.0.0.1:${port}`,
  ];
  if (opts.htpasswd !== undefined) {
    lines.push("auth:", "  htpasswd:", "    realm: test-realm", `    path: ${opts.htpasswd}`);
  } else if (opts.token !== undefined) {
    lines.push(
      "auth:",
      "  token:",
      `    realm: ${opts.token.realm}`,
      `    service: ${opts.token.service}`,
      `    issuer: ${opts.token.issuer}`,
      `    rootcertbundle: ${opts.token.rootCertBundle}`,
    );
  }
  return lines.join("\n") + "\n";
}

/**
 * Starts `docker-registry` with a generated config (filesystem storage in a temp dir, deletes
 * enabled, log level error) on a free loopback port, and waits until it answers.
 */
export async function startDistribution(opts: DistributionOptions = {}): Promise<Distribution> {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-distribution-" });
  const binary = findPeer("docker-registry");
  if (binary === undefined) throw new Error("docker-registry is not installed");
  const configPath = `${dir}/config.yml`;
  let port: number;
  let server: ServerProcess;
  for (let attempt = 1;; attempt++) {
    port = freePort();
    await Deno.writeTextFile(configPath, config(dir, port, opts));
    try {
      server = await spawnServer(binary, ["serve", configPath], `127.0.0.1:${port}`);
      break;
    } catch (err) {
      // A test running in parallel may take the port between its pick and the registry's bind
      // (the registry then exits at once): pick another.
      if (attempt < 3 && String(err).includes("exited during start-up")) continue;
      await Deno.remove(dir, { recursive: true });
      throw err;
    }
  }
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  };
  return { host: `127.0.0.1:${port}`, url, dir, stop };
}
