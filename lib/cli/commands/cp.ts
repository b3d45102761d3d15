/**
 * `ocisign cp`: copies an image (and with `-r` its referrers, recursively) between registries,
 * layout directories and layout tars, as `oras cp` does.
 *
 * @module
 */
import { defineCommand } from "../command.ts";
import type { ArgDef, ArgsDef, CommandDef } from "../command.ts";
import { copy } from "../../copy/copy.ts";
import type { CopyProgress } from "../../copy/copy_graph.ts";
import type { ReferrersMode } from "../../registry/repository.ts";
import { INT_HINT, outputArgs, parsePositiveInt, UsageError } from "../_args.ts";
import { closeTarget, openTarget } from "../_target.ts";
import type { RegistryFlags } from "../_target.ts";
import type { CliIo } from "../io.ts";
import type { ReadOnlyGraphTarget, TagLister } from "../../content/storage.ts";
import { NotFoundError } from "../../errors.ts";
import type { Descriptor } from "../../oci/descriptor.ts";
import { progressView, shortDigest } from "../progress.ts";
import { startHashThread } from "../../runtime/worker_hasher.ts";

/** oras's per-side connection flags: `--from-*` for the source, `--to-*` for the destination. */
function sideArgs<P extends "from" | "to">(prefix: P, side: string) {
  return {
    [`${prefix}-plain-http`]: { type: "boolean", description: `Use HTTP for the ${side} registry` },
    [`${prefix}-username`]: { type: "string", description: `User name for the ${side} registry` },
    [`${prefix}-password`]: {
      type: "string",
      description: `Password for the ${side} registry (prefer --${prefix}-password-stdin)`,
    },
    [`${prefix}-password-stdin`]: {
      type: "boolean",
      description: `Read the ${side} registry's password from stdin`,
    },
    [`${prefix}-ca-file`]: {
      type: "string",
      description: `PEM file of CA certificates trusted for the ${side} registry`,
    },
    [`${prefix}-insecure`]: {
      type: "boolean",
      description: `Do not verify the ${side} registry's TLS certificate (binary only)`,
    },
  } as Record<`${P}-${string}`, ArgDef>;
}

/** One side's connection flags: its `--from-*`/`--to-*` flag, else the shared one. */
function sideFlags(parsed: Record<string, unknown>, prefix: "from" | "to"): RegistryFlags {
  const pick = (name: string) => parsed[`${prefix}-${name}`] ?? parsed[name];
  const flags: RegistryFlags = {};
  const [plain, username, password, stdin, caFile, insecure] = [
    "plain-http",
    "username",
    "password",
    "password-stdin",
    "ca-file",
    "insecure",
  ].map(pick);
  if (typeof plain === "boolean") flags["plain-http"] = plain;
  if (typeof username === "string") flags.username = username;
  if (typeof password === "string") flags.password = password;
  if (stdin === true) flags["password-stdin"] = true;
  if (typeof caFile === "string") flags["ca-file"] = caFile;
  if (insecure === true) flags.insecure = true;
  return flags;
}

