/**
 * The shared fixture of the tests against the real notation CLI (`notation` v1.3.2 and
 * `notation-2.0.0-alpha.1`): one temp dir, one notation configuration directory that ocisign
 * also uses (`OCISIGN_CONFIG_DIR=<xdg>/notation`), the openssl chains of
 * {@linkcode makeInteropSigners} added with `ocisign key add`, one `docker-registry`
 * (Distribution 2.8: referrers tag schema) and one `ocisign serve` (referrers API), and a pristine
 * image built by ocisign. Every tool is driven the same way ({@linkcode Tool}), so the tests are
 * tables of cases.
 *
 * @module
 */
import { assertEquals } from "../../_helpers/assert.ts";
import { type CliResult, runCli } from "../../_helpers/cli.ts";
import { type Distribution, startDistribution } from "../../_helpers/distribution.ts";
import {
  copyDir,
  describeRun,
  type InteropSigners,
  makeInteropSigners,
  type OcisignServer,
  startOcisignServe,
} from "../../_helpers/e2e.ts";
import {
  findNotationClis,
  findPeer,
  type NotationCli,
  type PeerResult,
  runNotation,
} from "../../_helpers/peers.ts";
import type { TrustPolicyStatement } from "./../notation_go/fixtures.ts";

/** The notation CLI releases found (both, or the tests are ignored). */
export const NOTATION_CLIS: NotationCli[] = findNotationClis();
/** The `openssl` binary (certificates, TSA, OCSP and CRLs). */
export const OPENSSL = findPeer("openssl");
const REGISTRY = findPeer("docker-registry");
/** Whether a peer the notation CLI tests need is missing (each missing one was reported). */
export const MISSING = NOTATION_CLIS.length < 2 || OPENSSL === undefined || REGISTRY === undefined;

/** The scope of layouts under the catch-all trust policy statement. */
export const SCOPE = "local/hello";
/** Envelope media type per `--signature-format`. */
export const ENVELOPE_TYPE = { jws: "application/jose+json", cose: "application/cose" } as const;
/** A signature envelope format. */
export type Format = keyof typeof ENVELOPE_TYPE;
/** A signing key added with `ocisign key add` (`mallory` is in no trust store). */
export type KeyName = "rsa" | "ec" | "mallory";
/** Where the image is: a layout directory, Distribution 2.8, or `ocisign serve`. */
export type Place = "layout" | "distribution" | "serve";
/** `ocisign`, or a notation CLI release (`1.3.2`, `2.0.0-alpha.1`). */
export type ToolName = string;

/** An image a case signs and verifies. */
export interface Target {
  place: Place;
  /** The layout path (for `layout`) or `host/repo` (registries). */
  location: string;
  /** `:v1` or `@sha256:...`. */
  at: string;
}

/** Options of {@linkcode Tool.sign}. */
export interface SignOptions {
  format?: Format;
  key?: KeyName | string;
  metadata?: Record<string, string>;
  expiry?: string;
  timestamp?: { url: string; rootCert: string };
  extra?: string[];
}

/** Options of {@linkcode Tool.verify}. */
export interface VerifyOptions {
  /** `--scope` for layouts (default {@linkcode SCOPE}). */
  scope?: string;
  metadata?: Record<string, string>;
}

/** One tool, driven the same way whichever it is. */
export interface Tool {
  name: ToolName;
  sign(target: Target, options?: SignOptions): Promise<CliResult | PeerResult>;
  verify(target: Target, options?: VerifyOptions): Promise<CliResult | PeerResult>;
  list(target: Target): Promise<CliResult | PeerResult>;
  /** `inspect -o json` (registries only for notation: it has no `--oci-layout` there). */
  inspect(target: Target): Promise<CliResult | PeerResult>;
  /** Any other command. */
  run(args: string[]): Promise<CliResult | PeerResult>;
}

