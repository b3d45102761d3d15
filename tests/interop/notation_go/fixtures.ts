/**
 * Fixtures for tests that drive the notation peer: a code-signing PKI made with real `openssl`, a
 * notation config directory (trust policy + trust store), a tiny OCI layout pushed with real
 * `oras`, a real `docker-registry` (CNCF Distribution) on a free loopback port, and an RFC 3161
 * TSA answered by `openssl ts -reply`.
 *
 * @module
 */
import { runPeer } from "../../_helpers/peers.ts";
import { genpkey } from "../../_helpers/rsa_key_pool.ts";
import { freePort, spawnServer } from "../../_helpers/server_process.ts";

/** Key algorithm of a generated chain: RSA-2048/3072/4096 or EC P-256/P-384/P-521. */
export type KeySpec = "rsa-2048" | "rsa-3072" | "rsa-4096" | "ec-256" | "ec-384" | "ec-521";

/** Files of a two-level chain (self-signed root CA + code-signing leaf), all PEM. */
export interface TestPki {
  /** The root CA certificate: put it in a notation trust store. */
  rootCert: string;
  /** The leaf private key (PKCS#8, mode 0600). */
  leafKey: string;
  /** The leaf certificate alone. */
  leafCert: string;
  /** Leaf then root: what `notation-peer sign --cert` takes. */
  chain: string;
  /** The leaf subject as notation prints it in a trusted identity, e.g. `C=US, ST=WA, O=...`. */
  subject: string;
}

