/**
 * A remote registry: its base URL (https, or plain http when asked or for `localhost` as oras
 * does), one shared HTTP client (auth cache, retries), a ping, and its repositories.
 *
 * @module
 */
import { RegistryError } from "../errors.ts";
import type { Op } from "../content/storage.ts";
import { HttpClient, type HttpClientOptions } from "./http_client.ts";
import { parseReference, registryHost } from "./reference.ts";
import { Repository, type RepositoryOptions } from "./repository.ts";
import { responseError } from "./_response_error.ts";

/** Options of {@linkcode Registry}. */
export interface RegistryOptions extends HttpClientOptions, RepositoryOptions {
  /** Talk plain HTTP (default: only for `localhost`, as oras does). */
  plainHttp?: boolean;
}

/**
 * A registry host and the client that talks to it.
 *
 * @example
 * ```ts ignore
 * import { Registry } from "./registry.ts";
 * const registry = new Registry("localhost:5000");
 * await registry.ping();
 * const repo = registry.repository("hello-world");
 * for await (const tag of repo.tags()) console.log(tag);
 * ```
 */
export class Registry {
  /** The registry name as written in references. */
  readonly name: string;
  /** Base URL of the registry API. */
  readonly baseUrl: URL;
  #client: HttpClient;
  #options: RegistryOptions;

  /**
   * Creates a registry client.
   * @param name Registry host with optional port (`localhost:5000`, `ghcr.io`).
   * @param options Transport, credentials, referrers mode, plain HTTP.
   */
  constructor(name: string, options: RegistryOptions = {}) {
    this.name = name;
    const host = registryHost(name);
    const hostname = host.replace(/:[0-9]+$/, "");
    const plain = options.plainHttp ?? hostname === "localhost";
    this.baseUrl = new URL(`${plain ? "http" : "https"}://${host}`);
    this.#client = new HttpClient(name, this.baseUrl, options);
    this.#options = options;
  }

  /**
   * Checks that the registry speaks the distribution API (`GET /v2/`) and that the credentials
   * are accepted.
   * @throws {UnauthorizedError} ERR_UNAUTHORIZED when credentials are missing or wrong.
   * @throws {RegistryError} ERR_REGISTRY when it cannot be reached or answers oddly.
   */
  async ping(opts: Op = {}): Promise<void> {
    const res = await this.#client.send({
      method: "GET",
      url: new URL("/v2/", this.baseUrl),
      scopes: [],
      idempotent: true,
      signal: opts.signal,
    });
    if (res.status === 200) {
      await res.body?.cancel();
      return;
    }
    const err = await responseError(res, `Cannot ping ${this.name}`);
    if (res.status === 404) {
      throw new RegistryError(
        `${this.name} does not serve the OCI distribution API at /v2/`,
        404,
      );
    }
    throw err;
  }

  /**
   * A repository of this registry (no request is made).
   *
   * @param name Repository name (`hello-world`, `org/app`).
   * @returns The repository, sharing this registry's client and auth cache.
   */
  repository(name: string): Repository {
    return new Repository(this.name, name, this.#client, this.baseUrl, this.#options);
  }
}

/** What {@linkcode openRepository} returns. */
export interface OpenedRepository {
  /** The repository. */
  repository: Repository;
  /** The digest if given, else the tag, else `undefined`. */
  reference: string | undefined;
}

/**
 * Parses `registry/repository[:tag|@digest]` and opens the repository.
 *
 * @example
 * ```ts
 * import { openRepository } from "./registry.ts";
 * const { repository, reference } = openRepository("localhost:5000/hello-world:v1");
 * console.log(repository.name, reference); // hello-world v1
 * ```
 * @param reference The reference.
 * @param options Registry options.
 * @returns The repository and the tag or digest.
 * @throws {InvalidReferenceError} ERR_INVALID_REFERENCE when the reference is malformed.
 */
export function openRepository(reference: string, options: RegistryOptions = {}): OpenedRepository {
  const ref = parseReference(reference);
  const repository = new Registry(ref.registry, options).repository(ref.repository);
  return { repository, reference: ref.digest ?? ref.tag };
}
