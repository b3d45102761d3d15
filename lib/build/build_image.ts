/**
 * `buildImage()`: a Dockerfile into a reproducible OCI image, with no daemon and no container
 * runtime. Instructions that only change the config, COPY/ADD and WORKDIR are carried out; RUN
 * (and anything else that needs a runtime) fails with the line number.
 *
 * @module
 */
import { utf8 } from "../_internal/bytes.ts";
import type { Fs } from "../content/fs.ts";
import type { ReadOnlyTarget, Target } from "../content/storage.ts";
import { digestBytes } from "../digest/digest_bytes.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import type { Descriptor, Platform } from "../oci/descriptor.ts";
import {
  MEDIA_TYPE_DOCKER_LAYER_GZIP,
  MEDIA_TYPE_OCI_CONFIG,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_LAYER_GZIP,
  MEDIA_TYPE_OCI_MANIFEST,
} from "../oci/media_types.ts";
import { AbortedError, BuildError, NotFoundError } from "../errors.ts";
import { pureHasherFactory } from "../digest/pure_hasher.ts";
import { downloadUrl, extractArchive, isUrlSource } from "./add_sources.ts";
import { loadBaseImage } from "./base_image.ts";
import { readContext } from "./build_context.ts";
import { resolveChown } from "./chown.ts";
import { applyConfigInstruction, CONFIG_INSTRUCTIONS } from "./config_instructions.ts";
import { matchSources, planCopy } from "./copy_planner.ts";
import { cleanPath, DockerIgnore } from "./dockerignore.ts";
import { parseDockerfile } from "./dockerfile_parser.ts";
import type { Dockerfile, Instruction } from "./dockerfile_parser.ts";
import { FileTree } from "./file_tree.ts";
import type { TreeNode } from "./file_tree.ts";
import { hasGlob } from "./glob.ts";
import { serializeImageConfig } from "./image_config.ts";
import type { ImageConfig } from "./image_config.ts";
import { writeLayer } from "./layer_writer.ts";
import { materializeNodes, readNodeBytes } from "./node_content.ts";
import { formatPlatform, parsePlatform } from "./platform.ts";
import { expandWord, expandWords, parseKeyValues } from "./shell_lexer.ts";
import { DEFAULT_PATH, Stage } from "./stage.ts";

/** What a {@linkcode BaseResolver} returns: a store and the reference (tag or digest) in it. */
export interface ResolvedBase {
  /** Where the image is. */
  target: ReadOnlyTarget;
  /** Tag or digest of the image in `target`. */
  reference: string;
}

/**
 * Finds a base image (`FROM` or `COPY --from`) by the reference written in the Dockerfile,
 * e.g. `alpine:3.20`, `localhost:5000/app@sha256:...` or `oci-layout://./base:v1`.
 */
export type BaseResolver = (
  imageRef: string,
  opts: { signal?: AbortSignal },
) => Promise<ResolvedBase>;

/** Options for {@linkcode buildImage}. */
export interface BuildImageOptions {
  /** The context directory, read through `fs`. */
  context: string;
  /**
   * The Dockerfile: its content when the string has a line break, otherwise its path as `fs`
   * takes it (default `<context>/Dockerfile`).
   */
  dockerfile?: string;
  /** File access. */
  fs: Fs;
  /** Where blobs, configs and manifests are pushed. */
  output: Target;
  /** Names to tag the result with (`name:tag`, `tag`); the tag part is applied to `output`. */
  tags?: string[];
  /** Target platforms (`linux/amd64`, ...); more than one gives an image index. */
  platforms?: (string | Platform)[];
  /** Platform when none is given and the base does not fix one (default `linux/amd64`). */
  defaultPlatform?: string | Platform;
  /** `--build-arg` values. */
  buildArgs?: Record<string, string>;
  /** Labels added to the final image's config. */
  labels?: Record<string, string>;
  /** Build time in seconds since the epoch: every file mtime and `created` (default 0). */
  timestamp?: number;
  /** The stage to build (default: the last). */
  target?: string;
  /** Resolves base images; without it only `scratch` and stages can be used. */
  resolveBase?: BaseResolver;
  /** Used by `ADD <url>`; without it ADD of a URL fails. */
  fetch?: typeof fetch;
  /** Incremental hashers (default: the pure-TypeScript one; pass the runtime's, it is faster). */
  hasher?: HasherFactory;
  /** Called with a one-line description of each step. */
  onStep?: (line: string) => void;
  /** Cancels the build. */
  signal?: AbortSignal;
}

