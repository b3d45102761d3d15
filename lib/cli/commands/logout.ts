/**
 * `ocisign logout`: forgets a registry's stored credentials, as `docker logout` does.
 *
 * @module
 */
import { defineCommand } from "npm:citty@0.2.2";
import type { ArgsDef, CommandDef } from "npm:citty@0.2.2";
import { eraseDockerCredential } from "../../registry/docker_login.ts";
import { readDockerConfig, writeDockerConfig } from "../_docker_config.ts";
import type { CliIo } from "../io.ts";
import { cliMeta } from "../_command_tree.ts";

const args = {
  registry: {
    type: "positional",
    required: true,
    description: "Registry host, e.g. localhost:5000",
  },
} as const satisfies ArgsDef;

/**
 * Builds the `logout` command.
 * @param io The environment.
 * @returns The command.
 */
export function logoutCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: cliMeta({
      name: "logout",
      description: "Log out from a registry",
      examples: [
        "ocisign logout localhost:5000",
      ],
    }),
    args,
    async run({ args }) {
      const config = await readDockerConfig(io);
      if (config === undefined) {
        io.stdout(`Not logged in to ${args.registry}\n`);
        return;
      }
      const { config: next, removed } = await eraseDockerCredential(
        config,
        args.registry,
        io.credentialHelper,
      );
      if (!removed) {
        io.stdout(`Not logged in to ${args.registry}\n`);
        return;
      }
      await writeDockerConfig(io, next);
      io.stdout(`Removing login credentials for ${args.registry}\n`);
    },
  });
}
