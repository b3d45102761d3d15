/**
 * `ocisign cp`: copies an image (and with `-r` its referrers, recursively) between registries,
 * layout directories and layout tars, as `oras cp` does.
 *
 * @module
 */
import { defineCommand } from "npm:citty@0.2.2";
import type { ArgsDef, CommandDef } from "npm:citty@0.2.2";
import { copy } from "../../copy/copy.ts";
import type { CopyProgress } from "../../copy/copy_graph.ts";
import type { ReferrersMode } from "../../registry/repository.ts";
import { outputArgs, parsePositiveInt, UsageError } from "../_args.ts";
import { closeTarget, openTarget } from "../_target.ts";
import type { CliIo } from "../io.ts";
import { writeJson } from "../output.ts";

const args = {
  source: { type: "positional", required: true, description: "Source: <ref>:<tag>|@<digest>" },
  destination: {
    type: "positional",
    required: true,
    description: "Destination: <ref>[:<tag>[,<tag>...]]",
  },
  recursive: {
    type: "boolean",
    alias: "r",
    description: "Also copy referrers (signatures), recursively",
  },
  concurrency: { type: "string", description: "Blobs and manifests copied at once (default 3)" },
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
  "plain-http": { type: "boolean", description: "Use HTTP for both registries" },
  username: { type: "string", alias: "u", description: "Registry user name (both registries)" },
  "password-stdin": { type: "boolean", description: "Read the registry password from stdin" },
  "ca-file": {
    type: "string",
    description: "PEM file of CA certificates trusted for both registries",
  },
  insecure: {
    type: "boolean",
    description: "Do not verify the registries' TLS certificates (binary only)",
  },
  "from-plain-http": { type: "boolean", description: "Use HTTP for the source registry" },
  "to-plain-http": { type: "boolean", description: "Use HTTP for the destination registry" },
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

function shortDigest(digest: string): string {
  return digest.startsWith("sha256:") ? digest.slice(7, 19) : digest;
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
    },
    args,
    async run({ args }) {
      const concurrency = parsePositiveInt(args.concurrency, "concurrency", 3);
      const fromLayout = Boolean(args["from-oci-layout"]);
      const toLayout = Boolean(args["to-oci-layout"]);
      const dst = splitDestinationTags(args.destination);
      const connectionFlags = {
        ...(args.username
          ? { username: args.username, "password-stdin": Boolean(args["password-stdin"]) }
          : {}),
        ...(args["ca-file"] ? { "ca-file": args["ca-file"] } : {}),
        ...(args.insecure ? { insecure: true } : {}),
      };
      const src = await openTarget(io, args.source, {
        ociLayout: fromLayout,
        flags: {
          ...connectionFlags,
          "plain-http": Boolean(args["plain-http"] || args["from-plain-http"]),
        },
      });
      let committed = false;
      let destination;
      try {
        destination = await openTarget(io, dst.ref, {
          ociLayout: toLayout,
          create: true,
          allowBare: true,
          referrers: args["to-referrers"] as ReferrersMode,
          flags: {
            ...connectionFlags,
            "plain-http": Boolean(args["plain-http"] || args["to-plain-http"]),
          },
        });
        const tags = dst.tags.length > 0 ? dst.tags : [src.reference];
        const onProgress = io.isTty && args.output !== "json"
          ? (e: CopyProgress) => {
            const title = e.desc.annotations?.["org.opencontainers.image.title"] ??
              e.desc.mediaType;
            io.stderr(`${PROMPT[e.phase]} ${shortDigest(e.desc.digest)} ${title}\n`);
          }
          : undefined;
        const root = await copy(src.target, src.reference, destination.target, tags, {
          referrers: Boolean(args.recursive),
          concurrency,
          signal: io.signal,
          ...(args.platform ? { platform: args.platform } : {}),
          ...(onProgress ? { onProgress } : {}),
        });
        await closeTarget(destination, true);
        committed = true;
        const kind = (layout: boolean) => (layout ? "oci-layout" : "registry");
        if (args.output === "json") {
          writeJson(io, {
            source: args.source,
            destination: args.destination,
            digest: root.digest,
            mediaType: root.mediaType,
            size: root.size,
            tags,
          });
          return;
        }
        io.stdout(
          `Copied [${kind(fromLayout)}] ${args.source} => [${
            kind(toLayout)
          }] ${args.destination}\n`,
        );
        for (const t of tags.slice(1)) io.stdout(`Tagged ${t}\n`);
        io.stdout(`Digest: ${root.digest}\n`);
      } finally {
        await closeTarget(src, false);
        if (destination && !committed) await closeTarget(destination, false);
      }
    },
  });
}