const args = {
  source: {
    type: "positional",
    required: true,
    description:
      "Source: <ref>:<tag>[,<tag>...]|@<digest> (several tags: each is copied under its own name); - with --from-oci-layout is a layout tar on stdin",
  },
  destination: {
    type: "positional",
    required: true,
    description:
      "Destination: <ref>[:<tag>[,<tag>...]]; - with --to-oci-layout writes a layout tar to stdout",
  },
  "all-tags": {
    type: "boolean",
    description:
      "Copy every tag of the source repository or layout (the source then names no tag), each under its own name; referrers tags (sha256-<digest>) are left to -r",
  },
  recursive: {
    type: "boolean",
    alias: "r",
    description: "Also copy referrers (signatures), recursively",
  },
  concurrency: {
    type: "string",
    valueHint: INT_HINT,
    description: "Blobs and manifests copied at once (default: 3)",
  },
  platform: {
    type: "string",
    description: "Copy only this platform of an index: os/arch[/variant]",
  },
  "from-oci-layout": {
    type: "boolean",
    description: "The source is an OCI layout (directory or .tar)",
  },
  "to-oci-layout": {
    type: "boolean",
    description: "The destination is an OCI layout (directory or .tar)",
  },
  "plain-http": {
    type: "boolean",
    alias: "insecure-registry",
    description: "Use HTTP for both registries (default: only for localhost)",
  },
  username: { type: "string", alias: "u", description: "Registry user name (both registries)" },
  password: {
    type: "string",
    alias: "p",
    description: "Registry password, both registries (prefer --password-stdin)",
  },
  "password-stdin": { type: "boolean", description: "Read the registry password from stdin" },
  ...sideArgs("from", "source"),
  ...sideArgs("to", "destination"),
  "ca-file": {
    type: "string",
    description: "PEM file of CA certificates trusted for both registries",
  },
  insecure: {
    type: "boolean",
    description: "Do not verify the registries' TLS certificates (binary only)",
  },
  "to-referrers": {
    type: "enum",
    options: ["auto", "api", "tag"],
    default: "auto",
    description: "How the destination registry indexes referrers",
  },
  ...outputArgs,
} as const satisfies ArgsDef;

/** Splits `ref:tag1,tag2` into the reference with the first tag and all tags. */
export function splitDestinationTags(ref: string): { ref: string; tags: string[] } {
  if (ref.includes("@")) return { ref, tags: [] };
  const slash = ref.lastIndexOf("/");
  const colon = ref.lastIndexOf(":");
  if (colon <= slash) return { ref, tags: [] };
  const tags = ref.slice(colon + 1).split(",");
  if (tags.some((t) => t === "")) {
    throw new UsageError(`Empty tag in destination ${JSON.stringify(ref)}`);
  }
  return { ref: `${ref.slice(0, colon)}:${tags[0]}`, tags };
}

const PROMPT: Record<CopyProgress["phase"], string> = {
  exists: "Exists ",
  copying: "Copying",
  copied: "Copied ",
  skipped: "Skipped",
};

/**
 * Builds the `cp` command.
 * @param io The environment.
 * @returns The command.
 */