/** One platform's image. */
export interface BuiltManifest {
  /** The manifest descriptor, with its platform. */
  descriptor: Descriptor;
  /** The config written. */
  config: ImageConfig;
}

/** What {@linkcode buildImage} returns. */
export interface BuildImageResult {
  /** The top-level descriptor: the manifest, or the index for several platforms. */
  descriptor: Descriptor;
  /** Each platform's manifest. */
  manifests: BuiltManifest[];
  /** The tags applied to `output`. */
  tags: string[];
}

interface StageDef {
  from: Instruction;
  body: Instruction[];
  name: string | undefined;
}

interface Shared {
  opts: BuildImageOptions;
  dockerfile: Dockerfile;
  globals: Instruction[];
  stages: StageDef[];
  hasher: HasherFactory;
  timestamp: number;
  created: string;
  defaultPlatform: Platform;
  context: () => Promise<FileTree>;
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError("The build was aborted");
}

function signalOpt(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal };
}

function joinPath(dir: string, name: string): string {
  return dir.endsWith("/") ? `${dir}${name}` : `${dir}/${name}`;
}

function toPlatform(p: string | Platform): Platform {
  return typeof p === "string" ? parsePlatform(p) : p;
}

/**
 * Turns a `-t` name into the tag applied in the output, as Docker reads names
 * (`hello-world:v1` → `v1`, `hello-world` and `localhost:5000/app` → `latest`).
 *
 * @example
 * ```ts
 * import { tagOf } from "./build_image.ts";
 * console.log(tagOf("hello-world:v1"), tagOf("localhost:5000/app"), tagOf("app")); // v1 latest latest
 * ```
 * @param name The name as given.
 * @returns The tag.
 * @throws {BuildError} ERR_BUILD when the tag is not a valid OCI tag.
 */
export function tagOf(name: string): string {
  const tail = name.slice(name.lastIndexOf("/") + 1).replace(/@.*$/, "");
  const colon = tail.lastIndexOf(":");
  const tag = colon === -1 ? "latest" : tail.slice(colon + 1);
  if (!/^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/.test(tag)) {
    throw new BuildError(`Invalid tag in ${JSON.stringify(name)}: use letters, digits, _ . -`);
  }
  return tag;
}

async function readDockerfileText(opts: BuildImageOptions): Promise<string> {
  if (opts.dockerfile !== undefined && /[\r\n]/.test(opts.dockerfile)) return opts.dockerfile;
  const path = opts.dockerfile ?? joinPath(opts.context, "Dockerfile");
  try {
    return new TextDecoder().decode(await opts.fs.readFile(path, { maxBytes: 4 * 1024 * 1024 }));
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new BuildError(`Cannot read the Dockerfile ${path}: not found; pass its path`, {
        cause: err,
      });
    }
    throw err;
  }
}

async function readOptionalText(fs: Fs, path: string): Promise<string> {
  try {
    return new TextDecoder().decode(await fs.readFile(path, { maxBytes: 1024 * 1024 }));
  } catch (err) {
    if (err instanceof NotFoundError) return "";
    throw err;
  }
}

