/**
 * OCI distribution client: references, a {@linkcode Registry} and its {@linkcode Repository}
 * (a `GraphTarget`, `TagLister` and `Deleter`), authentication and credential providers, and the
 * referrers tag schema.
 *
 * @example
 * ```ts ignore
 * import { openRepository, staticCredentials } from "./mod.ts";
 * const { repository, reference } = openRepository("localhost:5000/hello-world:v1", {
 *   credentials: staticCredentials({ username: "u", password: "p" }),
 * });
 * const desc = await repository.resolve(reference ?? "latest");
 * for await (const r of repository.referrers(desc)) console.log(r.digest);
 * ```
 *
 * @module
 */
export * from "./reference.ts";
export * from "./credentials.ts";
export * from "./http_client.ts";
export * from "./env_timeout.ts";
export * from "./repository.ts";
export * from "./registry.ts";
export * from "./referrers_tag.ts";
export * from "./docker_login.ts";
