/**
 * One configuration directory shared by ocisign and the real notation 2 CLI, laid out as notation
 * lays it out (`$XDG_CONFIG_HOME/notation`): an openssl root CA in trust store `ca:wabbit`, two
 * signing keys under it (`rsa`: RSA-2048, `ec`: EC P-384, whose blobs are hashed with sha384), a
 * loopback `openssl ts` TSA whose root is in `tsa:tsa`, and a blob trust policy with a global
 * statement `releases` (exact trusted identity) and a statement `stamped` that requires a
 * timestamp.
 */
import type { CliResult, CliRunOptions, CliSandbox } from "../_helpers/cli.ts";
import { cliSandbox } from "../_helpers/cli.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";
import type { PeerResult } from "../_helpers/peers.ts";
import { ok } from "../cli/commands/_fixture.ts";
import {
  CA_EXTENSIONS,
  LEAF_EXTENSIONS,
  OpensslPki,
  startOpensslTsa,
  TSA_EXTENSIONS,
} from "../verify/_openssl_pki.ts";
import type { OpensslTsaServer } from "../verify/_openssl_pki.ts";

/** The real notation 2 CLI (`../shared/peers/linux-amd64` is on PATH in CI). */
export const NOTATION = findPeer("notation-2.0.0-alpha.1");

/** `openssl`, for the PKI and the TSA. */
export const OPENSSL = findPeer("openssl");

/** The shared set-up. */
export interface BlobInterop {
  /** The sandbox; `files` is its working directory for blobs. */
  sb: CliSandbox;
  /** The notation configuration directory ocisign uses too. */
  configDir: string;
  /** Where the test blobs are. */
  files: string;
  /** The TSA. */
  tsa: OpensslTsaServer;
  /** The TSA's root certificate file. */
  tsaRootFile: string;
  /** Runs ocisign on the shared configuration. */
  ocisign(...argv: string[]): Promise<CliResult>;
  /** Runs ocisign with a clock. */
  ocisignAt(now: Date, ...argv: string[]): Promise<CliResult>;
  /** Runs notation 2 on the shared configuration, in `files`. */
  notation(...argv: string[]): Promise<PeerResult>;
  /** Removes everything. */
  close(): Promise<void>;
}

/** Trusted identity of the statement `releases`. */
export const IDENTITY = "x509.subject: C=US, ST=WA, O=wabbit-networks";

/**
 * Runs notation 2 in `cwd` with its configuration in `<sandbox>/xdg/notation` and its cache in
 * `<sandbox>/cache`.
 */
export function notationIn(
  sb: CliSandbox,
  cwd: string,
): (...argv: string[]) => Promise<PeerResult> {
  return (...argv) =>
    runPeer(NOTATION!, argv, {
      cwd,
      // TZ: notation prints times in local time, ocisign in UTC
      env: {
        XDG_CONFIG_HOME: `${sb.dir}/xdg`,
        XDG_CACHE_HOME: `${sb.dir}/cache`,
        HOME: sb.home,
        TZ: "UTC",
      },
    });
}

/** Builds the shared set-up; call `close()` in a `finally`. */
export async function blobInterop(): Promise<BlobInterop> {
  const sb = await cliSandbox();
  const pki = await OpensslPki.create();
  const configDir = `${sb.dir}/xdg/notation`;
  const files = `${sb.cwd}/files`;
  await Deno.mkdir(files);
  const env = { OCISIGN_CONFIG_DIR: configDir };
  const ocisign = (...argv: string[]) => sb.runWith({ env }, ...argv);
  const ocisignAt = (now: Date, ...argv: string[]) =>
    sb.runWith({ env, now: () => now } satisfies CliRunOptions, ...argv);
  const notation = notationIn(sb, files);
  let tsa: OpensslTsaServer | undefined;
  try {
    const root = await pki.cert({
      subject: "/C=US/ST=WA/O=wabbit-networks/CN=Wabbit Root",
      extensions: CA_EXTENSIONS,
    });
    for (const [name, key] of [["rsa", "rsa:2048"], ["ec", "ec:P-384"]] as const) {
      const leaf = await pki.cert({
        subject: `/C=US/ST=WA/O=wabbit-networks/CN=${name} release signer`,
        extensions: LEAF_EXTENSIONS,
        issuer: root,
        key,
      });
      await Deno.writeTextFile(`${pki.dir}/${name}-chain.pem`, leaf.pem + root.pem);
      ok(
        await ocisign(
          "key",
          "add",
          name,
          "--key",
          `${pki.dir}/${leaf.keyFile}`,
          "--cert",
          `${pki.dir}/${name}-chain.pem`,
        ),
      );
    }
    ok(
      await ocisign(
        "cert",
        "add",
        "--type",
        "ca",
        "--store",
        "wabbit",
        `${pki.dir}/${root.certFile}`,
      ),
    );
    const tsaRoot = await pki.cert({ subject: "/O=TSA/CN=TSA Root", extensions: CA_EXTENSIONS });
    const tsaLeaf = await pki.cert({
      subject: "/O=TSA/CN=TSA",
      extensions: TSA_EXTENSIONS,
      issuer: tsaRoot,
    });
    tsa = await startOpensslTsa(pki, { tsa: tsaLeaf, chain: [tsaRoot] });
    const tsaRootFile = `${pki.dir}/${tsaRoot.certFile}`;
    ok(await ocisign("cert", "add", "--type", "tsa", "--store", "tsa", tsaRootFile));
    await Deno.writeTextFile(
      `${sb.cwd}/blob-policy.json`,
      JSON.stringify({
        version: "1.0",
        trustPolicies: [
          {
            name: "releases",
            globalPolicy: true,
            signatureVerification: { level: "strict" },
            trustStores: ["ca:wabbit"],
            trustedIdentities: [IDENTITY],
          },
          {
            name: "stamped",
            signatureVerification: { level: "strict" },
            trustStores: ["ca:wabbit", "tsa:tsa"],
            trustedIdentities: ["*"],
          },
        ],
      }),
    );
    ok(await ocisign("blob", "policy", "import", "./blob-policy.json"));
    const server = tsa;
    return {
      sb,
      configDir,
      files,
      tsa: server,
      tsaRootFile,
      ocisign,
      ocisignAt,
      notation,
      close: async () => {
        await server.stop();
        await pki.close();
        await sb.close();
      },
    };
  } catch (err) {
    await tsa?.stop();
    await pki.close();
    await sb.close();
    throw err;
  }
}

/** Writes a blob of `size` pseudo-random bytes into `files` and returns its path. */
export async function writeBlob(files: string, name: string, size = 300_000): Promise<string> {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 65_536) crypto.getRandomValues(bytes.subarray(i, i + 65_536));
  const path = `${files}/${name}`;
  await Deno.writeFile(path, bytes);
  return path;
}