/** Reads `<Dockerfile>.dockerignore` when present (as BuildKit does), else `.dockerignore`. */
async function readIgnoreFile(opts: BuildImageOptions): Promise<string> {
  const dockerfilePath = opts.dockerfile !== undefined && !/[\r\n]/.test(opts.dockerfile)
    ? opts.dockerfile
    : undefined;
  if (dockerfilePath !== undefined) {
    const st = await opts.fs.stat(`${dockerfilePath}.dockerignore`);
    if (st?.isFile) return await readOptionalText(opts.fs, `${dockerfilePath}.dockerignore`);
  }
  return await readOptionalText(opts.fs, joinPath(opts.context, ".dockerignore"));
}

function splitStages(df: Dockerfile): { globals: Instruction[]; stages: StageDef[] } {
  const globals: Instruction[] = [];
  const stages: StageDef[] = [];
  for (const instr of df.instructions) {
    if (instr.keyword === "FROM") {
      stages.push({ from: instr, body: [], name: undefined });
    } else if (stages.length === 0) {
      if (instr.keyword !== "ARG") {
        throw new BuildError(
          `Dockerfile line ${instr.line}: ${instr.keyword} before the first FROM; only ARG may come first`,
        );
      }
      globals.push(instr);
    } else stages[stages.length - 1]!.body.push(instr);
  }
  if (stages.length === 0) throw new BuildError("The Dockerfile has no FROM instruction");
  for (const stage of stages) {
    const m = /\s+as\s+(\S+)\s*$/i.exec(stage.from.args);
    if (m !== null) {
      const name = m[1]!.toLowerCase();
      if (!/^[a-z][a-z0-9._-]*$/.test(name)) {
        throw new BuildError(`Dockerfile line ${stage.from.line}: invalid stage name ${m[1]}`);
      }
      if (stages.some((s) => s.name === name)) {
        throw new BuildError(
          `Dockerfile line ${stage.from.line}: stage name ${m[1]} is used twice`,
        );
      }
      stage.name = name;
    }
  }
  return { globals, stages };
}

function predefinedArgs(target: Platform, build: Platform): Map<string, string> {
  return new Map([
    ["TARGETPLATFORM", formatPlatform(target)],
    ["TARGETOS", target.os],
    ["TARGETARCH", target.architecture],
    ["TARGETVARIANT", target.variant ?? ""],
    ["BUILDPLATFORM", formatPlatform(build)],
    ["BUILDOS", build.os],
    ["BUILDARCH", build.architecture],
    ["BUILDVARIANT", build.variant ?? ""],
  ]);
}

function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, "Z");
}

function flagValue(instr: Instruction, name: string): string | undefined {
  const flag = instr.flags.find((f) => f.name === name);
  if (flag !== undefined && flag.value === undefined) {
    throw new BuildError(`Dockerfile line ${instr.line}: --${name} needs a value`);
  }
  return flag?.value;
}

class PlatformBuild {
  #shared: Shared;
  #platform: Platform | undefined;
  #meta: Map<string, string>;
  #stages = new Map<number, Promise<Stage>>();

