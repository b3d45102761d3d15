/**
 * The command table: one lazy loader per top-level command, so a command loads only its own
 * modules. Each specifier is written `"./x.ts" + ""`: Deno does not see through it, so it does not
 * parse every command's module graph up front to prefetch it (that cost `deno run` about as much
 * as loading them all), while Bun's bundler folds it back into a literal, so
 * `bun build --compile` still bundles every command, each as its own chunk.
 *
 * @module
 */
import type { CommandDef } from "../command.ts";
import type { CliIo } from "../io.ts";

/** Builds a command bound to an I/O environment. */
// deno-lint-ignore no-explicit-any
export type CommandFactory = (io: CliIo) => CommandDef<any>;

/** Top-level commands, in the order `--help` lists them. */
export const COMMANDS: Record<string, () => Promise<CommandFactory>> = {
  build: () => import("./build.ts" + "").then((m: typeof import("./build.ts")) => m.buildCommand),
  sign: () => import("./sign.ts" + "").then((m: typeof import("./sign.ts")) => m.signCommand),
  list: () => import("./list.ts" + "").then((m: typeof import("./list.ts")) => m.listCommand),
  verify: () =>
    import("./verify.ts" + "").then((m: typeof import("./verify.ts")) => m.verifyCommand),
  cp: () => import("./cp.ts" + "").then((m: typeof import("./cp.ts")) => m.cpCommand),
  serve: () => import("./serve.ts" + "").then((m: typeof import("./serve.ts")) => m.serveCommand),
  inspect: () =>
    import("./inspect.ts" + "").then((m: typeof import("./inspect.ts")) => m.inspectCommand),
  login: () => import("./login.ts" + "").then((m: typeof import("./login.ts")) => m.loginCommand),
  logout: () =>
    import("./logout.ts" + "").then((m: typeof import("./logout.ts")) => m.logoutCommand),
  cert: () =>
    import("./cert/mod.ts" + "").then((m: typeof import("./cert/mod.ts")) => m.certCommand),
  key: () => import("./key/mod.ts" + "").then((m: typeof import("./key/mod.ts")) => m.keyCommand),
  policy: () =>
    import("./policy/mod.ts" + "").then((m: typeof import("./policy/mod.ts")) => m.policyCommand),
  blob: () =>
    import("./blob/mod.ts" + "").then((m: typeof import("./blob/mod.ts")) => m.blobCommand),
  plugin: () =>
    import("./plugin/mod.ts" + "").then((m: typeof import("./plugin/mod.ts")) => m.pluginCommand),
  version: () =>
    import("./version.ts" + "").then((m: typeof import("./version.ts")) => m.versionCommand),
};
