/**
 * Opens what a command's reference names: an OCI layout (directory or tar, with `--oci-layout`)
 * or a repository in a registry, as one {@linkcode GraphTarget}.
 *
 * @module
 */
import { type GraphTarget, isCloser, isCommitter } from "../content/storage.ts";
import { InvalidReferenceError } from "../errors.ts";
import { parseLayoutReference } from "../layout/layout_reference.ts";
import type { LayoutReference } from "../layout/layout_reference.ts";
import type { StreamLayout } from "../layout/stream_layout_tar.ts";
import { openLayout } from "../layout/open_layout.ts";
import type { OciLayout } from "../layout/oci_layout.ts";
import type { CredentialProvider } from "../registry/credentials.ts";
import { formatReference, parseReference } from "../registry/reference.ts";
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
  /** A layout tar read from stdin or written to stdout (`-`), kept in a temporary file. */
  stream?: { layout: StreamLayout; toStdout: boolean };
}

/** Registry flags, as parsed from the command line. */
export interface RegistryFlags {
  "plain-http"?: boolean;
  username?: string;
  password?: string;
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
  /**
   * The command reads layers (`cp`): a layout tar on stdin is then spooled to a temporary file
   * instead of being scanned in one pass with only its small blobs kept.
   */
  readsLayers?: boolean;
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
    if (parsed.path === "-") return await openStdioLayout(io, ref, parsed, options);
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
    return { target: layout, reference: reference ?? "latest", name: parsed.path };
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
  // The registry client, the layout tars on stdin/stdout and the credential sources load only
  // when a reference needs them (start-up time; `+ ""`: see commands/registry.ts).
  const [{ Registry }, { envTimeoutMs }, { resolveHost }] = await Promise.all([
    import("../registry/registry.ts" + "") as Promise<typeof import("../registry/registry.ts")>,
    import("../registry/env_timeout.ts" + "") as Promise<
      typeof import("../registry/env_timeout.ts")
    >,
    import("../runtime/resolve_host.ts" + "") as Promise<
      typeof import("../runtime/resolve_host.ts")
    >,
  ]);
  const registry = new Registry(parsed.registry, {
    fetch: await registryFetch(io, flags),
    hasher: io.hasher,
    credentials: await credentialProvider(io, flags),
    userAgent: "ocisign",
    timeoutMs: envTimeoutMs(io.env) ?? 60_000,
    ...(io.registryRetry ? { retry: io.registryRetry } : {}),
    resolveHost,
    onWarning: (message) => io.stderr(`Warning: ${message}\n`),
    ...(flags["plain-http"] !== undefined ? { plainHttp: flags["plain-http"] } : {}),
    ...(options.referrers ? { referrers: options.referrers } : {}),
  });
  return {
    target: registry.repository(parsed.repository),
    reference: reference ?? "latest",
    name: formatReference({ registry: parsed.registry, repository: parsed.repository }),
  };
}

/** The layout tars spooled from stdin or to stdout, loaded on first use. */
function streamLayoutTar(): Promise<typeof import("../layout/stream_layout_tar.ts")> {
  return import("../layout/stream_layout_tar.ts" + "");
}

/** The temporary directory of spooled stdin/stdout tars. */
function tempRoot(io: CliIo): string {
  return io.env("TMPDIR") || io.env("TEMP") || "/tmp";
}