  constructor(shared: Shared, platform: Platform | undefined) {
    this.#shared = shared;
    this.#platform = platform;
    this.#meta = predefinedArgs(platform ?? shared.defaultPlatform, shared.defaultPlatform);
    const escape = shared.dockerfile.escape;
    const buildArgs = shared.opts.buildArgs ?? {};
    for (const instr of shared.globals) {
      const pairs = parseKeyValues(instr.args, (n) => this.#meta.get(n), {
        escape,
        allowBare: true,
      });
      for (const [name, value] of pairs) {
        const chosen = Object.hasOwn(buildArgs, name) ? buildArgs[name] : value;
        if (chosen !== undefined) this.#meta.set(name, chosen);
        else this.#meta.delete(name);
      }
    }
  }

  stage(index: number): Promise<Stage> {
    let pending = this.#stages.get(index);
    if (pending === undefined) {
      pending = this.#run(index);
      this.#stages.set(index, pending);
    }
    return pending;
  }

  #step(instr: Instruction, stage: number): void {
    const where = this.#platform ? `[${formatPlatform(this.#platform)}] ` : "";
    this.#shared.opts.onStep?.(`${where}stage ${stage}, line ${instr.line}: ${instr.original}`);
  }

  #stageIndexByName(name: string, before: number): number | undefined {
    const lower = name.toLowerCase();
    const byName = this.#shared.stages.findIndex((s, i) => i < before && s.name === lower);
    if (byName !== -1) return byName;
    if (/^\d+$/.test(name) && parseInt(name, 10) < before) return parseInt(name, 10);
    return undefined;
  }

  async #resolve(
    ref: string,
    line: number,
  ): Promise<{ target: ReadOnlyTarget; reference: string }> {
    const resolver = this.#shared.opts.resolveBase;
    if (resolver === undefined) {
      throw new BuildError(
        `Dockerfile line ${line}: cannot use image ${ref}: no base-image resolver was given`,
      );
    }
    return await resolver(ref, signalOpt(this.#shared.opts.signal));
  }

  async #imageStage(
    index: number,
    name: string | undefined,
    ref: string,
    line: number,
    platform: Platform | undefined,
  ): Promise<Stage> {
    const { target, reference } = await this.#resolve(ref, line);
    const loadOpts: Parameters<typeof loadBaseImage>[2] = {
      defaultPlatform: this.#shared.defaultPlatform,
      ...signalOpt(this.#shared.opts.signal),
    };
    if (platform !== undefined) loadOpts.platform = platform;
    const base = await loadBaseImage(target, reference, loadOpts);
    const cfg = base.config;
    const stagePlatform: Platform = { os: cfg.os, architecture: cfg.architecture };
    if (cfg.variant !== undefined) stagePlatform.variant = cfg.variant;
    const stage = new Stage(index, name, stagePlatform, structuredClone(cfg), this.#shared.hasher);
    base.layers.forEach((layer, i) => stage.addBaseLayer(layer, cfg.rootfs.diff_ids[i]!));
    return stage;
  }

  async #run(index: number): Promise<Stage> {
    const shared = this.#shared;
    const def = shared.stages[index]!;
    const escape = shared.dockerfile.escape;
    const meta = (n: string): string | undefined => this.#meta.get(n);
    this.#step(def.from, index);
    const platformFlag = flagValue(def.from, "platform");
    const fromPlatform = platformFlag === undefined
      ? this.#platform
      : parsePlatform(expandWord(platformFlag, meta, escape));
    const words = expandWords(def.from.args, meta, escape);
    if (words.length !== 1 && !(words.length === 3 && words[1]!.toLowerCase() === "as")) {
      throw new BuildError(
        `Dockerfile line ${def.from.line}: FROM takes an image and an optional AS name`,
      );
    }
    const image = words[0]!;
    const parent = this.#stageIndexByName(image, index);
    let stage: Stage;
    if (parent !== undefined && !/^\d+$/.test(image)) {
      stage = (await this.stage(parent)).derive(index, def.name);
    } else if (image.toLowerCase() === "scratch") {
      const p = fromPlatform ?? shared.defaultPlatform;
      const config: ImageConfig = {
        architecture: p.architecture,
        os: p.os,
        config: p.os === "linux" ? { Env: [`PATH=${DEFAULT_PATH}`] } : {},
        rootfs: { type: "layers", diff_ids: [] },
        history: [],
      };
      if (p.variant !== undefined) config.variant = p.variant;
      stage = new Stage(index, def.name, p, config, shared.hasher);
    } else {
      stage = await this.#imageStage(index, def.name, image, def.from.line, fromPlatform);
    }
    const triggers = stage.container.OnBuild ?? [];
    delete stage.container.OnBuild;
    for (const trigger of triggers) {
      await this.#dispatch(stage, parseTrigger(trigger, def.from.line));
    }
    for (const instr of def.body) await this.#dispatch(stage, instr);
    return stage;
  }

  async #dispatch(stage: Stage, instr: Instruction): Promise<void> {
    const shared = this.#shared;
    checkAbort(shared.opts.signal);
    this.#step(instr, stage.index);
    const escape = shared.dockerfile.escape;
    switch (instr.keyword) {
      case "RUN":
        throw new BuildError(
          `Dockerfile line ${instr.line}: RUN needs a container runtime, and ocisign builds without one; do that work in a base image or before the build`,
          { details: { line: instr.line, instruction: "RUN" } },
        );
      case "ARG": {
        const buildArgs = shared.opts.buildArgs ?? {};
        const pairs = parseKeyValues(instr.args, (n) => stage.lookup(n), {
          escape,
          allowBare: true,
        });
        for (const [name, value] of pairs) {
          const chosen = Object.hasOwn(buildArgs, name)
            ? buildArgs[name]
            : value ?? this.#meta.get(name);
          if (chosen !== undefined) stage.args.set(name, chosen);
        }
        return;
      }
      case "WORKDIR":
        return await this.#workdir(stage, instr);
      case "COPY":
      case "ADD":
        return await this.#copy(stage, instr);
      default: {
        if (!CONFIG_INSTRUCTIONS.has(instr.keyword)) {
          throw new BuildError(
            `Dockerfile line ${instr.line}: ${instr.keyword} is not allowed here`,
          );
        }
        const createdBy = applyConfigInstruction(stage, instr, escape);
        stage.history.push({ created: shared.created, created_by: createdBy, empty_layer: true });
      }
    }
  }

  async #addLayer(stage: Stage, nodes: TreeNode[], createdBy: string): Promise<void> {
    const shared = this.#shared;
    const ready = await materializeNodes(nodes, shared.opts.signal);
    const written = await writeLayer(ready, {
      output: shared.opts.output,
      hasher: shared.hasher,
      timestamp: shared.timestamp,
      ...signalOpt(shared.opts.signal),
    });
    stage.addBuiltLayer(
      { descriptor: written.descriptor, target: shared.opts.output },
      written.diffId,
      ready,
    );
    stage.history.push({ created: shared.created, created_by: createdBy });
  }

  async #workdir(stage: Stage, instr: Instruction): Promise<void> {
    const shared = this.#shared;
    const raw = expandWord(instr.args.trim(), (n) => stage.lookup(n), shared.dockerfile.escape);
    if (raw === "") throw new BuildError(`Dockerfile line ${instr.line}: WORKDIR needs a path`);
    const abs = raw.startsWith("/") ? raw : joinPath(stage.container.WorkingDir || "/", raw);
    const rel = cleanPath(abs);
    stage.container.WorkingDir = rel === "." ? "/" : `/${rel}`;
    const createdBy = `WORKDIR ${stage.container.WorkingDir}`;
    if (rel === ".") {
      stage.history.push({ created: shared.created, created_by: createdBy, empty_layer: true });
      return;
    }
    const tree = await stage.tree(shared.opts.signal);
    const resolved = tree.resolve(rel, true);
    const nodes: TreeNode[] = [];
    const parts = resolved.split("/");
    for (let i = 1; i <= parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      const node = tree.get(dir);
      if (node === undefined) {
        nodes.push({ path: dir, type: "directory", mode: 0o755, uid: 0, gid: 0, size: 0 });
      } else if (node.type !== "directory") {
        throw new BuildError(
          `Dockerfile line ${instr.line}: WORKDIR ${raw}: /${dir} exists and is not a directory`,
        );
      }
    }
    if (nodes.length === 0) {
      stage.history.push({ created: shared.created, created_by: createdBy, empty_layer: true });
      return;
    }
    await this.#addLayer(stage, nodes, createdBy);
  }

  async #sourceTree(
    stage: Stage,
    instr: Instruction,
    from: string | undefined,
  ): Promise<{ tree: FileTree; name: string }> {
    const shared = this.#shared;
    if (from === undefined) return { tree: await shared.context(), name: "build context" };
    const lookup = (n: string): string | undefined => stage.lookup(n);
    const ref = expandWord(from, lookup, shared.dockerfile.escape);
    const index = this.#stageIndexByName(ref, stage.index);
    if (index !== undefined) {
      const source = await this.stage(index);
      return { tree: await source.tree(shared.opts.signal), name: `stage ${ref}` };
    }
    if (shared.stages.some((s) => s.name === ref.toLowerCase())) {
      throw new BuildError(
        `Dockerfile line ${instr.line}: --from=${ref} names a later stage; stages can only copy from earlier ones`,
      );
    }
    const image = await this.#imageStage(-1, undefined, ref, instr.line, this.#platform);
    return { tree: await image.tree(shared.opts.signal), name: `image ${ref}` };
  }

  async #copy(stage: Stage, instr: Instruction): Promise<void> {
    const shared = this.#shared;
    const isAdd = instr.keyword === "ADD";
    const escape = shared.dockerfile.escape;
    const allowed = isAdd
      ? ["from", "chown", "chmod", "link", "checksum"]
      : ["from", "chown", "chmod", "link"];
    for (const flag of instr.flags) {
      if (!allowed.includes(flag.name)) {
        throw new BuildError(
          `Dockerfile line ${instr.line}: ${instr.keyword} --${flag.name} is not supported by ocisign`,
        );
      }
    }
    const lookup = (n: string): string | undefined => stage.lookup(n);
    const words = instr.json !== undefined
      ? instr.json.map((w) => expandWord(w, lookup, escape))
      : expandWords(instr.args, lookup, escape);
    if (words.length < 2) {
      throw new BuildError(
        `Dockerfile line ${instr.line}: ${instr.keyword} needs at least one source and a destination`,
      );
    }
    const dest = words[words.length - 1]!;
    const sources = words.slice(0, -1);
    const destIsDir = dest.endsWith("/") || sources.length > 1 || sources.some((s) => hasGlob(s));
    const destAbs = dest.startsWith("/") ? dest : joinPath(stage.container.WorkingDir || "/", dest);
    const chmodRaw = flagValue(instr, "chmod");
    let chmod: number | undefined;
    if (chmodRaw !== undefined) {
      const text = expandWord(chmodRaw, lookup, escape);
      if (!/^[0-7]{3,4}$/.test(text)) {
        throw new BuildError(
          `Dockerfile line ${instr.line}: --chmod=${text} must be octal, e.g. 0755`,
        );
      }
      chmod = parseInt(text, 8);
    }
    const tree = await stage.tree(shared.opts.signal);
    const chownRaw = flagValue(instr, "chown");
    let chown: { uid: number; gid: number } | undefined;
    if (chownRaw !== undefined) {
      chown = await resolveChown(expandWord(chownRaw, lookup, escape), async (path) => {
        const node = tree.get(tree.resolve(path, true));
        return node?.type === "file" ? await readNodeBytes(node, shared.opts.signal) : undefined;
      }, instr.line);
    }
    const checksum = flagValue(instr, "checksum");
    if (checksum !== undefined && !sources.every(isUrlSource)) {
      throw new BuildError(
        `Dockerfile line ${instr.line}: ADD --checksum only applies to URL sources`,
      );
    }
    const needsSource = !isAdd || !sources.every(isUrlSource);
    const { tree: sourceTree, name } = needsSource
      ? await this.#sourceTree(stage, instr, flagValue(instr, "from"))
      : { tree: new FileTree(), name: "URL sources" };
    const base = { dest: destAbs, destIsDir, stage: tree, line: instr.line };
    const extra = { ...(chown ? { chown } : {}), ...(chmod !== undefined ? { chmod } : {}) };
    const out = new Map<string, TreeNode>();
    const add = (nodes: TreeNode[]): void => {
      for (const n of nodes) out.set(n.path, n);
    };
    const plain: string[] = [];
    for (const src of sources) {
      if (isAdd && isUrlSource(src)) {
        const node = await downloadUrl(src, {
          line: instr.line,
          ...(shared.opts.fetch ? { fetch: shared.opts.fetch } : {}),
          ...(checksum ? { checksum } : {}),
          ...signalOpt(shared.opts.signal),
        });
        const single = new FileTree();
        single.apply(node);
        add(planCopy({ ...base, ...extra, source: single, sources: [node.path], sourceName: src }));
        continue;
      }
      if (!isAdd) {
        plain.push(src);
        continue;
      }
      for (const match of matchSources(sourceTree, src, instr.line, name)) {
        const archive = await extractArchive(match, instr.line, shared.opts.signal);
        if (archive === undefined) {
          plain.push(match.path === "" ? "." : match.path.replace(/[*?[\\]/g, "\\$&"));
          continue;
        }
        add(planCopy({
          ...base,
          ...extra,
          destIsDir: true,
          source: archive,
          sources: ["."],
          sourceName: `archive ${match.path}`,
        }));
      }
    }
    if (plain.length > 0) {
      add(planCopy({ ...base, ...extra, source: sourceTree, sources: plain, sourceName: name }));
    }
    const createdBy = `${instr.keyword} ${
      instr.flags.map((f) => `--${f.name}${f.value !== undefined ? `=${f.value}` : ""} `).join("")
    }${words.join(" ")} # ocisign`;
    await this.#addLayer(stage, [...out.values()], createdBy);
  }
}

