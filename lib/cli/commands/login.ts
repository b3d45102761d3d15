/**
 * `ocisign login`: checks credentials against a registry and stores them as `docker login` does.
 *
 * @module
 */
import { defineCommand } from "npm:citty@0.2.2";
import type { ArgsDef, CommandDef } from "npm:citty@0.2.2";
import { staticCredentials } from "../../registry/credentials.ts";
import { storeDockerCredential } from "../../registry/docker_login.ts";
import { Registry } from "../../registry/registry.ts";
import { registryArgs, UsageError } from "../_args.ts";
import { readDockerConfig, writeDockerConfig } from "../_docker_config.ts";
import { registryFetch } from "../_target.ts";
import type { CliIo } from "../io.ts";

const args = {
  registry: {
    type: "positional",
    required: true,
    description: "Registry host, e.g. localhost:5000",
  },
  ...registryArgs,
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
    },
    args,
    async run({ args }) {
      if (!args.username || !args["password-stdin"]) {
        throw new UsageError(
          "login needs --username and --password-stdin (the password is read from stdin)",
        );
      }
      const password = (await io.readStdin()).replace(/\r?\n$/, "");
      if (password === "") throw new UsageError("the password read from stdin is empty");
      const registry = new Registry(args.registry, {
        fetch: await registryFetch(io, args),
        credentials: staticCredentials({ username: args.username, password }),
        ...(args["plain-http"] ? { plainHttp: true } : {}),
      });
      await registry.ping({ signal: io.signal });
      const config = (await readDockerConfig(io)) ?? {};
      await writeDockerConfig(
        io,
        await storeDockerCredential(
          config,
          args.registry,
          args.username,
          password,
          io.credentialHelper,
        ),
      );
      io.stdout("Login Succeeded\n");
    },
  });
}
