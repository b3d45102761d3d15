/**
 * Writing a finished stage as an OCI image: base layers copied over, config, manifest. Not
 * public.
 *
 * @module
 */
import { utf8 } from "../_internal/bytes.ts";
import type { Target } from "../content/storage.ts";
import { digestBytes } from "../digest/digest_bytes.ts";
import type { Descriptor, Platform } from "../oci/descriptor.ts";
import {
  MEDIA_TYPE_DOCKER_LAYER_GZIP,
  MEDIA_TYPE_OCI_CONFIG,
  MEDIA_TYPE_OCI_LAYER_GZIP,
  MEDIA_TYPE_OCI_MANIFEST,
} from "../oci/media_types.ts";
import { checkAbort, signalOpt } from "./_build_shared.ts";
import type { Shared } from "./_build_shared.ts";
import type { BuiltManifest } from "./build_options.ts";
import { serializeImageConfig } from "./image_config.ts";
import type { ImageConfig } from "./image_config.ts";
import type { Stage } from "./stage.ts";

function mapLayerMediaType(desc: Descriptor): Descriptor {
  const mediaType = desc.mediaType === MEDIA_TYPE_DOCKER_LAYER_GZIP
    ? MEDIA_TYPE_OCI_LAYER_GZIP
    : desc.mediaType;
  const out: Descriptor = { mediaType, digest: desc.digest, size: desc.size };
  if (desc.annotations !== undefined) out.annotations = desc.annotations;
  return out;
}

/** Pushes bytes unless present; returns their descriptor. */
export async function pushBytes(
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

/** Writes a stage's image (config and manifest) and copies its base layers. */
export async function finishImage(shared: Shared, stage: Stage): Promise<BuiltManifest> {
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
