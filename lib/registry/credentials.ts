/**
 * Credential providers: a registry name in, credentials (or `undefined`) out. Implementations
 * for fixed values, environment variables and Docker's `config.json` (with `credsStore` /
 * `credHelpers` called through an injected {@linkcode CredentialHelperRunner}, because this layer
 * cannot spawn processes).
 *
 * @see https://github.com/docker/docker-credential-helpers#development
 * @module
 */
import { fromBase64, fromUtf8 } from "../_internal/bytes.ts";
import { ConfigError } from "../errors.ts";

/** Credentials for one registry. Never logged, never put in errors. */
export interface Credential {
  /** User name (Basic auth and the token GET). */
  username?: string;
  /** Password or personal access token. */
  password?: string;
  /** OAuth2 refresh token (Docker's `identitytoken`); uses the OAuth2 POST grant. */
  identityToken?: string;
  /** A bearer token used as is (Docker's `registrytoken`). */
  registryToken?: string;
}

/** Looks up credentials for a registry (`localhost:5000`, `docker.io`). */
export type CredentialProvider = (registry: string) => Promise<Credential | undefined>;

/** What a credential helper run returns. */
export interface CredentialHelperResult {
  /** Exit code. */
  code: number;
  /** Standard output (UTF-8). */
  stdout: string;
}

/**
 * Runs `docker-credential-<name> <verb>` with `stdin`; supplied by the runtime layer (the CLI
 * passes an adapter over `node:child_process`).
 */
export interface CredentialHelperRunner {
  /**
   * Runs a helper program.
   * @param program Executable name, e.g. `docker-credential-pass`.
   * @param args Arguments, e.g. `["get"]`.
   * @param stdin Text written to the standard input.
   */
  run(program: string, args: string[], stdin: string): Promise<CredentialHelperResult>;
}

/** The parts of Docker's `config.json` that hold credentials. */
export interface DockerConfig {
  /** Credentials per registry: `auth` is base64 `user:password`. */
  auths?: Record<
    string,
    {
      auth?: string;
      username?: string;
      password?: string;
      identitytoken?: string;
      registrytoken?: string;
    }
  >;
  /** Credential helper for every registry (`docker-credential-<name>`). */
  credsStore?: string;
  /** Credential helper per registry. */
  credHelpers?: Record<string, string>;
}

const DOCKER_HUB_KEY = "https://index.docker.io/v1/";
const DOCKER_HUB_NAMES = ["docker.io", "index.docker.io", "registry-1.docker.io"];

/**
 * Credentials fixed for every registry, or only for one when `registry` is given.
 *
 * @example
 * ```ts
 * import { staticCredentials } from "./credentials.ts";
 * const provider = staticCredentials({ username: "u", password: "p" }, "localhost:5000");
 * console.log((await provider("localhost:5000"))?.username); // u
 * ```
 * @param credential The credentials.
 * @param registry Limit them to this registry.
 * @returns A provider.
 */
export function staticCredentials(credential: Credential, registry?: string): CredentialProvider {
  return (name) =>
    Promise.resolve(registry === undefined || registry === name ? credential : undefined);
}

/**
 * Credentials from `OCISIGN_USERNAME` / `OCISIGN_PASSWORD`, read through an injected lookup.
 *
 * @example
 * ```ts
 * import { envCredentials } from "./credentials.ts";
 * const env: Record<string, string> = { OCISIGN_USERNAME: "u", OCISIGN_PASSWORD: "p" };
 * const provider = envCredentials((name) => env[name]);
 * console.log((await provider("any"))?.username); // u
 * ```
 * @param getEnv Reads one environment variable.
 * @returns A provider that answers for every registry when both variables are set.
 */
export function envCredentials(getEnv: (name: string) => string | undefined): CredentialProvider {
  return () => {
    const username = getEnv("OCISIGN_USERNAME");
    const password = getEnv("OCISIGN_PASSWORD");
    if (!username || password === undefined) return Promise.resolve(undefined);
    return Promise.resolve({ username, password });
  };
}

/**
 * Tries providers in order and returns the first credentials found.
 *
 * @example
 * ```ts
 * import { chainCredentials, staticCredentials } from "./credentials.ts";
 * const p = chainCredentials(staticCredentials({ username: "a", password: "b" }, "x"),
 *   staticCredentials({ username: "c", password: "d" }));
 * console.log((await p("y"))?.username); // c
 * ```
 * @param providers The providers.
 * @returns A provider.
 */
export function chainCredentials(...providers: CredentialProvider[]): CredentialProvider {
  return async (registry) => {
    for (const p of providers) {
      const c = await p(registry);
      if (c !== undefined) return c;
    }
    return undefined;
  };
}

/**
 * Parses the text of Docker's `config.json`.
 *
 * @example
 * ```ts
 * import { parseDockerConfig } from "./credentials.ts";
 * console.log(parseDockerConfig('{"auths":{}}').auths); // {}
 * ```
 * @param text The file content.
 * @returns The credential-related fields.
 * @throws {ConfigError} ERR_CONFIG when the text is not a JSON object.
 */
export function parseDockerConfig(text: string): DockerConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError("Cannot parse the Docker config.json: not valid JSON; fix or remove it", {
      cause: err,
    });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError("Cannot read the Docker config.json: it is not a JSON object");
  }
  return parsed as DockerConfig;
}