/** openssl config: `req` settings, extension sections, and a minimal `ca` database. */
function opensslConfig(prefix: string): string {
  return `[ req ]
distinguished_name = dn
[ dn ]
[ ca ]
default_ca = test_ca
[ test_ca ]
database = ${prefix}ca-index.txt
new_certs_dir = ${prefix}ca-issued
serial = ${prefix}ca-serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
[ policy_any ]
commonName = supplied
[ v3_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ v3_leaf ]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_tsa ]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;
}

async function openssl(bin: string, args: string[], cwd: string): Promise<void> {
  const result = await runPeer(bin, args, { cwd });
  if (result.code !== 0) {
    throw new Error(`openssl ${args[0]} failed (exit ${result.code}): ${result.stderr.trim()}`);
  }
}

/** The `openssl genpkey` arguments of a key of `spec`. */
function keyArgs(spec: KeySpec): string[] {
  const [kind, size] = spec.split("-") as [string, string];
  return kind === "rsa"
    ? ["-algorithm", "RSA", "-pkeyopt", `rsa_keygen_bits:${size}`]
    : ["-algorithm", "EC", "-pkeyopt", `ec_paramgen_curve:P-${size}`];
}

/** `YYYYMMDDHHMMSSZ` for openssl ca, `offsetHours` from now. */
function opensslTime(offsetHours: number): string {
  return new Date(Date.now() + offsetHours * 3_600_000).toISOString().replace(/[-:T]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

/** Paths of a root CA and one leaf issued by it. */
interface IssuedChain {
  rootKey: string;
  rootCert: string;
  leafKey: string;
  leafCert: string;
}

/**
 * Issues a self-signed root CA and a leaf with `openssl ca`, both valid from one hour ago (so
 * that a timestamp's lower bound is inside their validity) for two days. Files are
 * `<prefix>root.key`, `<prefix>root.crt`, `<prefix>leaf.key` (0600), `<prefix>leaf.crt`.
 */
async function issueChain(
  bin: string,
  dir: string,
  prefix: string,
  spec: KeySpec,
  subjects: { root: string; leaf: string },
  leafExtensions: "v3_leaf" | "v3_tsa",
): Promise<IssuedChain> {
  const cnf = `${prefix}openssl.cnf`;
  await Deno.writeTextFile(cnf, opensslConfig(prefix));
  await Deno.writeTextFile(`${prefix}ca-index.txt`, "");
  await Deno.writeTextFile(
    `${prefix}ca-serial`,
    crypto.randomUUID().replaceAll("-", "").slice(0, 16) + "\n",
  );
  await Deno.mkdir(`${prefix}ca-issued`, { recursive: true });
  const validity = ["-startdate", opensslTime(-1), "-enddate", opensslTime(48)];
  const chain: IssuedChain = {
    rootKey: `${prefix}root.key`,
    rootCert: `${prefix}root.crt`,
    leafKey: `${prefix}leaf.key`,
    leafCert: `${prefix}leaf.crt`,
  };
  await genpkey((args) => openssl(bin, args, dir), dir, chain.rootKey, keyArgs(spec));
  await openssl(bin, [
    "req",
    "-new",
    "-key",
    chain.rootKey,
    "-subj",
    subjects.root,
    "-config",
    cnf,
    "-out",
    `${prefix}root.csr`,
  ], dir);
  await openssl(bin, [
    "ca",
    "-batch",
    "-notext",
    "-preserveDN",
    "-config",
    cnf,
    "-selfsign",
    "-keyfile",
    chain.rootKey,
    "-in",
    `${prefix}root.csr`,
    "-extensions",
    "v3_ca",
    ...validity,
    "-out",
    chain.rootCert,
  ], dir);
  await genpkey((args) => openssl(bin, args, dir), dir, chain.leafKey, keyArgs(spec));
  await Deno.chmod(chain.leafKey, 0o600);
  await openssl(bin, [
    "req",
    "-new",
    "-key",
    chain.leafKey,
    "-subj",
    subjects.leaf,
    "-config",
    cnf,
    "-out",
    `${prefix}leaf.csr`,
  ], dir);
  await openssl(bin, [
    "ca",
    "-batch",
    "-notext",
    "-preserveDN",
    "-config",
    cnf,
    "-cert",
    chain.rootCert,
    "-keyfile",
    chain.rootKey,
    "-in",
    `${prefix}leaf.csr`,
    "-extensions",
    leafExtensions,
    ...validity,
    "-out",
    chain.leafCert,
  ], dir);
  return chain;
}

/**
 * Makes a root CA and a code-signing leaf (keyUsage digitalSignature critical, EKU codeSigning)
 * with real openssl in `dir`; both keys use `spec`. Both certificates are valid from one hour ago
 * for two days.
 *
 * @example
 * ```ts
 * const pki = await makeTestPki("openssl", "/tmp/x", "ec-256", "alpha");
 * ```
 */
export async function makeTestPki(
  opensslBin: string,
  dir: string,
  spec: KeySpec,
  name: string,
): Promise<TestPki> {
  const org = "/C=US/ST=WA/L=Seattle/O=ocisign test";
  const issued = await issueChain(opensslBin, dir, `${dir}/${name}-`, spec, {
    root: `${org}/CN=${name} root`,
    leaf: `${org}/CN=${name} leaf`,
  }, "v3_leaf");
  const chain = `${dir}/${name}-chain.crt`;
  const chainPem = (await Deno.readTextFile(issued.leafCert)) +
    (await Deno.readTextFile(issued.rootCert));
  await Deno.writeTextFile(chain, chainPem);
  return {
    rootCert: issued.rootCert,
    leafKey: issued.leafKey,
    leafCert: issued.leafCert,
    chain,
    subject: `C=US, ST=WA, L=Seattle, O=ocisign test, CN=${name} leaf`,
  };
}

/** One statement of a notation 1.x `trustpolicy.json`. */
export interface TrustPolicyStatement {
  name: string;
  registryScopes: string[];
  signatureVerification: { level: string; override?: Record<string, string> };
  trustStores: string[];
  trustedIdentities: string[];
}

/**
 * Writes a notation config directory: `trustpolicy.json` (version 1.0) and, for every
 * `"type:name"` key of `stores`, the given certificate files copied into
 * `truststore/x509/<type>/<name>/`. Returns the directory path.
 *
 * @example
 * ```ts
 * const cfg = await writeNotationConfig("/tmp/x/cfg", [], { "ca:test": ["/tmp/x/root.crt"] });
 * ```
 */
export async function writeNotationConfig(
  configDir: string,
  statements: TrustPolicyStatement[],
  stores: Record<string, string[]>,
): Promise<string> {
  await Deno.mkdir(configDir, { recursive: true, mode: 0o700 });
  const policy = { version: "1.0", trustPolicies: statements };
  await Deno.writeTextFile(`${configDir}/trustpolicy.json`, JSON.stringify(policy, null, 4));
  for (const [key, certs] of Object.entries(stores)) {
    const [type, name] = key.split(":") as [string, string];
    const storeDir = `${configDir}/truststore/x509/${type}/${name}`;
    await Deno.mkdir(storeDir, { recursive: true, mode: 0o700 });
    for (const cert of certs) {
      await Deno.copyFile(cert, `${storeDir}/${cert.slice(cert.lastIndexOf("/") + 1)}`);
    }
  }
  return configDir;
}

/**
 * Builds a strict trust policy statement for `scope` trusting the `ca:<store>` store and the
 * given identities (default `*`).
 *
 * @example
 * ```ts
 * const st = strictPolicy("local/hello", "test");
 * ```
 */
export function strictPolicy(
  scope: string,
  store: string,
  identities: string[] = ["*"],
): TrustPolicyStatement {
  return {
    name: `policy-${store}`,
    registryScopes: [scope],
    signatureVerification: { level: "strict" },
    trustStores: [`ca:${store}`],
    trustedIdentities: identities,
  };
}

/**
 * Pushes a one-file artifact into a new OCI layout `<dir>/<name>` with real oras, tagged `tag`,
 * and returns the layout path and the artifact's manifest digest.
 *
 * @example
 * ```ts
 * const { layout, digest } = await makeOrasLayout("oras", "/tmp/x", "hello", "v1");
 * ```
 */
export async function makeOrasLayout(
  orasBin: string,
  dir: string,
  name: string,
  tag: string,
): Promise<{ layout: string; digest: string }> {
  await Deno.writeTextFile(`${dir}/${name}.txt`, `hello from ${name}\n`);
  const layout = `${dir}/${name}`;
  const pushed = await runPeer(
    orasBin,
    ["push", "--oci-layout", `${layout}:${tag}`, `${name}.txt`],
    {
      cwd: dir,
    },
  );
  if (pushed.code !== 0) throw new Error(`oras push failed: ${pushed.stderr.trim()}`);
  const match = pushed.stdout.match(/Digest: (sha256:[0-9a-f]{64})/);
  if (!match?.[1]) throw new Error(`oras push printed no digest: ${pushed.stdout}`);
  return { layout, digest: match[1] };
}

/** A running `docker-registry` on 127.0.0.1. */
export interface TestRegistry {
  /** `127.0.0.1:<port>` */
  host: string;
  /** Stops the process and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts Debian's `docker-registry` (CNCF Distribution 2.8) with storage in `storageDir` on a
 * free loopback port, and waits until `/v2/` answers. Deletes are disabled, as in the
 * registry's default configuration.
 *
 * @example
 * ```ts
 * const reg = await startRegistry("docker-registry", "/tmp/x/reg");
 * await reg.stop();
 * ```
 */
export async function startRegistry(bin: string, storageDir: string): Promise<TestRegistry> {
  await Deno.mkdir(storageDir, { recursive: true });
  const host = `127.0.0.1:${freePort()}`;
  const config = `${storageDir}/config.yml`;
  await Deno.writeTextFile(
    config,
    `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${storageDir}/data
http:
  addr: ${host}
`,
  );
  const server = await spawnServer(bin, ["serve", config], host);
  return { host, stop: server.stop };
}

/** A running RFC 3161 timestamping authority backed by `openssl ts -reply`. */
export interface TestTsa {
  /** `http://127.0.0.1:<port>/`: what `--timestamp-url` takes. */
  url: string;
  /** The TSA root certificate: `--timestamp-root-cert`, and a notation `tsa:` store. */
  rootCert: string;
  /** Stops the HTTP server. */
  stop(): Promise<void>;
}