/** Everything a test file shares. */
export interface Fixture {
  dir: string;
  /** The shared configuration directory (notation's `<XDG_CONFIG_HOME>/notation`). */
  config: string;
  /** The shared `XDG_CACHE_HOME` (CRL caches: `notation/crl`, `ocisign/crl`). */
  cacheHome: string;
  pki: InteropSigners;
  distribution: Distribution;
  serve: OcisignServer;
  /** `localhost:<port>` of each registry (plain HTTP for every tool without a flag). */
  hosts: Record<Exclude<Place, "layout">, string>;
  /** The pristine layout (`v1`) that every target starts from. */
  pristine: string;
  /** `ocisign` first, then the notation releases. */
  tools: Tool[];
  tool(name: ToolName): Tool;
  /** A fresh unsigned copy of the pristine image at `place`, named `name`. */
  fresh(place: Place, name: string, from?: string): Promise<Target>;
  /** ocisign with a clock. */
  ocisignAt(now: () => Date, args: string[]): Promise<CliResult>;
  /** Adds statements to the shared trust policy (kept after the catch-all one). */
  addStatements(statements: TrustPolicyStatement[]): Promise<void>;
  close(): Promise<void>;
}

function targetArgs(t: Target): string[] {
  return t.place === "layout" ? ["--oci-layout", `${t.location}${t.at}`] : [`${t.location}${t.at}`];
}

function signArgs(o: SignOptions): string[] {
  const args = ["--signature-format", o.format ?? "jws", "--key", o.key ?? "ec"];
  for (const [k, v] of Object.entries(o.metadata ?? {})) args.push("-m", `${k}=${v}`);
  if (o.expiry) args.push("--expiry", o.expiry);
  if (o.timestamp) {
    args.push("--timestamp-url", o.timestamp.url, "--timestamp-root-cert", o.timestamp.rootCert);
  }
  return [...args, ...(o.extra ?? [])];
}

function verifyArgs(t: Target, o: VerifyOptions): string[] {
  const args = t.place === "layout" ? ["--scope", o.scope ?? SCOPE] : [];
  for (const [k, v] of Object.entries(o.metadata ?? {})) args.push("-m", `${k}=${v}`);
  return args;
}

function makeTool(name: ToolName, run: (args: string[]) => Promise<CliResult | PeerResult>): Tool {
  return {
    name,
    run,
    sign: (t, o = {}) => run(["sign", ...targetArgs(t), ...signArgs(o)]),
    verify: (t, o = {}) => run(["verify", ...targetArgs(t), ...verifyArgs(t, o)]),
    list: (t) => run(["list", ...targetArgs(t)]),
    inspect: (t) => run(["inspect", ...targetArgs(t), "-o", "json"]),
  };
}

/**
 * Sets up the fixture in `dir`: PKI and config, both registries, the pristine image.
 *
 * @example
 * ```ts ignore
 * const fx = await setUp(await Deno.makeTempDir());
 * try { await fx.tool("1.3.2").list(await fx.fresh("layout", "a")); } finally { await fx.close(); }
 * ```
 */
