/**
 * A Bun plugin that resolves `npm:name@version/path` specifiers (the sources' form, so that
 * `deno run <url>/cli.ts` needs no import map) to the packages `deno install` put in
 * `node_modules/`. `scripts/bun_compile.ts` bundles with it; `bunfig.toml` preloads it so that
 * `bun run cli.ts` and `bun test` read the same sources.
 */
// deno-lint-ignore-file no-explicit-any
declare const Bun: any;

/** `npm:@scope/name@1.2.3/sub/path` → `@scope/name/sub/path`. */
export function npmSpecifierToBare(specifier: string): string {
  const spec = specifier.replace(/^npm:\/?/, "");
  const match = /^(@[^/@]+\/[^/@]+|[^/@]+)(?:@[^/]+)?(\/.*)?$/.exec(spec);
  if (match === null) throw new Error(`cannot map ${specifier} to a package path`);
  return match[1]! + (match[2] ?? "");
}

const root = new URL("..", import.meta.url).pathname;

/** The plugin: every `npm:` specifier resolves to its package under the repository root. */
export const npmSpecifiers = {
  name: "npm-specifiers",
  setup(build: any) {
    const resolve = (specifier: string) => ({
      path: Bun.resolveSync(npmSpecifierToBare(specifier), root),
    });
    // The bundler sees the whole specifier; the runtime splits off `npm:` as a namespace.
    build.onResolve({ filter: /^npm:/ }, (args: { path: string }) => resolve(args.path));
    build.onResolve(
      { filter: /.*/, namespace: "npm" },
      (args: { path: string }) => resolve(`npm:${args.path}`),
    );
  },
};

Bun.plugin(npmSpecifiers);
