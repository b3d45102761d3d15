/**
 * Shared helpers of the cross-tool interop tests (`tests/interop/ocisign_*_test.ts`) and the
 * end-to-end tests (`tests/e2e/`): temp directories, ocisign's CLI run in-process against a given
 * config directory and working directory, layout copies, and byte-level tampering of a signature
 * envelope stored in an OCI layout.
 *
 * @module
 */
import { type CliResult, runCli, testIo } from "./cli.ts";
import { main } from "../../lib/cli/main.ts";
import type { PeerResult } from "./peers.ts";
import { makeTestPki, type TestPki, writeNotationConfig } from "../interop/notation_go/fixtures.ts";

/** The artifact type (and 1.x config media type) of a Notary Project signature manifest. */
export const NOTARY_SIGNATURE = "application/vnd.cncf.notary.signature";

/**
 * Creates a temp directory, runs `fn` in it and removes it afterwards, even when `fn` throws.
 *
 * @example
 * ```ts ignore
 * await withTempDir("ocisign-e2e-", async (dir) => { await Deno.writeTextFile(`${dir}/a`, "a"); });
 * ```
 */
export async function withTempDir(
  prefix: string,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Runs ocisign's CLI in-process with `OCISIGN_CONFIG_DIR=configDir`, working directory `cwd` (also
 * the home directory) and no other environment; `now` replaces the clock, `stdin` is what
 * `--password-stdin` reads.
 *
 * @example
 * ```ts ignore
 * const r = await ocisign({ cwd: dir, configDir: `${dir}/cfg` }, "list", "--oci-layout", "./x:v1");
 * ```
 */
export function ocisign(
  where: { cwd: string; configDir: string; now?: () => Date; stdin?: string },
  ...argv: string[]
): Promise<CliResult> {
  return runCli(argv, {
    cwd: where.cwd,
    home: where.cwd,
    env: { OCISIGN_CONFIG_DIR: where.configDir },
    ...(where.now ? { now: where.now } : {}),
    ...(where.stdin !== undefined ? { stdin: where.stdin } : {}),
  });
}

/**
 * A strict OCI trust policy that trusts any identity of the CA store `ca:<store>` in `scopes`,
 * as the content of `trustpolicy.oci.json`.
 *
 * @example
 * ```ts ignore
 * await Deno.writeTextFile(`${dir}/config/trustpolicy.oci.json`, strictOciPolicy("remote.example"));
 * ```
 */
export function strictOciPolicy(store: string, scopes: string[] = ["*"]): string {
  return JSON.stringify({
    version: "1.0",
    trustPolicies: [{
      name: "local",
      registryScopes: scopes,
      signatureVerification: { level: "strict" },
      trustStores: [`ca:${store}`],
      trustedIdentities: ["*"],
    }],
  });
}

/**
 * Describes a CLI or peer run for an assertion message: exit code, stdout and stderr.
 *
 * @example
 * ```ts ignore
 * assertEquals(r.code, 0, describeRun(r));
 * ```
 */