export async function setUp(dir: string): Promise<Fixture> {
  const configHome = `${dir}/xdg`;
  const config = `${configHome}/notation`;
  const cacheHome = `${dir}/cache`;
  const env = { OCISIGN_CONFIG_DIR: config, XDG_CACHE_HOME: cacheHome };
  const ocisignAt = (now: (() => Date) | undefined, args: string[]) =>
    runCli(args, { cwd: dir, home: dir, env, ...(now ? { now } : {}) });
  const pki = await makeInteropSigners(OPENSSL!, dir, config, ["*"]);
  const statements: TrustPolicyStatement[] = [];
  const policyFile = `${config}/trustpolicy.json`;
  const catchAll = JSON.parse(await Deno.readTextFile(policyFile)).trustPolicies;
  const addStatements = async (more: TrustPolicyStatement[]) => {
    statements.push(...more);
    const doc = { version: "1.0", trustPolicies: [...catchAll, ...statements] };
    await Deno.writeTextFile(policyFile, JSON.stringify(doc, null, 4));
  };

  await Deno.mkdir(`${dir}/context`);
  await Deno.writeTextFile(`${dir}/context/Dockerfile`, "FROM scratch\nCOPY hello.txt /\n");
  await Deno.writeTextFile(`${dir}/context/hello.txt`, "hello, notation\n");
  const pristine = `${dir}/pristine`;
  const built = await ocisignAt(undefined, ["build", "-t", "hello:v1", "-o", pristine, "context"]);
  assertEquals(built.code, 0, describeRun(built));

  const distribution = await startDistribution();
  let serve: OcisignServer;
  try {
    await Deno.mkdir(`${dir}/served`);
    serve = await startOcisignServe(`${dir}/served`, dir);
  } catch (err) {
    await distribution.stop();
    throw err;
  }
  const localhost = (host: string) => `localhost:${host.split(":")[1]}`;
  const hosts = { distribution: localhost(distribution.host), serve: localhost(serve.host) };
  const notationDirs = { cwd: dir, configHome, cacheHome };
  const tools = [
    makeTool("ocisign", (args) => ocisignAt(undefined, args)),
    ...NOTATION_CLIS.map((cli) =>
      makeTool(cli.version, (args) => runNotation(cli, notationDirs, args))
    ),
  ];
  return {
    dir,
    config,
    cacheHome,
    pki,
    distribution,
    serve,
    hosts,
    pristine,
    tools,
    tool: (name) => {
      const found = tools.find((t) => t.name === name);
      if (!found) throw new Error(`no tool ${name}`);
      return found;
    },
    fresh: async (place, name, from = pristine) => {
      if (place === "layout") {
        await copyDir(from, `${dir}/${name}`);
        return { place, location: `${dir}/${name}`, at: ":v1" };
      }
      const location = `${hosts[place]}/${name}`;
      const copied = await ocisignAt(undefined, [
        "cp",
        "--from-oci-layout",
        `${from}:v1`,
        `${location}:v1`,
      ]);
      assertEquals(copied.code, 0, describeRun(copied));
      return { place, location, at: ":v1" };
    },
    ocisignAt,
    addStatements,
    close: async () => {
      await serve.stop().catch(() => {});
      await distribution.stop();
    },
  };
}

