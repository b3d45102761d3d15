/**
 * The command table: one lazy loader per top-level command, with static import specifiers so
 * that `bun build --compile` bundles every command.
 *
 * @module
 */
import type { CommandDef } from "citty";
import type { CliIo } from "../io.ts";

/** Builds a command bound to an I/O environment. */
// deno-lint-ignore no-explicit-any
export type CommandFactory = (io: CliIo) => CommandDef<any>;

/** Top-level commands, in the order `--help` lists them. */
export const COMMANDS: Record<string, { description: string; load: () => Promise<CommandFactory> }> = {
  build: {
    description: "Build a Dockerfile into an OCI layout (directory or tar), with no daemon",
    load: () => import("./build.ts").then((m) => m.buildCommand),
  },
  sign: {
    description: "Sign an artifact in an OCI layout or a registry",
    load: () => import("./sign.ts").then((m) => m.signCommand),
  },
  list: {
    description: "List the signatures of an artifact",
    load: () => import("./list.ts").then((m) => m.listCommand),
  },
  verify: {
    description: "Verify the signatures of an artifact against the trust policy",
    load: () => import("./verify.ts").then((m) => m.verifyCommand),
  },
  cp: {
    description: "Copy an image, with -r its signatures, between registries and OCI layouts",
    load: () => import("./cp.ts").then((m) => m.cpCommand),
  },
  serve: {
    description: "Serve OCI layouts as an OCI Distribution 1.1 registry",
    load: () => import("./serve.ts").then((m) => m.serveCommand),
  },
  inspect: {
    description: "Show what the signatures of an artifact claim",
    load: () => import("./inspect.ts").then((m) => m.inspectCommand),
  },
  cert: {
    description: "Manage certificates in the trust stores, and test certificates",
    load: () => import("./cert/mod.ts").then((m) => m.certCommand),
  },
  key: {
    description: "Manage the keys used for signing",
    load: () => import("./key/mod.ts").then((m) => m.keyCommand),
  },
  policy: {
    description: "Manage the trust policy",
    load: () => import("./policy/mod.ts").then((m) => m.policyCommand),
  },
};