function parseTrigger(trigger: string, line: number): Instruction {
  const df = parseDockerfile(`${trigger}\n`);
  const instr = df.instructions[0];
  if (instr === undefined || df.instructions.length !== 1) {
    throw new BuildError(
      `Dockerfile line ${line}: the base image has an invalid ONBUILD trigger ${
        JSON.stringify(trigger)
      }`,
    );
  }
  return { ...instr, line };
}

function mapLayerMediaType(desc: Descriptor): Descriptor {
  const mediaType = desc.mediaType === MEDIA_TYPE_DOCKER_LAYER_GZIP
    ? MEDIA_TYPE_OCI_LAYER_GZIP
    : desc.mediaType;
  const out: Descriptor = { mediaType, digest: desc.digest, size: desc.size };
  if (desc.annotations !== undefined) out.annotations = desc.annotations;
  return out;
}

async function pushBytes(
  output: Target,
  mediaType: string,
  bytes: Uint8Array,
  signal?: AbortSignal,
): Promise<Descriptor> {
  const desc: Descriptor = { mediaType, digest: await digestBytes(bytes), size: bytes.length };
  if (!(await output.exists(desc, signalOpt(signal)))) {
    await output.push(desc, bytes, signalOpt(signal));
  }
  return desc;
}

async function finishImage(shared: Shared, stage: Stage): Promise<BuiltManifest> {
  const { output, signal } = shared.opts;
  const container = structuredClone(stage.container);
  if (shared.opts.labels !== undefined) {
    container.Labels = { ...container.Labels, ...shared.opts.labels };
  }
  const config: ImageConfig = {
    created: shared.created,
    architecture: stage.platform.architecture,
    os: stage.platform.os,
    config: container,
    rootfs: { type: "layers", diff_ids: stage.layers.map((l) => l.diffId) },
    history: stage.history,
  };
  if (stage.config.author !== undefined) config.author = stage.config.author;
  if (stage.platform.variant !== undefined) config.variant = stage.platform.variant;
  if (stage.config["os.version"] !== undefined) config["os.version"] = stage.config["os.version"];
  const layers: Descriptor[] = [];
  for (const layer of stage.layers) {
    checkAbort(signal);
    const desc = mapLayerMediaType(layer.source.descriptor);
    if (!layer.built && !(await output.exists(desc, signalOpt(signal)))) {
      const body = await layer.source.target.fetch(layer.source.descriptor, signalOpt(signal));
      await output.push(desc, body, signalOpt(signal));
    }
    layers.push(desc);
  }
  const configDesc = await pushBytes(
    output,
    MEDIA_TYPE_OCI_CONFIG,
    serializeImageConfig(config),
    signal,
  );
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_OCI_MANIFEST,
    config: configDesc,
    layers,
  };
  const manifestDesc = await pushBytes(
    output,
    MEDIA_TYPE_OCI_MANIFEST,
    utf8(JSON.stringify(manifest)),
    signal,
  );
  const platform: Platform = { architecture: config.architecture, os: config.os };
  if (config.variant !== undefined) platform.variant = config.variant;
  return { descriptor: { ...manifestDesc, platform }, config };
}