export function cpCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "cp",
      description: "Copy an image (with -r, its signatures too) between registries and OCI layouts",
      examples: [
        "# A registry image with its signatures into a layout directory (oras cp -r)",
        "ocisign cp -r localhost:5000/hello-world:v1 --to-oci-layout ./hello-world:v1",
        "# A layout to a registry, over plain HTTP",
        "ocisign cp -r --from-oci-layout ./hello-world:v1 --plain-http localhost:5000/hello-world:v1",
      ],
    },
    args,
    async run({ args }) {
      const concurrency = parsePositiveInt(args.concurrency, "concurrency", 3);
      const fromLayout = Boolean(args["from-oci-layout"]);
      const toLayout = Boolean(args["to-oci-layout"]);
      const dst = splitDestinationTags(args.destination);
      const allTags = Boolean(args["all-tags"]);
      const srcSplit = splitDestinationTags(args.source);
      const several = allTags || srcSplit.tags.length > 1;
      if (several && dst.tags.length > 0) {
        throw new UsageError(
          "With several source tags (or --all-tags) the destination names no tag: each tag is copied under its own name",
        );
      }
      if (allTags && srcSplit.tags.length > 0) {
        throw new UsageError("--all-tags copies every tag: name the source without a tag");
      }
      // On a terminal a row per node in flight with its bytes; in a log (not a terminal) one
      // line per finished node, as oras.
      const view = progressView(io, args.output === "json");
      // A pull into a layout directory hashes each blob on the hashing thread: it starts now,
      // and loads its modules while this thread opens both ends and fetches the manifest.
      if (toLayout && !fromLayout) startHashThread();
      const src = await openTarget(io, srcSplit.ref, {
        ociLayout: fromLayout,
        allowBare: allTags,
        readsLayers: true,
        flags: sideFlags(args, "from"),
      });
      let committed = false;
      let destination;
      // One source reference is resolved (a registry's `HEAD`) while the destination opens (a
      // new layout's files and their flushes), not after; its failure is still reported by the
      // copy, after the destination's. Stopped when the destination fails.
      const early = new AbortController();
      const resolved = several ? undefined : src.target.resolve(src.reference, {
        signal: AbortSignal.any([io.signal, early.signal]),
      });
      resolved?.catch(() => {});
      try {
        destination = await openTarget(io, dst.ref, {
          ociLayout: toLayout,
          create: true,
          allowBare: true,
          referrers: args["to-referrers"] as ReferrersMode,
          flags: sideFlags(args, "to"),
        });
        // A tar on stdout leaves only stderr for messages.
        const say = destination.stream?.toStdout ? io.stderr : io.stdout;
        const sourceTags = allTags
          ? await everyTag(src.target, args.source)
          : several
          ? srcSplit.tags
          : [src.reference];
        const label = (phase: CopyProgress["phase"], desc: Descriptor): string =>
          `${PROMPT[phase]} ${shortDigest(desc.digest)} ${
            desc.annotations?.["org.opencontainers.image.title"] ?? desc.mediaType
          }`;
        const onProgress = (e: CopyProgress): void => {
          if (e.phase === "copying") {
            view.bytes(e.desc.digest, label(e.phase, e.desc), 0, e.desc.size);
          } else if (e.phase === "copied" || e.phase === "exists") {
            view.finish(e.desc.digest, label(e.phase, e.desc));
          }
        };
        const onBytes = (desc: Descriptor, bytes: number): void =>
          view.bytes(desc.digest, label("copying", desc), bytes, desc.size);
        const copied: { tag: string; tags: string[]; root: Descriptor }[] = [];
        for (const tag of sourceTags) {
          const tags = several ? [tag] : dst.tags.length > 0 ? dst.tags : [src.reference];
          const root = await copy(src.target, tag, destination.target, tags, {
            referrers: Boolean(args.recursive),
            concurrency,
            signal: io.signal,
            ...(resolved ? { resolved } : {}),
            ...(args.platform ? { platform: args.platform } : {}),
            onProgress,
            ...(view.live ? { onBytes } : {}),
          });
          copied.push({ tag, tags, root });
        }
        view.close();
        await closeTarget(destination, true, io);
        committed = true;
        const kind = (layout: boolean) => (layout ? "oci-layout" : "registry");
        if (args.output === "json") {
          const one = (c: (typeof copied)[number]) => ({
            digest: c.root.digest,
            mediaType: c.root.mediaType,
            size: c.root.size,
            tags: c.tags,
          });
          const doc = several
            ? { source: args.source, destination: args.destination, copied: copied.map(one) }
            : { source: args.source, destination: args.destination, ...one(copied[0]!) };
          say(JSON.stringify(doc, null, 2) + "\n");
          return;
        }
        for (const c of copied) {
          const from = several ? `${srcSplit.ref.replace(/:[^:/]*$/, "")}:${c.tag}` : args.source;
          say(
            `Copied [${kind(fromLayout)}] ${from} => [${kind(toLayout)}] ${args.destination}\n`,
          );
          for (const t of c.tags.slice(1)) say(`Tagged ${t}\n`);
          say(`Digest: ${c.root.digest}\n`);
        }
      } finally {
        early.abort();
        view.close();
        await closeTarget(src, false);
        if (destination && !committed) await closeTarget(destination, false, io);
      }
    },
  });
}

/** Every tag of a source that can list them (a registry repository or a layout). */
async function everyTag(target: ReadOnlyGraphTarget, name: string): Promise<string[]> {
  const lister = target as Partial<TagLister>;
  if (typeof lister.tags !== "function") {
    throw new UsageError(`--all-tags: ${name} cannot list its tags`);
  }
  const tags: string[] = [];
  // Referrers tag-schema tags (sha256-<hex>) are indexes of signatures, not images: -r brings
  // what they index along with each image.
  for await (const t of lister.tags()) if (!/^sha256-[0-9a-f]{64}$/.test(t)) tags.push(t);
  if (tags.length === 0) throw new NotFoundError(`--all-tags: ${name} has no tags`);
  return tags;
}
