/**
 * A base-image resolver for `oci-layout://PATH:TAG` and `oci-layout://PATH@DIGEST` (a layout
 * directory or tar), as BuildKit names local layouts; other references go to a fallback (a
 * registry resolver), or fail.
 *
 * @module
 */
import type { Fs } from "../content/fs.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import { BuildError } from "../errors.ts";
import { parseLayoutReference } from "../layout/layout_reference.ts";
import { openLayout } from "../layout/open_layout.ts";
import type { OciLayout } from "../layout/oci_layout.ts";
import type { BaseResolver, ResolvedBase } from "./build_options.ts";

/** The `oci-layout://` scheme prefix. */
export const OCI_LAYOUT_SCHEME = "oci-layout://";

/** A resolver that keeps the layouts it opened until {@linkcode LayoutBaseResolver.close}. */
export interface LayoutBaseResolver {
  /** Pass this as `resolveBase`. */
  resolve: BaseResolver;
  /** Closes every layout opened. */
  close(): Promise<void>;
}

/** Options for {@linkcode createLayoutBaseResolver}. */
export interface LayoutBaseResolverOptions {
  /** Hashes layout content (pass the runtime's). */
  hasher?: HasherFactory;
  /** Resolves every other reference (e.g. registry images). */
  fallback?: BaseResolver;
}

/**
 * Makes a resolver for `oci-layout://` base images.
 *
 * @example
 * ```ts ignore
 * const bases = createLayoutBaseResolver(nodeFs, { hasher: nodeHasherFactory });
 * try {
 *   await buildImage({ ...opts, resolveBase: bases.resolve });
 * } finally {
 *   await bases.close();
 * }
 * ```
 * @param fs File access for the layouts.
 * @param opts Hasher and the fallback for other references.
 * @returns The resolver and its `close`.
 */
export function createLayoutBaseResolver(
  fs: Fs,
  opts: LayoutBaseResolverOptions = {},
): LayoutBaseResolver {
  const opened = new Map<string, Promise<OciLayout>>();
  return {
    async resolve(imageRef, options): Promise<ResolvedBase> {
      if (!imageRef.startsWith(OCI_LAYOUT_SCHEME)) {
        if (opts.fallback !== undefined) return await opts.fallback(imageRef, options);
        throw new BuildError(
          `Cannot resolve base image ${imageRef}: only ${OCI_LAYOUT_SCHEME}PATH:TAG images are available here`,
        );
      }
      const ref = parseLayoutReference(imageRef.slice(OCI_LAYOUT_SCHEME.length));
      let layout = opened.get(ref.path);
      if (layout === undefined) {
        layout = openLayout(ref.path, fs, opts.hasher ? { hasher: opts.hasher } : {});
        opened.set(ref.path, layout);
      }
      return { target: await layout, reference: ref.digest ?? ref.tag ?? "latest" };
    },
    async close(): Promise<void> {
      const layouts = [...opened.values()];
      opened.clear();
      for (const layout of layouts) {
        await layout.then((l) => l.close(), () => {});
      }
    },
  };
}