/** `-` as a layout: a tar read from stdin (sources) or written to stdout (destinations). */
async function openStdioLayout(
  io: CliIo,
  ref: string,
  parsed: LayoutReference,
  options: OpenTargetOptions,
): Promise<OpenedTarget> {
  const named = parsed.digest ?? parsed.tag;
  const opts = { tempRoot: tempRoot(io), hasher: io.hasher, signal: io.signal };
  const { createStreamLayoutTar, openStreamLayoutTar } = await streamLayoutTar();
  if (options.create) {
    if (!io.stdoutStream) throw new UsageError("standard output is not available for a layout tar");
    const out = await createStreamLayoutTar(io.fs, opts);
    return {
      target: out.layout,
      reference: named ?? "latest",
      name: "-",
      stream: { layout: out, toStdout: true },
    };
  }
  if (options.flags?.["password-stdin"]) {
    throw new UsageError("--password-stdin cannot be used with a layout tar read from stdin (-)");
  }
  if (!io.stdinStream) throw new UsageError("standard input is not available for a layout tar");
  let layout: OciLayout;
  let dispose: () => Promise<void>;
  let spooled: StreamLayout | undefined;
  if (options.readsLayers) {
    spooled = await openStreamLayoutTar(io.stdinStream(), io.fs, opts);
    layout = spooled.layout;
    dispose = spooled.dispose;
  } else {
    // Nothing on disk: every blob is hashed as it passes, small ones kept in memory.
    const { ScannedLayoutTar } = await import(
      "../layout/scanned_layout_tar.ts" + ""
    ) as typeof import("../layout/scanned_layout_tar.ts");
    layout = await ScannedLayoutTar.scan(io.stdinStream(), {
      hasher: io.hasher,
      signal: io.signal,
    });
    dispose = () => layout.close();
  }
  let reference = named;
  if (reference === undefined && !options.allowBare) {
    // A bare `-` names the tar's only tag (`-:<tag>` must follow `--`, or it reads as flags).
    const tags = [];
    for await (const t of layout.tags()) tags.push(t);
    if (tags.length !== 1) {
      await dispose();
      throw new InvalidReferenceError(
        ref,
        `the layout tar on stdin has ${
          tags.length === 0 ? "no tags" : `tags ${tags.slice(0, 10).join(", ")}`
        }; name the artifact after --, e.g. -- -:<tag> or -- -@<digest>`,
      );
    }
    reference = tags[0]!;
  }
  return {
    target: layout,
    reference: reference ?? "latest",
    name: "-",
    ...(spooled ? { stream: { layout: spooled, toStdout: false } } : {}),
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

/** notation's warning for a password on the command line. */
export const PASSWORD_FLAG_WARNING =
  "WARNING! Using --password via the CLI is insecure. Use --password-stdin.";

/**
 * The password of `--password` (with notation's warning) or `--password-stdin`.
 *
 * @returns The password, or undefined when neither flag is given.
 * @throws {UsageError} ERR_USAGE when both are given, or stdin is empty.
 */
export async function flagPassword(io: CliIo, flags: RegistryFlags): Promise<string | undefined> {
  if (flags.password !== undefined && flags["password-stdin"]) {
    throw new UsageError("--password and --password-stdin cannot be used together");
  }
  if (flags.password !== undefined) {
    io.stderr(PASSWORD_FLAG_WARNING + "\n");
    return flags.password;
  }
  if (!flags["password-stdin"]) return undefined;
  const password = (await io.readStdin()).replace(/\r?\n$/, "");
  if (password === "") throw new UsageError("the password read from stdin is empty");
  return password;
}

/** Reads `OCISIGN_*` variables, falling back to notation's `NOTATION_*` (user name, password). */
export function credentialEnv(io: CliIo): (name: string) => string | undefined {
  return (name) => io.env(name) ?? io.env(name.replace(/^OCISIGN_/, "NOTATION_"));
}

async function credentialProvider(io: CliIo, flags: RegistryFlags): Promise<CredentialProvider> {
  const { chainCredentials, dockerConfigCredentials, envCredentials, staticCredentials } =
    await import("../registry/credentials.ts" + "") as typeof import("../registry/credentials.ts");
  const providers: CredentialProvider[] = [];
  const password = await flagPassword(io, flags);
  if (flags.username !== undefined) {
    if (password === undefined) {
      throw new UsageError(
        "--username needs --password-stdin (the password is read from stdin) or --password",
      );
    }
    providers.push(staticCredentials({ username: flags.username, password }));
  } else if (password !== undefined) {
    throw new UsageError("a password needs --username");
  }
  providers.push(envCredentials(credentialEnv(io)));
  const dockerConfig = await readDockerConfig(io);
  if (dockerConfig) providers.push(dockerConfigCredentials(dockerConfig, io.credentialHelper));
  return chainCredentials(...providers);
}

/**
 * Commits the target's changes (a `Committer`: a layout) and releases it (a `Closer`); a layout for stdout is written there on commit. `io` is needed only for
 * such a layout.
 */
export async function closeTarget(
  opened: OpenedTarget,
  commit: boolean,
  io?: CliIo,
): Promise<void> {
  if (opened.stream) {
    try {
      if (commit && opened.stream.toStdout) {
        if (!io?.stdoutStream) throw new UsageError("standard output is not available");
        const { writeStreamLayoutTar } = await streamLayoutTar();
        await writeStreamLayoutTar(opened.stream.layout, io.fs, io.stdoutStream(), {
          signal: io.signal,
        });
      }
    } finally {
      await opened.stream.layout.dispose();
    }
    return;
  }
  const { target } = opened;
  if (commit && isCommitter(target)) await target.commit();
  if (isCloser(target)) await target.close();
}
