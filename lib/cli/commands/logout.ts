/**
 * `ocisign logout`: forgets a registry's stored credentials, as `docker logout` does.
 *
 * @module
 */
import { defineCommand } from "../command.ts";
import type { ArgsDef, CommandDef } from "../command.ts";
import { eraseDockerCredential } from "../../registry/docker_login.ts";
import { readDockerConfig, writeDockerConfig } from "../_docker_config.ts";
import { writeResult } from "../output.ts";
import { outputArgs } from "../_args.ts";
import type { CliIo } from "../io.ts";

const args = {
  registry: {
    type: "positional",
    required: true,
    description: "Registry host, e.g. localhost:5000",
  },
  ...outputArgs,
} as const satisfies ArgsDef;

/**
 * Builds the `logout` command.
 * @param io The environment.
 * @returns The command.
 */
export function logoutCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "logout",
      description: "Log out from a registry",
      examples: [
        "ocisign logout localhost:5000",
      ],
    },
    args,
    async run({ args }) {
      const config = await readDockerConfig(io);
      const notLoggedIn = (): void =>
        writeResult(io, args.output, `Not logged in to ${args.registry}\n`, {
          registry: args.registry,
          removed: false,
        });
      if (config === undefined) {
        notLoggedIn();
        return;
      }
      const { config: next, removed } = await eraseDockerCredential(
        config,
        args.registry,
        io.credentialHelper,
      );
      if (!removed) {
        notLoggedIn();
        return;
      }
      await writeDockerConfig(io, next);
      writeResult(io, args.output, `Removing login credentials for ${args.registry}\n`, {
        registry: args.registry,
        removed: true,
      });
    },
  });
}
