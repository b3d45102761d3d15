/**
 * Running the sources under Bun as the project does: the sources import packages as
 * `npm:name@version`, which Bun reads only through the plugin of `scripts/bun_npm_specifiers.ts`
 * (preloaded by `bunfig.toml` in the repository root, named here for runs from elsewhere), and
 * binaries are compiled by `scripts/bun_compile.ts`.
 *
 * @module
 */

const REPO = new URL("../../", import.meta.url).pathname;

/** `bun run` flags that make Bun read `npm:` specifiers, from any working directory. */
export const BUN_PRELOAD: readonly string[] = [
  "--preload",
  `${REPO}scripts/bun_npm_specifiers.ts`,
];

/**
 * Arguments of `bun` that compile `entry` (default `cli.ts`) into the binary `outfile`.
 *
 * @example
 * ```ts ignore
 * await runPeer(bun, bunCompileArgs(`${dir}/ocisign`));
 * ```
 */
export function bunCompileArgs(outfile: string, entry = `${REPO}cli.ts`): string[] {
  return [`${REPO}scripts/bun_compile.ts`, outfile, "--entry", entry];
}
