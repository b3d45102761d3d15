/**
 * Runs the real `openssl` for interop tests, in a temp dir that the caller removes. Tests that
 * need it are skipped with a message when it is missing, unless `OCISIGN_REQUIRE_PEERS=1`.
 *
 * @module
 */

async function probe(): Promise<boolean> {
  try {
    const out = await new Deno.Command("openssl", {
      args: ["version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

/** Whether openssl can run here. */
export const HAVE_OPENSSL: boolean = await probe();

/** Test definition options that skip (or fail) when openssl is missing. */
export function needsOpenssl(name: string): { name: string; ignore: boolean } {
  const require = Deno.env.get("OCISIGN_REQUIRE_PEERS") === "1";
  if (!HAVE_OPENSSL && !require) console.warn(`skipping "${name}": openssl is not installed`);
  return { name, ignore: !HAVE_OPENSSL && !require };
}

/** Result of {@linkcode openssl}. */
export interface OpensslResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs openssl in `cwd`; throws with stderr when it fails, unless `allowFailure`. */
export async function openssl(
  args: string[],
  cwd: string,
  allowFailure = false,
): Promise<OpensslResult> {
  const out = await new Deno.Command("openssl", { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  const result = {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
  if (!allowFailure && out.code !== 0) {
    throw new Error(`openssl ${args.join(" ")} failed (${out.code}): ${result.stderr}`);
  }
  return result;
}

/** Makes a temp dir and removes it after `fn`. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-x509-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
