/**
 * `ocisign login`: checks credentials against a registry and stores them as `docker login` does.
 *
 * @module
 */
import { defineCommand } from "../command.ts";
import type { ArgsDef, CommandDef } from "../command.ts";
import { staticCredentials } from "../../registry/credentials.ts";
import { storeDockerCredential } from "../../registry/docker_login.ts";
import { Registry } from "../../registry/registry.ts";
import { envTimeoutMs } from "../../registry/env_timeout.ts";
import { resolveHost } from "../../runtime/resolve_host.ts";
import { outputArgs, registryArgs, UsageError } from "../_args.ts";
import { readDockerConfig, writeDockerConfig } from "../_docker_config.ts";
import { credentialEnv, flagPassword, registryFetch } from "../_target.ts";
import { isErrorCode, UnauthorizedError } from "../../errors.ts";
import { writeResult } from "../output.ts";
import type { CliIo } from "../io.ts";

const args = {
  registry: {
    type: "positional",
    required: true,
    description: "Registry host, e.g. localhost:5000",
  },
  ...registryArgs,
  ...outputArgs,
} as const satisfies ArgsDef;

/**
 * Builds the `login` command.
 * @param io The environment.
 * @returns The command.
 */
export function loginCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "login",
      description: "Log in to a registry (credentials stored as docker does)",
      examples: [
        "# Prompted for the password on a terminal",
        "ocisign login -u alice localhost:5000",
        'echo "$PASSWORD" | ocisign login -u alice --password-stdin localhost:5000',
      ],
    },
    args,
    async run({ args }) {
      const env = credentialEnv(io);
      // as docker and notation do: flags, then the environment, then a prompt on a terminal
      const username = args.username ?? env("OCISIGN_USERNAME") ??
        await io.prompt?.("Username: ", false);
      const password = await flagPassword(io, args) ?? env("OCISIGN_PASSWORD") ??
        (username ? await io.prompt?.("Password: ", true) : undefined);
      if (!username || password === undefined) {
        throw new UsageError(
          "login needs a user name and a password: --username with --password-stdin (or --password), OCISIGN_USERNAME and OCISIGN_PASSWORD (NOTATION_USERNAME, NOTATION_PASSWORD), or a terminal to be asked on",
        );
      }
      const registry = new Registry(args.registry, {
        fetch: await registryFetch(io, args),
        credentials: staticCredentials({ username, password }),
        resolveHost,
        timeoutMs: envTimeoutMs(io.env) ?? 60_000,
        ...(io.registryRetry ? { retry: io.registryRetry } : {}),
        ...(args["plain-http"] !== undefined ? { plainHttp: args["plain-http"] } : {}),
      });
      try {
        await registry.ping({ signal: io.signal });
      } catch (err) {
        if (!isErrorCode(err, "ERR_UNAUTHORIZED")) throw err;
        throw new UnauthorizedError(
          `wrong user name or password for ${args.registry}: the registry refused them`,
          { cause: err },
        );
      }
      const config = (await readDockerConfig(io)) ?? {};
      await writeDockerConfig(
        io,
        await storeDockerCredential(
          config,
          args.registry,
          username,
          password,
          io.credentialHelper,
        ),
      );
      writeResult(io, args.output, "Login Succeeded\n", {
        registry: args.registry,
        loggedIn: true,
      });
    },
  });
}
