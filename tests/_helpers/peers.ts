/**
 * Finds and runs the external peers that interop tests drive: `notation-peer` and `oras` (built by
 * `scripts/peers/install.sh`), the notation CLI releases (`notation` v1.3.2 and
 * `notation-2.0.0-alpha.1`, which `.ci/run` puts on `PATH` from `../shared/peers/linux-amd64`), and
 * system tools such as `skopeo`, `umoci`, `openssl` or `docker-registry`.
 *
 * Search order for a peer `name`:
 * 1. `$OCISIGN_PEER_DIR/bin/name`
 * 2. `$HOME/.cache/ocisign-peers/bin/name` (the install script's default)
 * 3. every directory on `PATH`
 * 4. Go's install directory: `$GOBIN`, else `$GOPATH/bin`, else `$HOME/go/bin`
 * 5. `../shared/peers/<os>-<arch>` beside the checkout (the released notation CLIs: `notation`
 *    1.3 and `notation-2.0.0-alpha.1`; CI also puts that directory on `PATH`)
 *
 * A missing peer gives `undefined` and one warning line naming the install script, so the test
 * can skip; with `OCISIGN_REQUIRE_PEERS=1` it throws instead, so a skip becomes a failure.
 *
 * @module
 */

/** The result of running a peer: exit code and decoded output. */
export interface PeerResult {
  /** The process exit code. */
  code: number;
  /** Everything written to stdout, decoded as UTF-8. */
  stdout: string;
  /** Everything written to stderr, decoded as UTF-8. */
  stderr: string;
}

/** Options for {@linkcode runPeer}. */
export interface RunPeerOptions {
  /** Working directory of the process. */
  cwd?: string;
  /** Extra environment variables (merged over the test's environment). */
  env?: Record<string, string>;
}

const warned = new Set<string>();

/**
 * Reports whether peers are mandatory (`OCISIGN_REQUIRE_PEERS=1`, as set by `.ci/run`).
 *
 * @example Skip or fail
 * ```ts
 * if (!peersRequired()) console.log("missing peers make tests skip");
 * ```
 */
export function peersRequired(): boolean {
  return Deno.env.get("OCISIGN_REQUIRE_PEERS") === "1";
}

/**
 * Returns the directories searched for peers, in order (see the module doc).
 *
 * @example
 * ```ts
 * const dirs = peerSearchDirs();
 * ```
 */
export function peerSearchDirs(): string[] {
  const env = Deno.env.toObject();
  const home = env.HOME ?? env.USERPROFILE ?? "";
  const dirs: string[] = [];
  if (env.OCISIGN_PEER_DIR) dirs.push(`${env.OCISIGN_PEER_DIR}/bin`);
  if (home) dirs.push(`${home}/.cache/ocisign-peers/bin`);
  const sep = Deno.build.os === "windows" ? ";" : ":";
  for (const d of (env.PATH ?? "").split(sep)) if (d) dirs.push(d);
  if (env.GOBIN) dirs.push(env.GOBIN);
  else if (env.GOPATH) dirs.push(...env.GOPATH.split(sep).filter((d) => d).map((d) => `${d}/bin`));
  else if (home) dirs.push(`${home}/go/bin`);
  const arch = Deno.build.arch === "x86_64" ? "amd64" : "arm64";
  dirs.push(new URL(`../../../shared/peers/${Deno.build.os}-${arch}`, import.meta.url).pathname);
  return dirs;
}

function isExecutableFile(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && (Deno.build.os === "windows" || ((info.mode ?? 0) & 0o111) !== 0);
  } catch {
    return false;
  }
}

/**
 * Finds the peer executable `name` and returns its path, or `undefined` when it is missing (after
 * printing one warning that says how to install it).
 *
 * @param name The executable name, e.g. `"notation-peer"`, `"oras"`, `"openssl"`.
 * @returns The absolute path, or `undefined` when missing and peers are optional.
 * @throws {Error} When the peer is missing and `OCISIGN_REQUIRE_PEERS=1`.
 *
 * @example Register a test that skips without the peer
 * ```ts
 * const peer = findPeer("notation-peer");
 * Deno.test({ name: "peer signs", ignore: peer === undefined, fn: () => {} });
 * ```
 */
