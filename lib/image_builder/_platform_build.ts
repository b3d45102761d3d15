/**
 * One platform's run of a Dockerfile: global ARGs, stages built on demand (so unused stages
 * cost nothing), and every instruction dispatched. Not public.
 *
 * @module
 */
import type { ReadOnlyTarget } from "../content/storage.ts";
import type { Platform } from "../oci/descriptor.ts";
import { checkAbort, flagValue, joinPath, signalOpt } from "./_build_shared.ts";
import type { Shared } from "./_build_shared.ts";
import { atLine, DockerfileLineError } from "../dockerfile/line_error.ts";
import { downloadUrl } from "./add_download.ts";
import { extractArchive, isUrlSource } from "./add_sources.ts";
import { loadBaseImage } from "./base_image.ts";
import { resolveChown } from "./chown.ts";
import { applyConfigInstruction, CONFIG_INSTRUCTIONS } from "./config_instructions.ts";
import { ContentSpool } from "./content_spool.ts";
import { COPY_FLAGS, copyFlagOptions, matchSources, planCopy } from "./copy_planner.ts";
import { cleanPath } from "../dockerfile/dockerignore.ts";
import { parseDockerfile } from "../dockerfile/dockerfile_parser.ts";
import type { Instruction } from "../dockerfile/dockerfile_parser.ts";
import { copyArguments } from "./copy_arguments.ts";
import { FileTree } from "./file_tree.ts";
import type { LayerSource, TreeNode } from "./file_tree.ts";
import { hasGlob } from "../dockerfile/glob.ts";
import type { ImageConfig } from "./image_config.ts";
import { writeLayer } from "./layer_writer.ts";
import type { WrittenLayer } from "./layer_writer.ts";
import { materializeNodes, readNodeBytes } from "./node_content.ts";
import { formatPlatform, parsePlatform } from "../oci/platform.ts";
import { expandWord, expandWords, parseKeyValues } from "../dockerfile/shell_lexer.ts";
import { DEFAULT_PATH, Stage } from "./stage.ts";

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

/** Largest stage file read into memory (`/etc/passwd` and `/etc/group` for `--chown`). */
const MAX_STAGE_FILE_BYTES = 4 * 1024 * 1024;

/** Whether a node's content stays readable after its instruction (else the stage reads the new
 * layer for it). */
function keepsContent(node: TreeNode): boolean {
  const c = node.content;
  return node.type !== "file" || c === undefined || (c.kind === "stream" && !c.temporary);
}

/** A layer being written: its nodes stay readable from its spool until it is in its stage. */
interface LayerInFlight {
  nodes: TreeNode[];
  spool: ContentSpool;
  outcome: Promise<WrittenLayer>;
  written?: WrittenLayer;
}

/**
 * Builds the stages of a Dockerfile for one platform. A stage's instructions run one after
 * another, but each layer is written (compressed) while the next instructions run, a few at once;
 * the layers join their stage in instruction order, and a stage is done once all of its are.
 */
export class PlatformBuild {
  #shared: Shared;
  #platform: Platform | undefined;
  #meta: Map<string, string>;
  #stages = new Map<number, Promise<Stage>>();
  #inFlight = new Map<Stage, LayerInFlight[]>();
  #spools = new Set<ContentSpool>();

  /**
   * Evaluates the global ARGs for a platform.
   * @param shared The build's shared state.
   * @param platform The target platform, when one was given.
   */
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

  /**
   * Builds a stage once (later calls share the result).
   * @param index Stage index.
   * @returns The finished stage.
   */
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
      throw new DockerfileLineError(
        line,
        `cannot use image ${ref}: no base-image resolver was given`,
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
      throw new DockerfileLineError(def.from.line, `FROM takes an image and an optional AS name`);
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
    await this.#settle(stage, true);
    return stage;
  }

  /** Removes the temporary contents still kept (call it once the build is over, even failed). */
  async close(): Promise<void> {
    for (const spool of this.#spools) await spool.dispose();
    this.#spools.clear();
  }

  /**
   * Adds the stage's written layers, in order, from the first: the ones already written, or, with
   * `all`, every one (waiting for them).
   */
  async #settle(stage: Stage, all: boolean): Promise<void> {
    const queue = this.#inFlight.get(stage) ?? [];
    while (queue.length > 0 && (all || queue[0]!.written !== undefined)) {
      const head = queue[0]!;
      const written = await head.outcome.catch((error) => {
        this.#shared.writes.check();
        throw error;
      });
      queue.shift();
      const layer: LayerSource = {
        descriptor: written.descriptor,
        target: this.#shared.opts.output,
      };
      // Spooled and in-memory contents do not outlive their layer's write: later readers (COPY
      // --from this stage) take them out of the layer.
      const kept = head.nodes.map((node): TreeNode =>
        keepsContent(node) ? node : {
          ...node,
          content: { kind: "layer", layer, path: written.contentPaths.get(node.path)! },
        }
      );
      stage.addBuiltLayer(layer, written.diffId, head.nodes, kept);
      this.#spools.delete(head.spool);
      await head.spool.dispose();
    }
  }

