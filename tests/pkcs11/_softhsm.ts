/**
 * A real SoftHSM token per test: its own `SOFTHSM2_CONF` and token directory in a temp dir, a
 * token initialised with `softhsm2-util --init-token`, EC key pairs generated in it with
 * `pkcs11-tool --keypairgen`, RSA key pairs from the test key pool (openssl-made) imported with
 * `softhsm2-util --import` (generating RSA 4096 in the token took over a second), certificates
 * written to it with `pkcs11-tool --write-object`.
 *
 * The in-process tests load the module into this process, which reads `SOFTHSM2_CONF` from the
 * process environment: {@linkcode withSoftHsm} sets it for the duration of the test, so tests
 * that use it in-process live in one file (run one at a time).
 *
 * @module
 */
import { findPeer, runPeer } from "../_helpers/peers.ts";
import { genpkey } from "../_helpers/rsa_key_pool.ts";

/** `softhsm2-util`, `pkcs11-tool` and the SoftHSM module, or undefined when one is missing. */
export const SOFTHSM_UTIL = findPeer("softhsm2-util");
export const PKCS11_TOOL = findPeer("pkcs11-tool");

const MODULE_CANDIDATES = [
  "/usr/lib/softhsm/libsofthsm2.so",
  "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
  "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
  "/usr/local/lib/softhsm/libsofthsm2.so",
  "/opt/homebrew/lib/softhsm/libsofthsm2.so",
];

/** The SoftHSM PKCS#11 module's path, when installed. */
export const SOFTHSM_MODULE: string | undefined = MODULE_CANDIDATES.find((p) => {
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return false;
  }
});

/** Why SoftHSM tests cannot run, or false when they can. */
export const NO_SOFTHSM: string | false = SOFTHSM_UTIL === undefined || PKCS11_TOOL === undefined
  ? "softhsm2-util or pkcs11-tool is missing (apt-get install softhsm2 opensc)"
  : SOFTHSM_MODULE === undefined
  ? "the SoftHSM module libsofthsm2.so is missing (apt-get install softhsm2)"
  : false;

/** The token's label and PINs. */
export const TOKEN = { label: "station", pin: "1234", soPin: "56789012" } as const;

/** Key types `pkcs11-tool --key-type` takes. */
export type TokenKeyType =
  | "EC:prime256v1"
  | "EC:secp384r1"
  | "EC:secp521r1"
  | "rsa:2048"
  | "rsa:3072"
  | "rsa:4096";

/** A test token. */
export interface SoftHsm {
  /** The temp directory (conf, tokens, and room for the test's files). */
  dir: string;
  /** Environment for subprocesses that use the token. */
  env: Record<string, string>;
  /** Puts a new key pair in the token: EC generated there, RSA imported (a pooled key). */
  keypair(label: string, id: string, type: TokenKeyType): Promise<void>;
  /** Writes a DER or PEM certificate file into the token under a key id. */
  writeCertificate(path: string, label: string, id: string): Promise<void>;
  /** Runs `pkcs11-tool` on the token, logged in. */
  tool(...args: string[]): Promise<string>;
}

async function must(bin: string, args: string[], env: Record<string, string>): Promise<string> {
  const r = await runPeer(bin, args, { env });
  if (r.code !== 0) throw new Error(`${bin} ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/**
 * Creates a SoftHSM token in a temp dir, points `SOFTHSM2_CONF` at it while `fn` runs (in this
 * process too, unless `inProcess: false`: test files run in parallel in one process, so only
 * one file may load the module in-process), and removes it afterwards.
 *
 * @example
 * ```ts ignore
 * await withSoftHsm(async (hsm) => {
 *   await hsm.keypair("release", "01", "EC:prime256v1");
 * });
 * ```
 */
export async function withSoftHsm(
  fn: (hsm: SoftHsm) => Promise<void>,
  options: { conf?: string; inProcess?: boolean } = {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-softhsm-" });
  const previous = Deno.env.get("SOFTHSM2_CONF");
  try {
    await Deno.mkdir(`${dir}/tokens`);
    const conf = `${dir}/softhsm2.conf`;
    await Deno.writeTextFile(
      conf,
      `directories.tokendir = ${dir}/tokens\nobjectstore.backend = file\nlog.level = ERROR\n${
        options.conf ?? ""
      }`,
    );
    const env = { SOFTHSM2_CONF: conf };
    if (options.inProcess !== false) Deno.env.set("SOFTHSM2_CONF", conf);
    await must(SOFTHSM_UTIL!, [
      "--init-token",
      "--free",
      "--label",
      TOKEN.label,
      "--pin",
      TOKEN.pin,
      "--so-pin",
      TOKEN.soPin,
    ], env);
    const base = ["--module", SOFTHSM_MODULE!, "--token-label", TOKEN.label];
    const tool = (...args: string[]): Promise<string> =>
      must(PKCS11_TOOL!, [...base, "--login", "--pin", TOKEN.pin, ...args], env);
    await fn({
      dir,
      env,
      tool,
      keypair: async (label, id, type) => {
        const bits = /^rsa:(\d+)$/.exec(type)?.[1];
        if (bits === undefined) {
          await tool("--keypairgen", "--key-type", type, "--label", label, "--id", id);
          return;
        }
        const key = `${dir}/import-${id}.pem`;
        const keyArgs = ["-algorithm", "RSA", "-pkeyopt", `rsa_keygen_bits:${bits}`];
        await genpkey((args) => must(findPeer("openssl")!, args, env), dir, key, keyArgs);
        await must(SOFTHSM_UTIL!, [
          "--import",
          key,
          "--token",
          TOKEN.label,
          "--label",
          label,
          "--id",
          id,
          "--pin",
          TOKEN.pin,
        ], env);
        await Deno.remove(key);
      },
      writeCertificate: async (path, label, id) => {
        await tool("--write-object", path, "--type", "cert", "--label", label, "--id", id);
      },
    });
  } finally {
    if (options.inProcess !== false) {
      if (previous === undefined) Deno.env.delete("SOFTHSM2_CONF");
      else Deno.env.set("SOFTHSM2_CONF", previous);
    }
    await Deno.remove(dir, { recursive: true });
  }
}
