/**
 * Opens what a command's reference names: an OCI layout (directory or tar, with `--oci-layout`)
 * or a repository in a registry, as one {@linkcode GraphTarget}.
 *
 * @module
 */
import type { GraphTarget } from "../content/storage.ts";
import { InvalidReferenceError } from "../errors.ts";
import { parseLayoutReference } from "../layout/layout_reference.ts";
import { openLayout } from "../layout/open_layout.ts";
import type { OciLayout } from "../layout/oci_layout.ts";
import {
  chainCredentials,
  dockerConfigCredentials,
  envCredentials,
  staticCredentials,
} from "../registry/credentials.ts";
import type { CredentialProvider } from "../registry/credentials.ts";
import { formatReference, parseReference } from "../registry/reference.ts";
import { Registry } from "../registry/registry.ts";
import { envTimeoutMs } from "../registry/env_timeout.ts";
import { resolveHost } from "../runtime/resolve_host.ts";
import type { ReferrersMode } from "../registry/repository.ts";
import { absolutePath } from "./config/config_dir.ts";
import { readDockerConfig } from "./_docker_config.ts";
import type { CliIo } from "./io.ts";
import { UsageError } from "./_args.ts";

/** An opened reference. */
export interface OpenedTarget {
  /** The store. */
  target: GraphTarget;
  /** The tag or digest inside it. */
  reference: string;
  /** How artifacts are named in output: the layout path or `registry/repository`. */
  name: string;
  /** The layout, when the reference is one (to commit tar changes). */
  layout?: OciLayout;
}

/** Registry flags, as parsed by citty. */
export interface RegistryFlags {
  "plain-http"?: boolean;
  username?: string;
  "password-stdin"?: boolean;
  insecure?: boolean;
  "ca-file"?: string;
}

/** Options of {@linkcode openTarget}. */
export interface OpenTargetOptions {
  /** The reference is a layout path. */
  ociLayout: boolean;
  /** Registry flags. */
  flags?: RegistryFlags;
  /** Create a missing layout (copy destinations). */
  create?: boolean;
  /** Referrers mode for registries. */
  referrers?: ReferrersMode;
  /** Whether a reference without tag or digest is allowed (it then means `latest`). */
  allowBare?: boolean;
}

/**
 * Opens a layout or a registry repository.
 * @throws {InvalidReferenceError} ERR_INVALID_REFERENCE when the reference has no tag or digest.
 */
export async function openTarget(
  io: CliIo,
  ref: string,
  options: OpenTargetOptions,
): Promise<OpenedTarget> {
  if (options.ociLayout) {
    const parsed = parseLayoutReference(ref);
    // index.json is written only on commit, so an interrupted command leaves the layout as it was.
    const layout = await openLayout(absolutePath(io.cwd, parsed.path), io.fs, {
      hasher: io.hasher,
      autoSave: false,
      ...(options.create ? { create: true } : {}),
    });
    const reference = parsed.digest ?? parsed.tag;
    if (reference === undefined && !options.allowBare) {
      await layout.close();
      throw new InvalidReferenceError(
        ref,
        "missing tag or digest. Expecting <file_path>:<tag> or <file_path>@<digest>",
      );
    }
    return { target: layout, reference: reference ?? "latest", name: parsed.path, layout };
  }
  const parsed = parseReference(ref);
  const reference = parsed.digest ?? parsed.tag;
  if (reference === undefined && !options.allowBare) {
    throw new InvalidReferenceError(
      ref,
      "no tag or digest. Expecting <registry>/<repository>:<tag> or <registry>/<repository>@<digest>",
    );
  }
  const flags = options.flags ?? {};
  const registry = new Registry(parsed.registry, {
    fetch: await registryFetch(io, flags),
    hasher: io.hasher,
    credentials: await credentialProvider(io, flags),
    userAgent: "ocisign",
    timeoutMs: envTimeoutMs(io.env) ?? 60_000,
    resolveHost,
    onWarning: (message) => io.stderr(`Warning: ${message}\n`),
    ...(flags["plain-http"] ? { plainHttp: true } : {}),
    ...(options.referrers ? { referrers: options.referrers } : {}),
  });
  return {
    target: registry.repository(parsed.repository),
    reference: reference ?? "latest",
    name: formatReference({ registry: parsed.registry, repository: parsed.repository }),
  };
}

/** Builds the `fetch` for a registry: the plain one, or one with extra TLS trust. */
export async function registryFetch(io: CliIo, flags: RegistryFlags): Promise<typeof fetch> {
  const caFile = flags["ca-file"];
  if (!caFile && !flags.insecure) return io.fetch;
  const caCerts = caFile
    ? [
      new TextDecoder().decode(
        await io.fs.readFile(absolutePath(io.cwd, caFile), { maxBytes: 4 << 20 }),
      ),
    ]
    : undefined;
  return io.tlsFetch({
    ...(caCerts ? { caCerts } : {}),
    ...(flags.insecure ? { insecure: true } : {}),
  });
}

async function credentialProvider(io: CliIo, flags: RegistryFlags): Promise<CredentialProvider> {
  const providers: CredentialProvider[] = [];
  if (flags.username !== undefined) {
    if (!flags["password-stdin"]) {
      throw new UsageError("--username needs --password-stdin (the password is read from stdin)");
    }
    const password = (await io.readStdin()).replace(/\r?\n$/, "");
    providers.push(staticCredentials({ username: flags.username, password }));
  }
  providers.push(envCredentials(io.env));
  const dockerConfig = await readDockerConfig(io);
  if (dockerConfig) providers.push(dockerConfigCredentials(dockerConfig, io.credentialHelper));
  return chainCredentials(...providers);
}

/** Commits staged changes of a tar layout and releases the target. */
export async function closeTarget(opened: OpenedTarget, commit: boolean): Promise<void> {
  if (!opened.layout) return;
  if (commit) await opened.layout.commit();
  await opened.layout.close();
}
