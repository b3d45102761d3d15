/**
 * A registry over layout directories in a fresh temp dir, for the server tests: the handler for
 * in-process requests, and optionally a real socket via `serveHttp` on a free loopback port.
 *
 * @module
 */
import { utf8 } from "../../lib/_internal/bytes.ts";
import type { Bytes } from "../../lib/_internal/bytes.ts";
import { digestBytes } from "../../lib/digest/digest_bytes.ts";
import { serveHttp } from "../../lib/runtime/http_server.ts";
import type { HttpServer } from "../../lib/runtime/http_server.ts";
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { createLayoutRepositoryProvider, createRegistryHandler } from "../../lib/server/mod.ts";
import type { ClientInfo, RegistryHandlerOptions, RequestLogEntry } from "../../lib/server/mod.ts";

/** A running test registry. */
export interface TestRegistry {
  /** The temp dir holding one layout per repository. */
  root: string;
  /** The handler. */
  handler: (request: Request, client?: ClientInfo) => Promise<Response>;
  /** Log entries written so far. */
  log: RequestLogEntry[];
  /** Sends a request to the handler in-process (`path` is relative to http://registry.test). */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** Stops the server (if any) and removes the temp dir. */
  close(): Promise<void>;
}

/** A test registry served over a real socket. */
export interface ServedRegistry extends TestRegistry {
  /** The socket server. */
  server: HttpServer;
  /** `127.0.0.1:<port>` */
  address: string;
}

type Extra = Omit<RegistryHandlerOptions, "repositories">;

/** Starts a registry over layouts in a temp dir (in-process only). */
export async function startRegistry(options: Extra = {}): Promise<TestRegistry> {
  const root = await Deno.makeTempDir({ prefix: "ocisign-server-test-" });
  const log: RequestLogEntry[] = [];
  const repositories = createLayoutRepositoryProvider({
    root,
    fs: nodeFs,
    hasher: nodeHasherFactory,
  });
  const handler = createRegistryHandler({
    repositories,
    hasher: nodeHasherFactory,
    log: (e) => log.push(e),
    ...options,
  });
  return {
    root,
    handler,
    log,
    request(path: string, init?: RequestInit): Promise<Response> {
      return handler(new Request(`http://registry.test${path}`, init));
    },
    async close(): Promise<void> {
      await Deno.remove(root, { recursive: true });
    },
  };
}

/** Starts a registry and serves it on a free loopback port. */
export async function serveRegistry(options: Extra = {}): Promise<ServedRegistry> {
  const reg = await startRegistry(options);
  const server = await serveHttp(reg.handler, { hostname: "127.0.0.1", port: 0 });
  return {
    ...reg,
    server,
    address: `127.0.0.1:${server.port}`,
    async close(): Promise<void> {
      await server.close();
      await reg.close();
    },
  };
}

/** Bytes plus their sha256 digest. */
export interface Content {
  bytes: Bytes;
  digest: string;
}

/** Makes content from text or bytes. */
export async function content(data: string | Uint8Array): Promise<Content> {
  const bytes = (typeof data === "string" ? utf8(data) : data) as Bytes;
  return { bytes, digest: await digestBytes(bytes) };
}

/** Pushes a blob with a single POST ?digest= and asserts nothing (returns the response). */
export function pushBlob(reg: TestRegistry, name: string, blob: Content): Promise<Response> {
  return reg.request(`/v2/${name}/blobs/uploads/?digest=${blob.digest}`, {
    method: "POST",
    body: blob.bytes,
    headers: { "content-type": "application/octet-stream" },
  });
}

/** An image manifest over the given config and layers, as exact bytes. */
export async function imageManifest(
  config: Content,
  layers: Content[],
  extra: Record<string, unknown> = {},
): Promise<Content> {
  const doc = {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {
      mediaType: "application/vnd.oci.image.config.v1+json",
      digest: config.digest,
      size: config.bytes.length,
    },
    layers: layers.map((l) => ({
      mediaType: "application/vnd.oci.image.layer.v1.tar",
      digest: l.digest,
      size: l.bytes.length,
    })),
    ...extra,
  };
  return await content(JSON.stringify(doc));
}

/** PUTs a manifest under a tag or digest. */
export function putManifest(
  reg: TestRegistry,
  name: string,
  reference: string,
  manifest: Content,
  mediaType = "application/vnd.oci.image.manifest.v1+json",
): Promise<Response> {
  return reg.request(`/v2/${name}/manifests/${reference}`, {
    method: "PUT",
    body: manifest.bytes,
    headers: { "content-type": mediaType },
  });
}

/** Reads a spec error body's first code. */
export async function errorCode(res: Response): Promise<string | undefined> {
  const body = await res.json() as { errors?: { code?: string }[] };
  return body.errors?.[0]?.code;
}

/** Pushes a small image (config + one layer + manifest tagged `tag`) and returns its parts. */
export async function pushImage(
  reg: TestRegistry,
  name: string,
  tag: string,
  seed = "x",
): Promise<{ config: Content; layer: Content; manifest: Content }> {
  const config = await content(`{"architecture":"amd64","os":"linux","seed":"${seed}"}`);
  const layer = await content(`layer bytes ${seed}`);
  for (const b of [config, layer]) {
    const res = await pushBlob(reg, name, b);
    await res.body?.cancel();
    if (res.status !== 201) throw new Error(`blob push failed: ${res.status}`);
  }
  const manifest = await imageManifest(config, [layer]);
  const res = await putManifest(reg, name, tag, manifest);
  await res.body?.cancel();
  if (res.status !== 201) throw new Error(`manifest push failed: ${res.status}`);
  return { config, layer, manifest };
}
