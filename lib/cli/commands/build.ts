/**
 * `ocisign build`: a Dockerfile into an OCI image layout (directory or tar), with no daemon and
 * no container runtime, reproducibly.
 *
 * @module
 */
import { defineCommand } from "../command.ts";
import type { ArgsDef, CommandDef } from "../command.ts";
import { buildImage } from "../../image_builder/build_image.ts";
import type { BaseResolver } from "../../image_builder/build_options.ts";
import { parseKeyValues, UsageError } from "../_args.ts";
import { repeatedFlag } from "../_repeated_flag.ts";
import { openLayout } from "../../layout/open_layout.ts";
import { closeTarget, openTarget } from "../_target.ts";
import type { OpenedTarget } from "../_target.ts";
import { absolutePath, joinPath } from "../config/config_dir.ts";
import type { CliIo } from "../io.ts";
import { writeJson } from "../output.ts";
import { progressView } from "../progress.ts";

const args = {
  context: { type: "positional", required: true, description: "The build context directory" },
  file: { type: "string", alias: "f", description: "The Dockerfile (default: CONTEXT/Dockerfile)" },
  tag: { type: "string", alias: "t", description: "name:tag to tag the image with (repeatable)" },
  output: {
    type: "string",
    alias: "o",
    required: true,
    description: "Output OCI layout: a directory, or a .tar file (as buildx -o type=oci)",
  },
  platform: { type: "string", description: "Target platforms: os/arch[/variant][,os/arch...]" },
  "build-arg": { type: "string", description: "K=V build argument (repeatable)" },
  label: { type: "string", description: "K=V label for the image (repeatable)" },
  timestamp: {
    type: "string",
    description:
      "Build time in epoch seconds for mtimes and 'created' (default: $SOURCE_DATE_EPOCH, else 0)",
  },
  "plain-http": { type: "boolean", description: "Pull base images over HTTP" },
  format: {
    type: "enum",
    options: ["text", "json"],
    default: "text",
    description: "Result format on stdout",
  },
} as const satisfies ArgsDef;

function parseTimestamp(value: string | undefined, source: string): number {
  if (value === undefined || value === "") return 0;
  if (!/^\d+$/.test(value)) {
    throw new UsageError(
      `${source} must be whole seconds since the epoch, got ${JSON.stringify(value)}`,
    );
  }
  return Number(value);
}

function baseResolver(
  io: CliIo,
  plainHttp: boolean | undefined,
  opened: OpenedTarget[],
): BaseResolver {
  return async (imageRef) => {
    const layout = imageRef.startsWith("oci-layout://");
    const ref = layout ? imageRef.slice("oci-layout://".length) : imageRef;
    const target = await openTarget(io, ref, {
      ociLayout: layout,
      allowBare: true,
      flags: plainHttp === undefined ? {} : { "plain-http": plainHttp },
    });
    opened.push(target);
    return { target: target.target, reference: target.reference };
  };
}

/**
 * Builds the `build` command.
 * @param io The environment.
 * @returns The command.
 */
export function buildCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "build",
      description: "Build a Dockerfile into an OCI layout, with no daemon",
      examples: [
        "# Build ./ into the layout directory ./hello-world, tagged v1",
        "ocisign build -t hello-world:v1 -o ./hello-world .",
        "# Into a layout tar, for two platforms, with a JSON result",
        "ocisign build -o hello-world.tar --platform linux/amd64,linux/arm64 --format json .",
      ],
    },
    args,
    async run({ args, rawArgs }) {
      if (args.output === "json" || args.output === "text") {
        throw new UsageError(
          `-o/--output names the output layout (as buildx's -o does), and "${args.output}" looks like a result format: use --format ${args.output} for the result, or -o ./${args.output} for a layout of that name`,
        );
      }
      const timestamp = args.timestamp !== undefined
        ? parseTimestamp(args.timestamp, "--timestamp")
        : parseTimestamp(io.env("SOURCE_DATE_EPOCH"), "SOURCE_DATE_EPOCH");
      const context = absolutePath(io.cwd, args.context);
      const dockerfile = args.file
        ? absolutePath(io.cwd, args.file)
        : joinPath(context, "Dockerfile");
      const tags = repeatedFlag(rawArgs, ["tag", "t"]);
      const outputPath = absolutePath(io.cwd, args.output);
      const dest = await openLayout(outputPath, io.fs, {
        hasher: io.hasher,
        autoSave: false,
        create: true,
      });
      // Large layers are spooled next to the output (same file system) while they are compressed.
      const spoolDir = await io.fs.makeTempDir(
        outputPath.slice(0, outputPath.lastIndexOf("/")) || "/",
        ".ocisign-build-",
      );
      const bases: OpenedTarget[] = [];
      let committed = false;
      // Each step stays as a line (a JSON line with --format json); on a terminal a row below it
      // counts the layer bytes written.
      const view = progressView(args.format === "json" ? { ...io, isTty: false } : io, false);
      let step = "";
      try {
        const result = await buildImage({
          context,
          dockerfile,
          fs: io.fs,
          output: dest,
          tags,
          buildArgs: parseKeyValues(rawArgs, ["build-arg"]),
          labels: parseKeyValues(rawArgs, ["label"]),
          timestamp,
          defaultPlatform: io.hostPlatform,
          hasher: io.hasher,
          spoolDir,
          fetch: io.fetch,
          resolveBase: baseResolver(io, args["plain-http"], bases),
          onStep: (line) => {
            view.finish(step, line);
            step = line;
          },
          ...(view.live
            ? { onProgress: (bytes: number) => view.bytes(step, "  layers written:", bytes) }
            : {}),
          signal: io.signal,
          ...(args.platform ? { platforms: args.platform.split(",") } : {}),
        });
        view.close();
        await dest.commit();
        committed = true;
        if (args.format === "json") {
          writeJson(io, { descriptor: result.descriptor, tags: result.tags, output: args.output });
          return;
        }
        io.stdout(`Built ${args.output}${result.tags.length ? `:${result.tags.join(",")}` : ""}\n`);
        io.stdout(`Digest: ${result.descriptor.digest}\n`);
      } finally {
        view.close();
        for (const b of bases) await closeTarget(b, false);
        if (!committed) {
          io.stderr("The build did not finish; the output layout was left as it was\n");
        }
        await dest.close();
        await io.fs.remove(spoolDir, { recursive: true });
      }
    },
  });
}