/**
 * Builds a Dockerfile into an OCI image in `output`, with no daemon and no container runtime.
 * The same inputs give the same digests on every runtime: layers are deterministic tars gzipped
 * with a pure-JS deflate, every time is the build `timestamp`.
 *
 * @example
 * ```ts ignore
 * import { buildImage } from "./build_image.ts";
 * const result = await buildImage({
 *   context: "./app", fs: nodeFs, output: layout, tags: ["hello-world:v1"],
 *   timestamp: 0, hasher: nodeHasherFactory,
 * });
 * console.log(result.descriptor.digest);
 * ```
 * @param opts Context, Dockerfile, output, platforms and the injected I/O.
 * @returns The top-level descriptor, the per-platform manifests and the tags applied.
 * @throws {BuildError} ERR_BUILD with the Dockerfile line for RUN, invalid instructions, missing
 * sources and anything else that cannot be built.
 * @throws {AbortedError} ERR_ABORTED when `signal` fires.
 */
export async function buildImage(opts: BuildImageOptions): Promise<BuildImageResult> {
  const timestamp = opts.timestamp ?? 0;
  if (!Number.isSafeInteger(timestamp) || timestamp < 0 || timestamp > 253402300799) {
    throw new RangeError(
      `Cannot build: timestamp ${timestamp} must be whole seconds between 1970 and 9999`,
    );
  }
  const tags = (opts.tags ?? []).map(tagOf);
  checkAbort(opts.signal);
  const dockerfile = parseDockerfile(await readDockerfileText(opts));
  const { globals, stages } = splitStages(dockerfile);
  let contextTree: Promise<FileTree> | undefined;
  const shared: Shared = {
    opts,
    dockerfile,
    globals,
    stages,
    hasher: opts.hasher ?? pureHasherFactory,
    timestamp,
    created: isoSeconds(timestamp),
    defaultPlatform: toPlatform(opts.defaultPlatform ?? "linux/amd64"),
    context: () => {
      contextTree ??= readIgnoreFile(opts).then((text) =>
        readContext(opts.fs, opts.context, new DockerIgnore(text), signalOpt(opts.signal))
      );
      return contextTree;
    },
  };
  let targetIndex = stages.length - 1;
  if (opts.target !== undefined) {
    targetIndex = stages.findIndex((s) => s.name === opts.target!.toLowerCase());
    if (targetIndex === -1) {
      throw new BuildError(`There is no stage named ${opts.target} in the Dockerfile`);
    }
  }
  const platforms = (opts.platforms ?? []).map(toPlatform);
  const manifests: BuiltManifest[] = [];
  for (const platform of platforms.length > 0 ? platforms : [undefined]) {
    const run = new PlatformBuild(shared, platform);
    manifests.push(await finishImage(shared, await run.stage(targetIndex)));
  }
  let descriptor: Descriptor;
  if (platforms.length > 1) {
    const seen = new Set(manifests.map((m) => formatPlatform(m.descriptor.platform!)));
    if (seen.size !== manifests.length) {
      throw new BuildError(
        "Two platforms produced images for the same platform; list each platform once",
      );
    }
    const index = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPE_OCI_INDEX,
      manifests: manifests.map((m) => m.descriptor),
    };
    descriptor = await pushBytes(
      opts.output,
      MEDIA_TYPE_OCI_INDEX,
      utf8(JSON.stringify(index)),
      opts.signal,
    );
  } else {
    const { platform: _platform, ...plain } = manifests[0]!.descriptor;
    descriptor = plain;
  }
  for (const tag of tags) await opts.output.tag(descriptor, tag, signalOpt(opts.signal));
  return { descriptor, manifests, tags };
}