/** Runs `fn` with a fixture in a fresh temp dir, and tears everything down afterwards. */
export async function withFixture(fn: (fx: Fixture) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-notation-cli-" });
  try {
    const fx = await setUp(dir);
    try {
      await fn(fx);
    } finally {
      await fx.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** One cell of the sign/verify matrix. */
export interface MatrixCase {
  place: Place;
  signer: ToolName;
  verifier: ToolName;
  format: Format;
  key: "rsa" | "ec";
}

/**
 * Every cell with ocisign on one side and a notation release on the other, both directions.
 *
 * @param reduce When true, one format/key pair per place and direction (rotating), instead of
 * all four.
 */
export function matrix(fx: Fixture, reduce: boolean): MatrixCase[] {
  const pairs = [
    { format: "jws", key: "rsa" },
    { format: "cose", key: "ec" },
    { format: "jws", key: "ec" },
    { format: "cose", key: "rsa" },
  ] as const;
  const cases: MatrixCase[] = [];
  let n = 0;
  for (const place of ["layout", "distribution", "serve"] as const) {
    for (const notation of fx.tools.slice(1).map((t) => t.name)) {
      for (const [signer, verifier] of [["ocisign", notation], [notation, "ocisign"]]) {
        const chosen = reduce ? [pairs[n++ % pairs.length]!] : pairs;
        for (const p of chosen) cases.push({ place, signer: signer!, verifier: verifier!, ...p });
      }
    }
  }
  return cases;
}

/** A case's name. */
export function caseName(c: MatrixCase): string {
  return `${c.signer} signs (${c.format}, ${c.key}) in ${c.place}, ${c.verifier} verifies`;
}

/**
 * Runs one cell: the signer signs a fresh image with user metadata; the verifier lists it,
 * verifies it (with the right metadata), and in a registry inspects it and sees the metadata.
 */
export async function runMatrixCase(fx: Fixture, c: MatrixCase, name: string): Promise<void> {
  const target = await fx.fresh(c.place, name);
  const signer = fx.tool(c.signer);
  const verifier = fx.tool(c.verifier);
  const signed = await signer.sign(target, {
    format: c.format,
    key: c.key,
    metadata: { team: "green" },
  });
  assertEquals(signed.code, 0, describeRun(signed));
  const listed = await verifier.list(target);
  assertEquals(listed.code, 0, describeRun(listed));
  assertEquals(signatureDigests(listed.stdout).length, 1, describeRun(listed));
  const verified = await verifier.verify(target, { metadata: { team: "green" } });
  assertEquals(verified.code, 0, describeRun(verified));
  if (c.place === "layout" && c.verifier !== "ocisign") return;
  const inspected = await verifier.inspect(target);
  assertEquals(inspected.code, 0, describeRun(inspected));
  const json = JSON.parse(inspected.stdout);
  const [entry] = (json.signatures ?? json.Signatures) as Array<Record<string, unknown>>;
  // notation 2.x renamed the envelope's media type field
  const envelopeType = entry!.mediaType ?? entry!.signatureEnvelopeType;
  assertEquals(envelopeType, ENVELOPE_TYPE[c.format], inspected.stdout);
  assertEquals(entry!.userDefinedAttributes, { team: "green" }, inspected.stdout);
  assertEquals(
    entry!.signatureAlgorithm,
    c.key === "rsa" ? "RSASSA-PSS-SHA-256" : "ECDSA-SHA-256",
    inspected.stdout,
  );
}

/** The signature digests a `list` printed (ocisign's and notation's tree output alike). */
export function signatureDigests(stdout: string): string[] {
  return [...stdout.matchAll(/^\s*(?:└──|├──)?\s*(sha256:[0-9a-f]{64})\s*$/gm)]
    .map((m) => m[1]!);
}

/** Asserts that a run failed (notation exits 1, ocisign `code`) with `message` in its stderr. */
export function assertFailed(
  r: CliResult | PeerResult,
  tool: ToolName,
  message: string | RegExp,
  ocisignCode = 3,
): void {
  assertEquals(r.code, tool === "ocisign" ? ocisignCode : 1, describeRun(r));
  const matched = typeof message === "string" ? r.stderr.includes(message) : message.test(r.stderr);
  if (!matched) throw new Error(`stderr lacks ${message}:\n${describeRun(r)}`);
}

/**
 * The reasons notation gives for each failed signature (`failed verification with error: ...`,
 * printed with `-d`, which both releases take).
 */
function notationReasons(stderr: string): string[] {
  return [...stderr.matchAll(/failed verification with error: (.*)$/gm)].map((m) => m[1]!);
}

/**
 * Asserts that ocisign and the newest notation release both reject `target`, and that ocisign
 * gives notation's reason for each failed signature word for word (its own detail may follow).
 */
export async function assertSameReason(
  fx: Fixture,
  target: Target,
  options: VerifyOptions = {},
): Promise<void> {
  const notation = fx.tools.at(-1)!;
  const theirs = await notation.run([
    "verify",
    ...targetArgs(target),
    ...verifyArgs(target, options),
    "-d",
  ]);
  const ours = await fx.tool("ocisign").verify(target, options);
  assertEquals(theirs.code, 1, describeRun(theirs));
  assertEquals(ours.code, 3, describeRun(ours));
  const reasons = notationReasons(theirs.stderr);
  if (reasons.length === 0) throw new Error(`notation gave no reason:\n${describeRun(theirs)}`);
  for (const reason of reasons) {
    if (!ours.stderr.includes(reason)) {
      throw new Error(`ocisign lacks notation's reason "${reason}":\n${describeRun(ours)}`);
    }
  }
}
