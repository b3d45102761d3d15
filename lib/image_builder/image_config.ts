/**
 * The OCI image config (with Docker's extra `Healthcheck`, `OnBuild` and `Shell` fields), and its
 * deterministic serialisation: fixed key order, no volatile fields.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/config.md
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { utf8 } from "../_internal/bytes.ts";

/** Docker's health check settings (durations in nanoseconds). */
export interface HealthConfig {
  /** The check: `["NONE"]`, `["CMD", ...]` or `["CMD-SHELL", cmd]`. */
  Test?: string[];
  /** Time between checks. */
  Interval?: number;
  /** Time before a check counts as failed. */
  Timeout?: number;
  /** Grace period after start. */
  StartPeriod?: number;
  /** Time between checks during the start period. */
  StartInterval?: number;
  /** Failures in a row before the container is unhealthy. */
  Retries?: number;
}

/** The execution parameters of an image config. */
export interface ContainerConfig {
  /** User (and group) the process runs as. */
  User?: string;
  /** Ports, as `port/proto` keys. */
  ExposedPorts?: Record<string, Record<string, never>>;
  /** Environment, as `KEY=value`. */
  Env?: string[];
  /** Entrypoint argv. */
  Entrypoint?: string[] | null;
  /** Default arguments (or command). */
  Cmd?: string[] | null;
  /** Volume mount points, as keys. */
  Volumes?: Record<string, Record<string, never>>;
  /** Working directory. */
  WorkingDir?: string;
  /** Labels. */
  Labels?: Record<string, string>;
  /** Signal that stops the container. */
  StopSignal?: string;
  /** Docker health check. */
  Healthcheck?: HealthConfig;
  /** Docker ONBUILD triggers. */
  OnBuild?: string[] | null;
  /** Docker SHELL for shell-form commands. */
  Shell?: string[];
  /** Windows-only Docker flag. */
  ArgsEscaped?: boolean;
}

/** One history entry. */
export interface HistoryEntry {
  /** Creation time (RFC 3339). */
  created?: string;
  /** The instruction that made the step. */
  created_by?: string;
  /** Author. */
  author?: string;
  /** Comment. */
  comment?: string;
  /** Whether the step added no layer. */
  empty_layer?: boolean;
}

/** An OCI image config. */
export interface ImageConfig {
  /** Creation time (RFC 3339). */
  created?: string;
  /** Author. */
  author?: string;
  /** CPU architecture (GOARCH value). */
  architecture: string;
  /** Operating system (GOOS value). */
  os: string;
  /** OS version. */
  "os.version"?: string;
  /** OS features. */
  "os.features"?: string[];
  /** CPU variant. */
  variant?: string;
  /** Execution parameters. */
  config?: ContainerConfig;
  /** Layer diff_ids, base first. */
  rootfs: { type: "layers"; diff_ids: string[] };
  /** History, base first. */
  history?: HistoryEntry[];
}

const CONTAINER_KEYS: (keyof ContainerConfig)[] = [
  "User",
  "ExposedPorts",
  "Env",
  "Entrypoint",
  "Cmd",
  "Volumes",
  "WorkingDir",
  "Labels",
  "StopSignal",
  "Healthcheck",
  "OnBuild",
  "Shell",
  "ArgsEscaped",
];

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key]!;
  return out;
}

function normaliseContainer(c: ContainerConfig): ContainerConfig {
  const out: Record<string, unknown> = {};
  for (const key of CONTAINER_KEYS) {
    const value = c[key];
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (key === "ExposedPorts" || key === "Volumes" || key === "Labels") {
      const rec = value as Record<string, unknown>;
      if (Object.keys(rec).length === 0) continue;
      out[key] = sortedRecord(rec);
    } else out[key] = value;
  }
  return out as ContainerConfig;
}

/**
 * Serialises a config deterministically (fixed key order, sorted maps, empty fields dropped).
 *
 * @example
 * ```ts
 * import { serializeImageConfig } from "./image_config.ts";
 * const bytes = serializeImageConfig({
 *   architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] },
 * });
 * console.log(new TextDecoder().decode(bytes));
 * ```
 * @param config The config.
 * @returns Its JSON bytes.
 */
export function serializeImageConfig(config: ImageConfig): Bytes {
  const out: Record<string, unknown> = {};
  if (config.created !== undefined) out.created = config.created;
  if (config.author !== undefined) out.author = config.author;
  out.architecture = config.architecture;
  if (config.variant !== undefined) out.variant = config.variant;
  out.os = config.os;
  if (config["os.version"] !== undefined) out["os.version"] = config["os.version"];
  if (config["os.features"] !== undefined) out["os.features"] = config["os.features"];
  if (config.config !== undefined) out.config = normaliseContainer(config.config);
  out.rootfs = { type: "layers", diff_ids: config.rootfs.diff_ids };
  if (config.history !== undefined) {
    out.history = config.history.map((h) => {
      const e: Record<string, unknown> = {};
      if (h.created !== undefined) e.created = h.created;
      if (h.created_by !== undefined) e.created_by = h.created_by;
      if (h.author !== undefined) e.author = h.author;
      if (h.comment !== undefined) e.comment = h.comment;
      if (h.empty_layer) e.empty_layer = true;
      return e;
    });
  }
  return utf8(JSON.stringify(out));
}