export function describeRun(r: CliResult | PeerResult): string {
  return `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
}

/**
 * Parses the JSON an `-o json` command printed on stdout, failing with the run's output when it
 * is not JSON.
 *
 * @example
 * ```ts ignore
 * const listed = stdoutJson(await ocisign(w, "list", ref, "-o", "json"));
 * ```
 */
export function stdoutJson(r: CliResult): Record<string, unknown> {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`stdout is not JSON:\n${describeRun(r)}`);
  }
}

/**
 * The digest of the signature manifest that `ocisign sign` reported ("Pushed the signature to
 * REF@sha256:...").
 *
 * @example
 * ```ts ignore
 * const sig = pushedSignature(await ocisign(w, "sign", "--oci-layout", "./x:v1"));
 * ```
 */
export function pushedSignature(r: CliResult): string {
  const match = r.stdout.match(/^Pushed the signature to \S+@(sha256:[0-9a-f]{64})$/m);
  if (!match?.[1]) throw new Error(`ocisign sign reported no signature digest:\n${describeRun(r)}`);
  return match[1];
}

/**
 * Copies a directory tree (an OCI layout) to a new path.
 *
 * @example
 * ```ts ignore
 * await copyDir(`${dir}/pristine`, `${dir}/case-1`);
 * ```
 */
export async function copyDir(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    const src = `${from}/${entry.name}`;
    const dst = `${to}/${entry.name}`;
    if (entry.isDirectory) await copyDir(src, dst);
    else await Deno.copyFile(src, dst);
  }
}

function blobPath(layout: string, digest: string): string {
  return `${layout}/blobs/sha256/${digest.slice("sha256:".length)}`;
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return `sha256:${Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** A layer descriptor of a signature manifest. */
interface LayerDescriptor {
  mediaType: string;
  digest: string;
  size: number;
}

/**
 * Reads a signature manifest from a layout and returns it with its single envelope layer.
 *
 * @example
 * ```ts ignore
 * const { envelope } = await readSignatureManifest(layout, sigDigest);
 * ```
 */
export async function readSignatureManifest(
  layout: string,
  digest: string,
): Promise<{ manifest: Record<string, unknown>; envelope: LayerDescriptor }> {
  const manifest = JSON.parse(await Deno.readTextFile(blobPath(layout, digest)));
  const layers = manifest.layers as LayerDescriptor[];
  if (layers.length !== 1) throw new Error(`${digest} has ${layers.length} layers, expected 1`);
  return { manifest, envelope: layers[0]! };
}

/**
 * Changes one byte of an envelope so that it stays well formed but its signature no longer
 * matches: in a JWS, one base64url character inside the `signature` member; in a COSE_Sign1, the
 * last byte (inside the signature bstr).
 */
function flipSignatureByte(bytes: Uint8Array, mediaType: string): Uint8Array {
  const out = bytes.slice();
  if (mediaType === "application/jose+json") {
    const text = new TextDecoder().decode(bytes);
    const at = text.indexOf('"signature":"');
    if (at < 0) throw new Error("the JWS envelope has no signature member");
    const i = at + '"signature":"'.length + 10;
    out[i] = out[i] === 0x41 ? 0x42 : 0x41; // 'A' <-> 'B' (another base64url character)
  } else {
    out[out.length - 1] = out[out.length - 1]! ^ 0x01;
  }
  return out;
}

/**
 * Tampers with the envelope blob of a signature in place: one byte of the signature is changed
 * and the file keeps its name, so the blob no longer matches the digest it is stored under.
 *
 * @example
 * ```ts ignore
 * await tamperEnvelopeInPlace(layout, sigDigest);
 * ```
 */
export async function tamperEnvelopeInPlace(layout: string, signature: string): Promise<void> {
  const { envelope } = await readSignatureManifest(layout, signature);
  const path = blobPath(layout, envelope.digest);
  const bytes = await Deno.readFile(path);
  await Deno.chmod(path, 0o644);
  await Deno.writeFile(path, flipSignatureByte(bytes, envelope.mediaType));
}

/**
 * Tampers with the envelope of a signature and keeps the layout consistent: the changed envelope
 * is stored under its new digest (the old blob is renamed), the signature manifest is rewritten to
 * point at it and stored under its own new digest, and `index.json` lists the new manifest instead
 * of the old one. Every digest check passes; only the signature itself is wrong.
 *
 * @returns The digest of the rewritten signature manifest.
 *
 * @example
 * ```ts ignore
 * const forged = await tamperEnvelopeRelinked(layout, sigDigest);
 * ```
 */
export async function tamperEnvelopeRelinked(layout: string, signature: string): Promise<string> {
  const { envelope } = await readSignatureManifest(layout, signature);
  const bytes = await Deno.readFile(blobPath(layout, envelope.digest));
  return await replaceEnvelopeRelinked(
    layout,
    signature,
    flipSignatureByte(bytes, envelope.mediaType),
  );
}

/**
 * Replaces the envelope of a signature with `tampered` and keeps the layout consistent, as
 * {@linkcode tamperEnvelopeRelinked} does.
 *
 * @returns The digest of the rewritten signature manifest.
 *
 * @example
 * ```ts ignore
 * const forged = await replaceEnvelopeRelinked(layout, sigDigest, craftedEnvelope);
 * ```
 */
export async function replaceEnvelopeRelinked(
  layout: string,
  signature: string,
  tampered: Uint8Array,
): Promise<string> {
  const { manifest, envelope } = await readSignatureManifest(layout, signature);
  const oldEnvelopePath = blobPath(layout, envelope.digest);
  const envelopeDigest = await sha256(tampered);
  await Deno.rename(oldEnvelopePath, blobPath(layout, envelopeDigest));
  await Deno.chmod(blobPath(layout, envelopeDigest), 0o644);
  await Deno.writeFile(blobPath(layout, envelopeDigest), tampered);

  const rewritten = {
    ...manifest,
    layers: [{ ...envelope, digest: envelopeDigest, size: tampered.length }],
  };
  const manifestBytes = new TextEncoder().encode(JSON.stringify(rewritten));
  const manifestDigest = await sha256(manifestBytes);
  await Deno.writeFile(blobPath(layout, manifestDigest), manifestBytes);
  await Deno.remove(blobPath(layout, signature));

  const index = JSON.parse(await Deno.readTextFile(`${layout}/index.json`));
  const entry = index.manifests.find((m: { digest: string }) => m.digest === signature);
  if (!entry) throw new Error(`${signature} is not listed in ${layout}/index.json`);
  entry.digest = manifestDigest;
  entry.size = manifestBytes.length;
  await Deno.writeTextFile(`${layout}/index.json`, JSON.stringify(index));
  return manifestDigest;
}

/** The openssl chains the interop tests sign with: `rsa` and `ec` are trusted, `mallory` is not. */
export interface InteropSigners {
  /** RSA-2048 chain; its root is in trust store `ca:rsa`. */
  rsa: TestPki;
  /** EC P-256 chain; its root is in trust store `ca:ec`. */
  ec: TestPki;
  /** EC P-256 chain whose root is in no trust store. */
  mallory: TestPki;
}

/**
 * Makes the three openssl chains of {@linkcode InteropSigners} in `dir`, writes a notation config
 * directory `configDir` with one strict statement for `scopes` trusting `ca:rsa` and `ca:ec`
 * (identities `*`), and adds all three keys to ocisign's signing keys there (`key add rsa|ec|
 * mallory`), so that ocisign signs with `--key NAME` and notation-peer with the PEM files.
 *
 * @example
 * ```ts ignore
 * const signers = await makeInteropSigners("openssl", dir, `${dir}/cfg`, ["local/hello"]);
 * ```
 */
export async function makeInteropSigners(
  opensslBin: string,
  dir: string,
  configDir: string,
  scopes: string[],
): Promise<InteropSigners> {
  const [rsa, ec, mallory] = await Promise.all([
    makeTestPki(opensslBin, dir, "rsa-2048", "rsa"),
    makeTestPki(opensslBin, dir, "ec-256", "ec"),
    makeTestPki(opensslBin, dir, "ec-256", "mallory"),
  ]);
  await writeNotationConfig(configDir, [{
    name: "interop",
    registryScopes: scopes,
    signatureVerification: { level: "strict" },
    trustStores: ["ca:rsa", "ca:ec"],
    trustedIdentities: ["*"],
  }], { "ca:rsa": [rsa.rootCert], "ca:ec": [ec.rootCert] });
  const signers = { rsa, ec, mallory };
  for (const [name, pki] of Object.entries(signers)) {
    const added = await ocisign(
      { cwd: dir, configDir },
      "key",
      "add",
      name,
      "--key",
      pki.leafKey,
      "--cert",
      pki.chain,
    );
    if (added.code !== 0) throw new Error(`ocisign key add ${name} failed:\n${describeRun(added)}`);
  }
  return signers;
}

/** An `ocisign serve` running in-process. */
export interface OcisignServer {
  /** `127.0.0.1:<port>`. */
  host: string;
  /** Stops the server (as an interrupt would) and waits for the command to return. */
  stop(): Promise<void>;
}

/**
 * Runs `ocisign serve ROOT --addr 127.0.0.1:0` in-process (its request log is discarded) and
 * waits until it prints where it listens.
 *
 * @example
 * ```ts ignore
 * const server = await startOcisignServe(`${dir}/repos`, dir);
 * try { await fetch(`http://${server.host}/v2/`); } finally { await server.stop(); }
 * ```
 */
export async function startOcisignServe(root: string, cwd: string): Promise<OcisignServer> {
  const abort = new AbortController();
  const { io, output } = testIo({ cwd, signal: abort.signal });
  const done = main(["serve", root, "--addr", "127.0.0.1:0"], io);
  const stop = async (): Promise<void> => {
    abort.abort();
    const code = await done;
    // an interrupted serve exits 130, as on Ctrl-C
    if (code !== 130) throw new Error(`ocisign serve exited with ${code}: ${output().stderr}`);
  };
  let exited = false;
  done.then(() => exited = true, () => exited = true);
  for (let i = 0; i < 200 && !exited; i++) {
    const match = output().stdout.match(/ at http:\/\/(127\.0\.0\.1:\d+)\n/);
    if (match?.[1]) return { host: match[1], stop };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  await stop().catch(() => {});
  throw new Error(`ocisign serve did not start: ${output().stderr}`);
}
