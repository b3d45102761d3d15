/**
 * Test PKIs made with the real `openssl` CLI: a root CA, an intermediate CA, leaves signed by
 * them and self-signed leaves, each with a chosen validity window. Tests skip (or fail under
 * `OCISIGN_REQUIRE_PEERS=1`) when openssl is missing.
 *
 * @module
 */
import { findPeer } from "../_helpers/peers.ts";
import { genpkey } from "../_helpers/rsa_key_pool.ts";

/**
 * Whether `openssl` is missing: tests that need it pass this as `ignore`. A missing one is
 * reported once, and under `OCISIGN_REQUIRE_PEERS=1` it fails the test file instead.
 */
export const OPENSSL_MISSING: boolean = findPeer("openssl") === undefined;

async function run(cwd: string, args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`openssl ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** One generated certificate with its key. */
export interface TestCert {
  /** PEM of the certificate. */
  pem: string;
  /** DER of the certificate. */
  der: Uint8Array<ArrayBuffer>;
  /** PKCS#8 PEM private key. */
  keyPem: string;
  /** File names inside the PKI directory. */
  certFile: string;
  keyFile: string;
}

/** Options for one certificate. */
export interface CertOptions {
  /** `/C=US/ST=WA/O=x/CN=y` style subject. */
  subject: string;
  /** Extensions config lines (openssl x509v3 syntax). */
  extensions: string[];
  /** Issuer; self-signed when absent. */
  issuer?: TestCert;
  /** `rsa:2048` (default), `rsa:3072`, `ec:P-256`, ... */
  key?: string;
  /** Validity start (default: now - 1 h). */
  notBefore?: Date;
  /** Validity end (default: now + 24 h). */
  notAfter?: Date;
}

/** Extensions of a code-signing leaf. */
export const LEAF_EXTENSIONS = [
  "keyUsage=critical,digitalSignature",
  "extendedKeyUsage=codeSigning",
];
/** Extensions of a CA. */
export const CA_EXTENSIONS = [
  "basicConstraints=critical,CA:TRUE",
  "keyUsage=critical,keyCertSign,cRLSign",
];

function asn1Time(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z";
}

/** A temp directory where openssl writes; `close()` removes it. */
export class OpensslPki {
  readonly dir: string;
  #n = 0;

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Makes a fresh directory. */
  static async create(): Promise<OpensslPki> {
    return new OpensslPki(await Deno.makeTempDir({ prefix: "ocisign-pki-" }));
  }

  /** Generates one certificate. */
  async cert(opts: CertOptions): Promise<TestCert> {
    const n = ++this.#n;
    const keyFile = `k${n}.pem`;
    const certFile = `c${n}.pem`;
    const csrFile = `r${n}.csr`;
    const extFile = `e${n}.cnf`;
    const [alg, param] = (opts.key ?? "rsa:2048").split(":");
    await genpkey(
      (args) => run(this.dir, args),
      this.dir,
      keyFile,
      alg === "ec"
        ? ["-algorithm", "EC", "-pkeyopt", `ec_paramgen_curve:${param}`]
        : ["-algorithm", "RSA", "-pkeyopt", `rsa_keygen_bits:${param}`],
    );
    await Deno.writeTextFile(
      `${this.dir}/${extFile}`,
      [
        "[req]",
        "distinguished_name = dn",
        "[dn]",
        "[myca]",
        "database = db" + n,
        "new_certs_dir = .",
        "serial = serial" + n,
        "policy = anything",
        "default_md = sha256",
        "unique_subject = no",
        "copy_extensions = none",
        "[anything]",
        "[ext]",
        ...opts.extensions,
        "",
      ].join("\n"),
    );
    await run(this.dir, [
      "req",
      "-new",
      "-key",
      keyFile,
      "-subj",
      opts.subject,
      "-out",
      csrFile,
      "-config",
      extFile,
    ]);
    await Deno.writeTextFile(`${this.dir}/db${n}`, "");
    await Deno.writeTextFile(
      `${this.dir}/serial${n}`,
      (1000 + n).toString(16).padStart(4, "0") + "\n",
    );
    const issuer = opts.issuer;
    const notBefore = opts.notBefore ?? new Date(Date.now() - 3600_000);
    const notAfter = opts.notAfter ?? new Date(Date.now() + 24 * 3600_000);
    await run(this.dir, [
      "ca",
      "-batch",
      "-name",
      "myca",
      "-config",
      extFile,
      "-extfile",
      extFile,
      "-extensions",
      "ext",
      "-in",
      csrFile,
      "-out",
      certFile,
      "-notext",
      "-preserveDN",
      "-startdate",
      asn1Time(notBefore),
      "-enddate",
      asn1Time(notAfter),
      ...(issuer
        ? ["-cert", issuer.certFile, "-keyfile", issuer.keyFile]
        : ["-selfsign", "-keyfile", keyFile]),
    ]);
    const pem = await Deno.readTextFile(`${this.dir}/${certFile}`);
    const b64 = pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
    const der = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const keyPem = await Deno.readTextFile(`${this.dir}/${keyFile}`);
    return { pem, der, keyPem, certFile, keyFile };
  }

  /** Removes the directory. */
  async close(): Promise<void> {
    await Deno.remove(this.dir, { recursive: true });
  }
}

/** Extensions of an RFC 3161 TSA leaf. */
export const TSA_EXTENSIONS = [
  "basicConstraints=CA:FALSE",
  "keyUsage=critical,digitalSignature",
  "extendedKeyUsage=critical,timeStamping",
];

/** Options for {@linkcode timestampToken}. */
export interface TimestampOptions {
  /** The TSA certificate and key. */
  tsa: TestCert;
  /** Certificates to include besides the TSA's (e.g. its root). */
  chain: TestCert[];
  /** Message imprint hash (default sha256). */
  hash?: "sha256" | "sha384" | "sha512";
  /** `sha1` makes openssl write ESS signing-certificate (v1) instead of v2. */
  essCertIdAlg?: "sha256" | "sha1";
}

/** Makes a DER TimeStampToken over `data` with `openssl ts` acting as the TSA. */
export async function timestampToken(
  pki: OpensslPki,
  data: Uint8Array,
  opts: TimestampOptions,
): Promise<Uint8Array<ArrayBuffer>> {
  const id = crypto.randomUUID();
  const dir = pki.dir;
  await Deno.writeFile(`${dir}/${id}.bin`, data);
  await Deno.writeTextFile(`${dir}/${id}.serial`, "01\n");
  await Deno.writeTextFile(`${dir}/${id}-chain.pem`, opts.chain.map((c) => c.pem).join(""));
  await Deno.writeTextFile(
    `${dir}/${id}.cnf`,
    [
      "[tsa]",
      "default_tsa = tsa_config",
      "[tsa_config]",
      `serial = ${id}.serial`,
      "crypto_device = builtin",
      "signer_digest = sha256",
      "default_policy = 1.2.3.4.1",
      "digests = sha256, sha384, sha512",
      "accuracy = secs:1",
      "ordering = yes",
      "tsa_name = no",
      "ess_cert_id_chain = no",
      `ess_cert_id_alg = ${opts.essCertIdAlg ?? "sha256"}`,
      "",
    ].join("\n"),
  );
  await run(dir, [
    "ts",
    "-query",
    "-data",
    `${id}.bin`,
    `-${opts.hash ?? "sha256"}`,
    "-cert",
    "-out",
    `${id}.tsq`,
  ]);
  await run(dir, [
    "ts",
    "-reply",
    "-config",
    `${id}.cnf`,
    "-queryfile",
    `${id}.tsq`,
    "-signer",
    opts.tsa.certFile,
    "-inkey",
    opts.tsa.keyFile,
    "-chain",
    `${id}-chain.pem`,
    "-token_out",
    "-out",
    `${id}.tst`,
  ]);
  return await Deno.readFile(`${dir}/${id}.tst`);
}

/** How an {@linkcode OpensslTsaServer} answers the next requests. */
export type TsaMode =
  | "ok"
  | "status500"
  | "garbage"
  | "otherImprint"
  | "huge"
  | "wrongContentType"
  | "slow";

/** A loopback RFC 3161 TSA: each POST is answered by a real `openssl ts -reply`. */
export interface OpensslTsaServer {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  /** How it answers (default `ok`); change it between requests. */
  mode: TsaMode;
  /** How many requests it received. */
  readonly requests: number;
  /** Stops the server. */
  stop(): Promise<void>;
}

/**
 * Serves RFC 3161 over HTTP on a free loopback port with `openssl ts -reply -queryfile` as the
 * TSA (`tsa` signs, the `chain` certificates are included). Modes break the answer on purpose:
 * HTTP 500, garbage bytes, a real token over another imprint, 2 MiB of zeros, a wrong content
 * type, or (`slow`) an answer that never comes until the server stops.
 */
export function startOpensslTsa(
  pki: OpensslPki,
  opts: { tsa: TestCert; chain: TestCert[] },
): Promise<OpensslTsaServer> {
  const dir = pki.dir;
  const id = crypto.randomUUID();
  const chainFile = `${id}-tsa-chain.pem`;
  const cnf = `${id}-tsa.cnf`;
  let requests = 0;
  const pending = new Set<() => void>();
  const reply = async (query: Uint8Array): Promise<Uint8Array> => {
    const n = ++requests;
    await Deno.writeFile(`${dir}/${id}-${n}.tsq`, query);
    await run(dir, [
      "ts",
      "-reply",
      "-config",
      cnf,
      "-queryfile",
      `${id}-${n}.tsq`,
      "-signer",
      opts.tsa.certFile,
      "-inkey",
      opts.tsa.keyFile,
      "-chain",
      chainFile,
      "-out",
      `${id}-${n}.tsr`,
    ]);
    return await Deno.readFile(`${dir}/${id}-${n}.tsr`);
  };
  const otherQuery = async (): Promise<Uint8Array> => {
    await Deno.writeTextFile(`${dir}/${id}-other.bin`, "some other signature");
    await run(dir, [
      "ts",
      "-query",
      "-data",
      `${id}-other.bin`,
      "-sha256",
      "-cert",
      "-out",
      `${id}-other.tsq`,
    ]);
    return await Deno.readFile(`${dir}/${id}-other.tsq`);
  };
  const setup = async (): Promise<OpensslTsaServer> => {
    await Deno.writeTextFile(`${dir}/${id}-tsa.serial`, "01\n");
    await Deno.writeTextFile(`${dir}/${chainFile}`, opts.chain.map((c) => c.pem).join(""));
    await Deno.writeTextFile(
      `${dir}/${cnf}`,
      [
        "[tsa]",
        "default_tsa = tsa_config",
        "[tsa_config]",
        `serial = ${id}-tsa.serial`,
        "crypto_device = builtin",
        "signer_digest = sha256",
        "default_policy = 1.2.3.4.1",
        "digests = sha256, sha384, sha512",
        "accuracy = secs:1",
        "ordering = yes",
        "tsa_name = no",
        "ess_cert_id_chain = no",
        "ess_cert_id_alg = sha256",
        "",
      ].join("\n"),
    );
    const state = { mode: "ok" as TsaMode };
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      async (req) => {
        const query = new Uint8Array(await req.arrayBuffer());
        const type = { "content-type": "application/timestamp-reply" };
        switch (state.mode) {
          case "status500":
            ++requests;
            return new Response("TSA exploded", { status: 500 });
          case "garbage":
            ++requests;
            return new Response("definitely not DER", { headers: type });
          case "huge":
            ++requests;
            return new Response(new Uint8Array(2 * 1024 * 1024), { headers: type });
          case "wrongContentType":
            return new Response(await reply(query) as Uint8Array<ArrayBuffer>, {
              headers: { "content-type": "text/plain" },
            });
          case "otherImprint":
            return new Response(await reply(await otherQuery()) as Uint8Array<ArrayBuffer>, {
              headers: type,
            });
          case "slow":
            ++requests;
            await new Promise<void>((resolve) => pending.add(resolve));
            return new Response("too late", { status: 500 });
          default:
            return new Response(await reply(query) as Uint8Array<ArrayBuffer>, {
              headers: type,
            });
        }
      },
    );
    return {
      url: `http://127.0.0.1:${server.addr.port}/`,
      get mode() {
        return state.mode;
      },
      set mode(m: TsaMode) {
        state.mode = m;
      },
      get requests() {
        return requests;
      },
      stop: async () => {
        for (const resolve of pending) resolve();
        await server.shutdown();
      },
    };
  };
  return setup();
}
