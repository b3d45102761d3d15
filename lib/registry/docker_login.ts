/**
 * Storing and removing registry credentials the way `docker login` and `docker logout` do: in a
 * credential helper when Docker's `config.json` names one for the registry, else as a base64
 * `auth` entry under `auths`. The functions take and return the parsed document, so the caller
 * does the file I/O (and keeps every field it does not know).
 *
 * @module
 */
import { toBase64, utf8 } from "../_internal/bytes.ts";
import { ConfigError } from "../errors.ts";
import { credentialHelperName, dockerConfigKey } from "./credentials.ts";
import type { CredentialHelperRunner, DockerConfig } from "./credentials.ts";

/** The `config.json` document, with the fields ocisign does not read kept as they are. */
export type DockerConfigDocument = DockerConfig & Record<string, unknown>;

async function runHelper(
  runner: CredentialHelperRunner | undefined,
  helper: string,
  verb: "store" | "erase",
  stdin: string,
): Promise<void> {
  const program = `docker-credential-${helper}`;
  if (runner === undefined) {
    throw new ConfigError(
      `The Docker config.json names the credential helper "${helper}", which cannot be run here`,
    );
  }
  let code: number;
  try {
    code = (await runner.run(program, [verb], stdin)).code;
  } catch (err) {
    throw new ConfigError(
      `Cannot run the credential helper ${program}: install it or remove it from the Docker config.json`,
      {
        cause: err,
      },
    );
  }
  if (code !== 0) {
    throw new ConfigError(
      `The credential helper ${program} failed to ${verb} the credentials (exit code ${code})`,
    );
  }
}

/**
 * Records `username`/`password` for `registry`.
 *
 * @example
 * ```ts
 * import { storeDockerCredential } from "./docker_login.ts";
 * const next = await storeDockerCredential({}, "localhost:5000", "alice", "s3cret");
 * console.log(next.auths?.["localhost:5000"]?.auth); // YWxpY2U6czNjcmV0
 * ```
 * @param config The current document.
 * @param registry The registry host (`localhost:5000`, `docker.io`).
 * @param username The user.
 * @param password The password or token.
 * @param runner Runs `docker-credential-*` helpers.
 * @returns The document to write (unchanged when a helper stored the secret).
 * @throws {ConfigError} ERR_CONFIG when the helper cannot store it.
 */
export async function storeDockerCredential(
  config: DockerConfigDocument,
  registry: string,
  username: string,
  password: string,
  runner?: CredentialHelperRunner,
): Promise<DockerConfigDocument> {
  const key = dockerConfigKey(registry);
  const helper = credentialHelperName(config, registry);
  if (helper !== undefined) {
    await runHelper(
      runner,
      helper,
      "store",
      JSON.stringify({ ServerURL: key, Username: username, Secret: password }),
    );
    return config;
  }
  return {
    ...config,
    auths: { ...config.auths, [key]: { auth: toBase64(utf8(`${username}:${password}`)) } },
  };
}

/**
 * Forgets the credentials of `registry`.
 *
 * @example
 * ```ts
 * import { eraseDockerCredential } from "./docker_login.ts";
 * const { config, removed } = await eraseDockerCredential({ auths: { "localhost:5000": { auth: "eDp5" } } }, "localhost:5000");
 * console.log(removed, config.auths); // true {}
 * ```
 * @param config The current document.
 * @param registry The registry host.
 * @param runner Runs `docker-credential-*` helpers.
 * @returns The document to write and whether anything was stored for the registry.
 * @throws {ConfigError} ERR_CONFIG when the helper cannot erase it.
 */
export async function eraseDockerCredential(
  config: DockerConfigDocument,
  registry: string,
  runner?: CredentialHelperRunner,
): Promise<{ config: DockerConfigDocument; removed: boolean }> {
  const key = dockerConfigKey(registry);
  const helper = credentialHelperName(config, registry);
  if (helper !== undefined) await runHelper(runner, helper, "erase", key);
  const auths = { ...config.auths };
  const removed = key in auths || helper !== undefined;
  delete auths[key];
  return { config: { ...config, auths }, removed };
}
