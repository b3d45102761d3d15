/**
 * RSA keys made once with `openssl genpkey` and kept in `testdata/rsa_pool_<bits>.pem`, handed
 * out one at a time: making RSA keys took about a quarter of the default test group's CPU (109
 * `openssl genpkey` runs, 34 s). Each key is handed out once per test module, so the keys of the
 * PKIs in one module stay distinct (an "untrusted signer" never shares a trusted root's key).
 * When a size has none left, openssl makes a fresh key, as for every other key.
 *
 * The pool is made again by `deno run -A tests/_helpers/rsa_key_pool.ts` (these are test keys,
 * never to sign anything else).
 *
 * @example
 * ```ts ignore
 * import { genpkey } from "../_helpers/rsa_key_pool.ts";
 * // dir/k.pem: a pooled key, or `openssl genpkey ... -out k.pem` run by `run` in `dir`
 * await genpkey(run, dir, "k.pem", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]);
 * ```
 * @module
 */

/** How many keys of each size the pool holds. */
const POOL: Readonly<Record<number, number>> = { 2048: 40, 3072: 8, 4096: 4 };

const END = "-----END PRIVATE KEY-----";
const pools = new Map<number, string[]>();

function poolFile(bits: number): URL {
  return new URL(`./testdata/rsa_pool_${bits}.pem`, import.meta.url);
}

/**
 * The next unused pooled RSA key of `bits` bits in this module (PKCS#8 PEM), or undefined when
 * there is none left, or no pool of that size.
 */
function takePooledRsaKey(bits: number): string | undefined {
  if (!(bits in POOL)) return undefined;
  let pool = pools.get(bits);
  if (pool === undefined) {
    pool = Deno.readTextFileSync(poolFile(bits)).split(END).map((s) => s.trim()).filter(Boolean)
      .map((s) => `${s}\n${END}\n`);
    pools.set(bits, pool);
  }
  return pool.shift();
}

/**
 * Makes the key file `out` (relative to `dir`, or absolute) that `openssl genpkey keyArgs` would
 * make: a pooled key (mode 0600) when `keyArgs` ask for an RSA size the pool has one of, else
 * `run(["genpkey", ...keyArgs, "-out", out])`, an openssl run in `dir`.
 */
export async function genpkey(
  run: (args: string[]) => Promise<unknown>,
  dir: string,
  out: string,
  keyArgs: string[],
): Promise<void> {
  const bits = /^rsa_keygen_bits:(\d+)$/.exec(keyArgs.at(-1) ?? "")?.[1];
  const pooled = bits === undefined ? undefined : takePooledRsaKey(Number(bits));
  if (pooled === undefined) {
    await run(["genpkey", ...keyArgs, "-out", out]);
    return;
  }
  await Deno.writeTextFile(out.startsWith("/") ? out : `${dir}/${out}`, pooled, { mode: 0o600 });
}

/** Makes the pool files again with openssl. */
async function makePool(): Promise<void> {
  for (const [bits, count] of Object.entries(POOL)) {
    const keys: string[] = [];
    for (let i = 0; i < count; i++) {
      const out = await new Deno.Command("openssl", {
        args: ["genpkey", "-algorithm", "RSA", "-pkeyopt", `rsa_keygen_bits:${bits}`],
        stdout: "piped",
      }).output();
      if (!out.success) throw new Error(`openssl genpkey (RSA ${bits}) failed`);
      keys.push(new TextDecoder().decode(out.stdout).trim() + "\n");
    }
    await Deno.writeTextFile(poolFile(Number(bits)), keys.join(""));
  }
}

if (import.meta.main) await makePool();
