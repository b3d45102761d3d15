/**
 * The mutable state of one build stage while its instructions run: the image config being
 * built, the layers so far, variables, and the stage's file system (computed lazily, since it
 * means reading the base layers).
 *
 * @module
 */
import type { HasherFactory } from "../digest/hasher.ts";
import type { Platform } from "../oci/descriptor.ts";
import type { ContainerConfig, HistoryEntry, ImageConfig } from "./image_config.ts";
import { FileTree } from "./file_tree.ts";
import type { LayerSource, TreeNode } from "./file_tree.ts";
import { applyLayer } from "./layer_scan.ts";

/** A layer of a stage. */
export interface StageLayer {
  /** Where the blob is. */
  source: LayerSource;
  /** sha256 of the uncompressed tar. */
  diffId: string;
  /** Whether the layer was written by this build (otherwise it comes from a base image). */
  built: boolean;
}

/** Default PATH for images built from scratch (as Docker sets it). */
export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** One build stage. */
export class Stage {
  /** Stage index in the Dockerfile. */
  readonly index: number;
  /** `AS` name, lower-cased. */
  readonly name: string | undefined;
  /** The platform the stage's image is for. */
  platform: Platform;
  /** Image-level config fields (architecture, os, author, ...). */
  config: ImageConfig;
  /** Execution config. */
  container: ContainerConfig;
  /** History entries, base first. */
  history: HistoryEntry[];
  /** Layers, base first. */
  layers: StageLayer[];
  /** Variables declared with ARG in this stage. */
  args: Map<string, string>;
  /** The SHELL for shell-form commands. */
  shell: string[];
  /** Whether CMD was set in this stage (ENTRYPOINT then keeps it). */
  cmdSet = false;
  #tree: FileTree | undefined;
  #pending: Array<{ layer: LayerSource; diffId: string } | TreeNode[]>;
  #hasher: HasherFactory;

  /**
   * Creates a stage.
   * @param index Stage index.
   * @param name `AS` name.
   * @param platform Target platform.
   * @param config Config copied from the base (or a fresh one for scratch).
   * @param hasher Hashes base layers to check their diff_ids.
   */
  constructor(
    index: number,
    name: string | undefined,
    platform: Platform,
    config: ImageConfig,
    hasher: HasherFactory,
  ) {
    this.#hasher = hasher;
    this.index = index;
    this.name = name;
    this.platform = platform;
    this.config = config;
    this.container = structuredClone(config.config ?? {});
    this.history = structuredClone(config.history ?? []);
    this.layers = [];
    this.args = new Map();
    this.shell = this.container.Shell ?? ["/bin/sh", "-c"];
    this.#pending = [];
  }

  /** Adds a base image's layer. */
  addBaseLayer(source: LayerSource, diffId: string): void {
    this.layers.push({ source, diffId, built: false });
    this.#pending.push({ layer: source, diffId });
  }

  /** Adds the nodes of a layer this build is writing (their contents stay where they are). */
  addBuiltNodes(nodes: TreeNode[]): void {
    this.#pending.push(nodes);
  }

  /**
   * Adds a layer written by this build, in instruction order.
   * @param source Where the layer is.
   * @param diffId Its diff_id.
   * @param nodes The nodes given to {@linkcode addBuiltNodes} for it.
   * @param kept The same nodes, in the same order, as later readers take them (contents that did
   * not outlive the instruction now read from the layer).
   */
  addBuiltLayer(source: LayerSource, diffId: string, nodes: TreeNode[], kept: TreeNode[]): void {
    this.layers.push({ source, diffId, built: true });
    const waiting = this.#pending.indexOf(nodes);
    if (waiting !== -1) this.#pending[waiting] = kept;
    else nodes.forEach((node, i) => this.#tree?.replace(node, kept[i]!));
  }

  /** Copies this stage's state into a new stage (for `FROM <stage>`). */
  derive(index: number, name: string | undefined): Stage {
    const config = structuredClone({
      ...this.config,
      config: this.container,
      history: this.history,
    });
    const next = new Stage(index, name, this.platform, config, this.#hasher);
    next.layers = [...this.layers];
    next.shell = [...this.shell];
    next.#tree = this.#tree?.clone();
    next.#pending = [...this.#pending];
    return next;
  }

  /** The environment as an ordered map. */
  env(): Map<string, string> {
    const out = new Map<string, string>();
    for (const item of this.container.Env ?? []) {
      const eq = item.indexOf("=");
      if (eq > 0) out.set(item.slice(0, eq), item.slice(eq + 1));
    }
    return out;
  }

  /** Sets an environment variable, keeping the position of an existing one. */
  setEnv(key: string, value: string): void {
    const env = this.env();
    env.set(key, value);
    this.container.Env = [...env].map(([k, v]) => `${k}=${v}`);
  }

  /** Looks a variable up as instructions see it: ENV first, then ARG. */
  lookup(name: string): string | undefined {
    return this.env().get(name) ?? this.args.get(name);
  }

  /**
   * The stage's merged file system; reads (and decompresses) the base layers the first time,
   * checking each against its diff_id.
   * @param signal Cancellation.
   * @returns The tree.
   */
  async tree(signal?: AbortSignal): Promise<FileTree> {
    this.#tree ??= new FileTree();
    while (this.#pending.length > 0) {
      const next = this.#pending.shift()!;
      if (Array.isArray(next)) {
        for (const node of next) this.#tree.apply(node);
        continue;
      }
      await applyLayer(this.#tree, next.layer, {
        diffId: next.diffId,
        hasher: this.#hasher,
        ...(signal === undefined ? {} : { signal }),
      });
    }
    return this.#tree;
  }
}
