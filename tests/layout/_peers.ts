/**
 * Finds and runs external peer tools (skopeo, umoci, oras) for interop tests. A missing peer
 * makes its tests skip with a message, unless OCISIGN_REQUIRE_PEERS=1, when they fail.
 *
 * @module
 */

const REQUIRE = Deno.env.get("OCISIGN_REQUIRE_PEERS") === "1";
const EXTRA_DIRS = [`${Deno.env.get("HOME") ?? ""}/go/bin`];

/** A located peer tool. */
export interface Peer {
  name: string;
  path: string | undefined;
}

async function which(name: string): Promise<string | undefined> {
  const dirs = [...(Deno.env.get("PATH") ?? "").split(":"), ...EXTRA_DIRS];
  for (const d of dirs) {
    if (!d) continue;
    try {
      const st = await Deno.stat(`${d}/${name}`);
      if (st.isFile) return `${d}/${name}`;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Locates a peer tool on PATH (or ~/go/bin). */
export async function findPeer(name: string): Promise<Peer> {
  const path = await which(name);
  if (!path && !REQUIRE) console.warn(`skipping ${name} interop tests: ${name} is not installed`);
  return { name, path };
}

/** Whether tests for this peer are ignored (missing and not required). */
export function skip(peer: Peer): boolean {
  return peer.path === undefined && !REQUIRE;
}

/** Runs a peer; throws with its stderr when it fails. */
export async function run(peer: Peer, args: string[], cwd?: string): Promise<string> {
  if (!peer.path) {
    throw new Error(`${peer.name} is required (OCISIGN_REQUIRE_PEERS=1) but not installed`);
  }
  const out = await new Deno.Command(peer.path, {
    args,
    stdout: "piped",
    stderr: "piped",
    ...(cwd ? { cwd } : {}),
  })
    .output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `${peer.name} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return text;
}
