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
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** The execution parameters of an image config. */
export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, Record<string, never>>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  Healthcheck?: HealthConfig;
  OnBuild?: string[] | null;
  Shell?: string[];
  ArgsEscaped?: boolean;
}

/** One history entry. */
export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** An OCI image config. */
export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  "os.version"?: string;
  "os.features"?: string[];
  variant?: string;
  config?: ContainerConfig;
  rootfs: { type: "layers"; diff_ids: string[] };
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