export function findPeer(name: string): string | undefined {
  const exe = Deno.build.os === "windows" ? `${name}.exe` : name;
  for (const dir of peerSearchDirs()) {
    const path = `${dir}/${exe}`;
    if (isExecutableFile(path)) return path;
  }
  const hint = name === "notation-peer" || name === "oras"
    ? "run scripts/peers/install.sh (needs Go)"
    : name.startsWith("notation")
    ? "put the notation CLI releases on PATH (.ci/run adds ../shared/peers/linux-amd64)"
    : `install ${name} (e.g. with apt-get)`;
  if (peersRequired()) {
    throw new Error(
      `Cannot find the peer "${name}" although OCISIGN_REQUIRE_PEERS=1: ${hint}, or set OCISIGN_PEER_DIR`,
    );
  }
  if (!warned.has(name)) {
    warned.add(name);
    console.warn(`skipping tests that need "${name}": it was not found; ${hint}`);
  }
  return undefined;
}

/**
 * Runs a peer to completion and returns its exit code and output. It never throws on a non-zero
 * exit code; the caller asserts on {@linkcode PeerResult.code}.
 *
 * @param bin The executable path from {@linkcode findPeer}.
 * @param args The command-line arguments.
 * @param options Working directory and extra environment.
 * @returns The exit code, stdout and stderr.
 *
 * @example
 * ```ts
 * const peer = findPeer("notation-peer");
 * if (peer) {
 *   const { code, stdout } = await runPeer(peer, ["version"]);
 *   console.log(code, stdout);
 * }
 * ```
 */
export async function runPeer(
  bin: string,
  args: string[],
  options: RunPeerOptions = {},
): Promise<PeerResult> {
  const command = new Deno.Command(bin, {
    args,
    cwd: options.cwd,
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
  const { code, stdout, stderr } = await command.output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

/** A notation CLI release the interop tests drive. */
export interface NotationCli {
  /** The release, e.g. `"1.3.2"`. */
  version: string;
  /** The executable path. */
  bin: string;
}

/**
 * Finds the notation CLI releases the interop tests run against: `notation` (v1.3.2) and
 * `notation-2.0.0-alpha.1`. A missing one is left out (with one warning), or throws under
 * `OCISIGN_REQUIRE_PEERS=1`, as {@linkcode findPeer} does.
 *
 * @example Skip without the CLI
 * ```ts ignore
 * const clis = findNotationClis();
 * Deno.test({ name: "notation verifies", ignore: clis.length < 2, fn: () => {} });
 * ```
 */
export function findNotationClis(): NotationCli[] {
  const releases = [["1.3.2", "notation"], ["2.0.0-alpha.1", "notation-2.0.0-alpha.1"]] as const;
  return releases.flatMap(([version, name]) => {
    const bin = findPeer(name);
    return bin === undefined ? [] : [{ version, bin }];
  });
}

/** Where a notation CLI run keeps its state. */
export interface NotationDirs {
  /** Working directory, also `HOME`. */
  cwd: string;
  /** `XDG_CONFIG_HOME`: the configuration directory is `<configHome>/notation`. */
  configHome: string;
  /** `XDG_CACHE_HOME`: the CRL cache is `<cacheHome>/notation/crl`. */
  cacheHome: string;
}

/**
 * Runs a notation CLI with its configuration and cache under the given directories and
 * `NOTATION_EXPERIMENTAL=1` (notation 1.3 needs it for `--oci-layout`; 2.x ignores it).
 *
 * @example
 * ```ts ignore
 * const [cli] = findNotationClis();
 * await runNotation(cli!, { cwd, configHome: `${cwd}/xdg`, cacheHome: `${cwd}/cache` }, ["version"]);
 * ```
 */
export function runNotation(
  cli: NotationCli,
  dirs: NotationDirs,
  args: string[],
): Promise<PeerResult> {
  return runPeer(cli.bin, args, {
    cwd: dirs.cwd,
    env: {
      HOME: dirs.cwd,
      XDG_CONFIG_HOME: dirs.configHome,
      XDG_CACHE_HOME: dirs.cacheHome,
      NOTATION_EXPERIMENTAL: "1",
    },
  });
}