  async #dispatch(stage: Stage, instr: Instruction): Promise<void> {
    const shared = this.#shared;
    checkAbort(shared.opts.signal);
    shared.writes.check();
    await this.#settle(stage, false);
    this.#step(instr, stage.index);
    const escape = shared.dockerfile.escape;
    switch (instr.keyword) {
      case "RUN":
        throw new DockerfileLineError(
          instr.line,
          `RUN needs a container runtime, and ocisign builds without one; do that work in a base image or before the build`,
          { details: { line: instr.line, instruction: "RUN" } },
        );
      case "ARG": {
        const buildArgs = shared.opts.buildArgs ?? {};
        const pairs = atLine(
          instr,
          () => parseKeyValues(instr.args, (n) => stage.lookup(n), { escape, allowBare: true }),
        );
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
          throw new DockerfileLineError(instr.line, `${instr.keyword} is not allowed here`);
        }
        const createdBy = applyConfigInstruction(stage, instr, escape);
        stage.history.push({ created: shared.created, created_by: createdBy, empty_layer: true });
      }
    }
  }

  /** Runs `fn` with a fresh spool for one instruction's contents, removed once its layer is in
   * the stage (or by {@linkcode close}). */
  async #withSpool<T>(fn: (spool: ContentSpool) => Promise<T>): Promise<T> {
    const { fs, spoolDir, signal } = this.#shared.opts;
    const spool = new ContentSpool({
      ...(spoolDir ? { spool: { fs, dir: spoolDir } } : {}),
      ...signalOpt(signal),
    });
    this.#spools.add(spool);
    return await fn(spool);
  }

  /** Starts writing one instruction's layer (once a write slot is free). */
  async #addLayer(
    stage: Stage,
    nodes: TreeNode[],
    createdBy: string,
    spool: ContentSpool,
  ): Promise<void> {
    const shared = this.#shared;
    const { writes, opts } = shared;
    const ready = await materializeNodes(nodes, spool, writes.signal);
    stage.addBuiltNodes(ready);
    stage.history.push({ created: shared.created, created_by: createdBy });
    const { outcome } = await writes.start((signal) =>
      writeLayer(ready, {
        output: opts.output,
        hasher: shared.hasher,
        timestamp: shared.timestamp,
        ...(opts.spoolDir ? { spool: { fs: opts.fs, dir: opts.spoolDir } } : {}),
        ...(opts.onProgress ? { onProgress: writes.progress(opts.onProgress) } : {}),
        signal,
      })
    );
    const entry: LayerInFlight = { nodes: ready, spool, outcome };
    outcome.then((written) => {
      entry.written = written;
    }, () => {});
    const queue = this.#inFlight.get(stage) ?? [];
    queue.push(entry);
    this.#inFlight.set(stage, queue);
  }

  async #workdir(stage: Stage, instr: Instruction): Promise<void> {
    const shared = this.#shared;
    const raw = atLine(
      instr,
      () => expandWord(instr.args.trim(), (n) => stage.lookup(n), shared.dockerfile.escape),
    );
    if (raw === "") throw new DockerfileLineError(instr.line, `WORKDIR needs a path`);
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
        throw new DockerfileLineError(
          instr.line,
          `WORKDIR ${raw}: /${dir} exists and is not a directory`,
        );
      }
    }
    if (nodes.length === 0) {
      stage.history.push({ created: shared.created, created_by: createdBy, empty_layer: true });
      return;
    }
    await this.#withSpool((spool) => this.#addLayer(stage, nodes, createdBy, spool));
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
      throw new DockerfileLineError(
        instr.line,
        `--from=${ref} names a later stage; stages can only copy from earlier ones`,
      );
    }
    const image = await this.#imageStage(-1, undefined, ref, instr.line, this.#platform);
    return { tree: await image.tree(shared.opts.signal), name: `image ${ref}` };
  }

  async #copy(stage: Stage, instr: Instruction): Promise<void> {
    const shared = this.#shared;
    const isAdd = instr.keyword === "ADD";
    const escape = shared.dockerfile.escape;
    const allowed = COPY_FLAGS[isAdd ? "ADD" : "COPY"];
    for (const flag of instr.flags) {
      if (!allowed.includes(flag.name)) {
        throw new DockerfileLineError(
          instr.line,
          `${instr.keyword} --${flag.name} is not supported by ocisign`,
        );
      }
    }
    const lookup = (n: string): string | undefined => stage.lookup(n);
    const { sources, dest, inline } = copyArguments(instr, lookup, escape);
    const words = [...sources, ...inline.map((n) => `<<${n.path}`), dest];
    const destIsDir = dest.endsWith("/") || words.length > 2 || sources.some((s) => hasGlob(s));
    const destAbs = dest.startsWith("/") ? dest : joinPath(stage.container.WorkingDir || "/", dest);
    const flagOpts = copyFlagOptions(instr, (w) => expandWord(w, lookup, escape));
    const tree = await stage.tree(shared.opts.signal);
    const chownRaw = flagValue(instr, "chown");
    let chown: { uid: number; gid: number } | undefined;
    if (chownRaw !== undefined) {
      chown = await resolveChown(expandWord(chownRaw, lookup, escape), async (path) => {
        const node = tree.get(tree.resolve(path, true));
        return node?.type === "file"
          ? await readNodeBytes(node, MAX_STAGE_FILE_BYTES, shared.opts.signal)
          : undefined;
      }, instr.line);
    }
    const checksum = flagValue(instr, "checksum");
    if (checksum !== undefined && !sources.every(isUrlSource)) {
      throw new DockerfileLineError(instr.line, `ADD --checksum only applies to URL sources`);
    }
    const needsSource = sources.length > 0 && (!isAdd || !sources.every(isUrlSource));
    const { tree: sourceTree, name } = needsSource
      ? await this.#sourceTree(stage, instr, flagValue(instr, "from"))
      : { tree: new FileTree(), name: "URL sources" };
    const base = { dest: destAbs, destIsDir, stage: tree, line: instr.line };
    const extra = {
      ...(chown ? { chown } : {}),
      ...(flagOpts.chmod !== undefined ? { chmod: flagOpts.chmod } : {}),
    };
    const createdBy = `${instr.keyword} ${
      instr.flags.map((f) => `--${f.name}${f.value !== undefined ? `=${f.value}` : ""} `).join("")
    }${words.join(" ")} # ocisign`;
    await this.#withSpool(async (spool) => {
      const out = new Map<string, TreeNode>();
      const add = (nodes: TreeNode[]): void => {
        for (const n of nodes) out.set(n.path, n);
      };
      const plain: string[] = [];
      for (const src of sources) {
        if (isAdd && isUrlSource(src)) {
          const node = await downloadUrl(src, {
            line: instr.line,
            spool,
            hasher: shared.hasher,
            ...(shared.opts.fetch ? { fetch: shared.opts.fetch } : {}),
            ...(checksum ? { checksum } : {}),
            ...shared.opts.addLimits,
            ...signalOpt(shared.opts.signal),
          });
          const single = new FileTree();
          single.apply(node);
          add(
            planCopy({ ...base, ...extra, source: single, sources: [node.path], sourceName: src }),
          );
          continue;
        }
        if (!isAdd) {
          plain.push(src);
          continue;
        }
        for (const match of matchSources(sourceTree, src, instr.line, name)) {
          const archive = await extractArchive(
            match,
            instr.line,
            spool,
            shared.opts.signal,
            shared.opts.addLimits,
          );
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
        add(planCopy({
          ...base,
          ...extra,
          ...(flagOpts.exclude ? { exclude: flagOpts.exclude } : {}),
          ...(flagOpts.parents ? { parents: true } : {}),
          source: sourceTree,
          sources: plain,
          sourceName: name,
        }));
      }
      if (inline.length > 0) {
        const docs = new FileTree();
        for (const n of inline) docs.apply(n);
        const names = inline.map((n) => n.path.replace(/[*?[\\]/g, "\\$&"));
        add(planCopy({ ...base, ...extra, source: docs, sources: names, sourceName: "heredocs" }));
      }
      await this.#addLayer(stage, [...out.values()], createdBy, spool);
    });
  }
}

function parseTrigger(trigger: string, line: number): Instruction {
  const df = parseDockerfile(`${trigger}\n`);
  const instr = df.instructions[0];
  if (instr === undefined || df.instructions.length !== 1) {
    throw new DockerfileLineError(
      line,
      `the base image has an invalid ONBUILD trigger ${JSON.stringify(trigger)}`,
    );
  }
  return { ...instr, line };
}
