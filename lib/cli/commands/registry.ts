/**
 * The command table: one lazy loader per top-level command, with static import specifiers so
 * that `bun build --compile` bundles every command.
 *
 * @module
 */
import type { CommandDef } from "npm:citty@0.2.2";
import type { CliIo } from "../io.ts";

/** Builds a command bound to an I/O environment. */
// deno-lint-ignore no-explicit-any
export type CommandFactory = (io: CliIo) => CommandDef<any>;

/** Top-level commands, in the order `--help` lists them. */
export const COMMANDS: Record<string, () => Promise<CommandFactory>> = {
  build: () => import("./build.ts").then((m) => m.buildCommand),
  sign: () => import("./sign.ts").then((m) => m.signCommand),
  list: () => import("./list.ts").then((m) => m.listCommand),
  verify: () => import("./verify.ts").then((m) => m.verifyCommand),
  cp: () => import("./cp.ts").then((m) => m.cpCommand),
  serve: () => import("./serve.ts").then((m) => m.serveCommand),
  inspect: () => import("./inspect.ts").then((m) => m.inspectCommand),
  login: () => import("./login.ts").then((m) => m.loginCommand),
  logout: () => import("./logout.ts").then((m) => m.logoutCommand),
  cert: () => import("./cert/mod.ts").then((m) => m.certCommand),
  key: () => import("./key/mod.ts").then((m) => m.keyCommand),
  policy: () => import("./policy/mod.ts").then((m) => m.policyCommand),
  blob: () => import("./blob/mod.ts").then((m) => m.blobCommand),
  plugin: () => import("./plugin/mod.ts").then((m) => m.pluginCommand),
  version: () => import("./version.ts").then((m) => m.versionCommand),
};