function hostOf(key: string): string {
  return key.replace(/^https?:\/\//, "").split("/")[0] ?? "";
}

function isDockerHub(registry: string): boolean {
  return DOCKER_HUB_NAMES.includes(registry);
}

/**
 * The key under which Docker's `config.json` records a registry (Docker Hub's names share
 * `https://index.docker.io/v1/`).
 *
 * @example
 * ```ts
 * import { dockerConfigKey } from "./credentials.ts";
 * console.log(dockerConfigKey("docker.io")); // https://index.docker.io/v1/
 * ```
 */
export function dockerConfigKey(registry: string): string {
  return isDockerHub(registry) ? DOCKER_HUB_KEY : registry;
}

/**
 * The credential helper Docker's `config.json` names for a registry (`credHelpers`, else
 * `credsStore`), if any.
 *
 * @example
 * ```ts
 * import { credentialHelperName } from "./credentials.ts";
 * console.log(credentialHelperName({ credsStore: "pass" }, "localhost:5000")); // pass
 * ```
 */
export function credentialHelperName(config: DockerConfig, registry: string): string | undefined {
  const helper = config.credHelpers?.[dockerConfigKey(registry)] ??
    config.credHelpers?.[registry] ??
    config.credsStore;
  return typeof helper === "string" && helper !== "" ? helper : undefined;
}

function fromAuthEntry(
  entry: NonNullable<DockerConfig["auths"]>[string],
  registry: string,
): Credential | undefined {
  const cred: Credential = {};
  if (typeof entry.auth === "string" && entry.auth !== "") {
    let decoded: string;
    try {
      decoded = fromUtf8(fromBase64(entry.auth));
    } catch (err) {
      throw new ConfigError(
        `Cannot decode the "auth" entry for ${registry} in the Docker config.json: not base64 of user:password; log in again`,
        { cause: err },
      );
    }
    const i = decoded.indexOf(":");
    if (i < 0) {
      throw new ConfigError(
        `Cannot decode the "auth" entry for ${registry} in the Docker config.json: no ":" between user and password; log in again`,
      );
    }
    cred.username = decoded.slice(0, i);
    cred.password = decoded.slice(i + 1);
  } else {
    if (typeof entry.username === "string") cred.username = entry.username;
    if (typeof entry.password === "string") cred.password = entry.password;
  }
  if (typeof entry.identitytoken === "string" && entry.identitytoken !== "") {
    cred.identityToken = entry.identitytoken;
  }
  if (typeof entry.registrytoken === "string" && entry.registrytoken !== "") {
    cred.registryToken = entry.registrytoken;
  }
  return Object.keys(cred).length === 0 ? undefined : cred;
}

async function fromHelper(
  runner: CredentialHelperRunner,
  helper: string,
  serverUrl: string,
): Promise<Credential | undefined> {
  const program = `docker-credential-${helper}`;
  let result: CredentialHelperResult;
  try {
    result = await runner.run(program, ["get"], serverUrl);
  } catch (err) {
    throw new ConfigError(
      `Cannot run the credential helper ${program}: install it or remove it from the Docker config.json`,
      { cause: err },
    );
  }
  if (result.code !== 0) {
    if (/credentials not found/i.test(result.stdout)) return undefined;
    throw new ConfigError(
      `The credential helper ${program} failed for ${serverUrl} with exit code ${result.code}; run "${program} get" to see why`,
    );
  }
  let parsed: { Username?: unknown; Secret?: unknown };
  try {
    parsed = JSON.parse(result.stdout);
  } catch (err) {
    throw new ConfigError(`The credential helper ${program} printed output that is not JSON`, {
      cause: err,
    });
  }
  const username = typeof parsed.Username === "string" ? parsed.Username : "";
  const secret = typeof parsed.Secret === "string" ? parsed.Secret : "";
  if (secret === "") return undefined;
  if (username === "<token>") return { identityToken: secret };
  return { username, password: secret };
}

/**
 * Credentials from Docker's `config.json`, looked up as oras does: `credHelpers[registry]`,
 * then `credsStore`, then the `auths` entry (exact key, then any key with the same host).
 * Docker Hub's names map to the `https://index.docker.io/v1/` key.
 *
 * @example
 * ```ts
 * import { dockerConfigCredentials } from "./credentials.ts";
 * const provider = dockerConfigCredentials({ auths: { "localhost:5000": { auth: btoa("u:p") } } });
 * console.log((await provider("localhost:5000"))?.username); // u
 * ```
 * @param config The parsed config (see {@linkcode parseDockerConfig}).
 * @param runner Runs credential helpers; without it, configured helpers raise `ConfigError`.
 * @returns A provider.
 */
export function dockerConfigCredentials(
  config: DockerConfig,
  runner?: CredentialHelperRunner,
): CredentialProvider {
  return (registry) => {
    const key = dockerConfigKey(registry);
    const helper = credentialHelperName(config, registry);
    if (helper !== undefined) {
      if (runner === undefined) {
        return Promise.reject(
          new ConfigError(
            `The Docker config.json names the credential helper "${helper}" for ${registry}, but no helper runner is available; pass credentials explicitly`,
          ),
        );
      }
      return fromHelper(runner, helper, key);
    }
    const auths = config.auths ?? {};
    const entry = auths[key] ??
      Object.entries(auths).find(([k]) => {
        const h = hostOf(k);
        return h === registry || (isDockerHub(registry) && isDockerHub(h));
      })?.[1];
    if (entry === undefined || typeof entry !== "object" || entry === null) {
      return Promise.resolve(undefined);
    }
    try {
      return Promise.resolve(fromAuthEntry(entry, registry));
    } catch (err) {
      return Promise.reject(err);
    }
  };
}