function tsaConfig(dir: string): string {
  return `[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = ${dir}/tsa-serial
crypto_device = builtin
signer_cert = ${dir}/tsa-leaf.crt
certs = ${dir}/tsa-root.crt
signer_key = ${dir}/tsa-leaf.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`;
}

/**
 * Makes a TSA root and a TSA leaf (EKU timeStamping, critical) with openssl in `dir`, and serves
 * RFC 3161 over HTTP on a free loopback port: each `application/timestamp-query` POST is answered
 * by a real `openssl ts -reply` (ESS signing-certificate-v2, certificates included on request).
 *
 * @example
 * ```ts
 * const tsa = await startTestTsa("openssl", "/tmp/x");
 * await tsa.stop();
 * ```
 */
export async function startTestTsa(opensslBin: string, dir: string): Promise<TestTsa> {
  const p = (f: string): string => `${dir}/tsa-${f}`;
  await Deno.writeTextFile(p("ts.cnf"), tsaConfig(dir));
  await Deno.writeTextFile(p("serial"), "01\n");
  const org = "/C=US/ST=WA/O=ocisign test TSA";
  await issueChain(opensslBin, dir, p(""), "rsa-2048", {
    root: `${org}/CN=TSA root`,
    leaf: `${org}/CN=TSA`,
  }, "v3_tsa");

  let requests = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    if (req.method !== "POST") return new Response("POST a timestamp query", { status: 405 });
    const n = ++requests;
    const query = `${dir}/tsa-query-${n}.tsq`;
    const reply = `${dir}/tsa-reply-${n}.tsr`;
    await Deno.writeFile(query, new Uint8Array(await req.arrayBuffer()));
    const result = await runPeer(opensslBin, [
      "ts",
      "-reply",
      "-config",
      p("ts.cnf"),
      "-queryfile",
      query,
      "-out",
      reply,
    ], { cwd: dir });
    if (result.code !== 0) return new Response(result.stderr, { status: 500 });
    return new Response(await Deno.readFile(reply), {
      headers: { "Content-Type": "application/timestamp-reply" },
    });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    rootCert: p("root.crt"),
    stop: () => server.shutdown(),
  };
}
