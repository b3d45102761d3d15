/**
 * Builds a release: `deno task release [--key NAME] [--targets linux-x64,...] [--out dist/release]`.
 *
 * Writes one binary per platform (`ocisign-linux-x64`, `ocisign-linux-arm64`,
 * `ocisign-linux-x64-musl`, `ocisign-darwin-x64`, `ocisign-darwin-arm64`,
 * `ocisign-windows-x64.exe`), `SHA256SUMS` over them, and a detached Notary signature of every file
 * (`<file>.jws.sig`, made by `ocisign blob sign` with the signing key `--key`, else the default
 * key of the configuration directory), so a user checks a download with `ocisign blob verify` or
 * `notation blob verify`.
 *
 * Everything is written to a temporary directory beside `--out` and renamed into place only when
 * every step succeeded: a failed build or signature leaves no half-written release.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import process from "node:process";
import { compile, RELEASE_TARGETS } from "./compile.ts";
import { fromBase64 } from "../lib/_internal/bytes.ts";
import { parseCertificate } from "../lib/x509/certificate.ts";

const root = new URL("..", import.meta.url).pathname;

function usage(message: string): never {
  console.error(`Error: ${message}`);
  console.error("Usage: deno task release [--key NAME] [--targets a,b,...] [--out DIR]");
  console.error(`Targets: ${Object.keys(RELEASE_TARGETS).join(", ")}`);
  Deno.exit(2);
}

function parseArgs(argv: string[]): { key?: string; targets: string[]; out: string } {
  const options: { key?: string; targets: string[]; out: string } = {
    targets: Object.keys(RELEASE_TARGETS),
    out: "dist/release",
  };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!;
    const value = argv[i + 1];
    if (!["--key", "--targets", "--out"].includes(name)) usage(`unknown argument ${name}`);
    if (value === undefined || value.startsWith("--")) usage(`${name} needs a value`);
    i++;
    if (name === "--key") options.key = value;
    if (name === "--out") options.out = value;
    if (name === "--targets") {
      options.targets = value.split(",").filter((t) => t !== "");
      const unknown = options.targets.filter((t) => !(t in RELEASE_TARGETS));
      if (unknown.length > 0 || options.targets.length === 0) {
        usage(`unsupported target ${unknown.join(", ") || "(none)"}`);
      }
    }
  }
  return options;
}

async function sha256Hex(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Uint8Array);
  return hash.digest("hex");
}

async function blobSign(dir: string, files: string[], key: string | undefined): Promise<void> {
  const args = ["run", "-A", "--quiet", `${root}cli.ts`, "blob", "sign"];
  if (key !== undefined) args.push("--key", key);
  args.push("--signature-directory", dir, ...files.map((f) => `${dir}/${f}`));
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    stdout: "inherit",
    stderr: "inherit",
  })
    .output();
  if (!out.success) {
    throw new Error(
      "ocisign blob sign failed: check the signing key (--key, or `ocisign key list` for the default)",
    );
  }
}

/** Name of the release's trust anchor: the root certificate of the signing chain. */
const ROOT_CERT = "ocisign-release-root.crt";

/**
 * Writes the root certificate of the chain that signed `signature` (a JWS envelope) to
 * `dir/ocisign-release-root.crt`, and returns what a user needs to trust the release: the root's
 * SHA-256 fingerprint (to compare with the one published apart from the download) and the
 * signing certificate's subject (for the blob trust policy's trusted identity).
 */
async function writeRootCertificate(
  dir: string,
  signature: string,
): Promise<{ fingerprint: string; subject: string }> {
  const chain = (JSON.parse(await Deno.readTextFile(signature)) as { header: { x5c: string[] } })
    .header.x5c.map((der) => parseCertificate(fromBase64(der)));
  const root = chain[chain.length - 1]!;
  await Deno.writeTextFile(`${dir}/${ROOT_CERT}`, root.toPem());
  return { fingerprint: await root.sha256Fingerprint(), subject: chain[0]!.subject };
}

async function release(options: { key?: string; targets: string[]; out: string }): Promise<void> {
  const out = options.out.replace(/\/+$/, "");
  const parent = out.includes("/") ? out.slice(0, out.lastIndexOf("/")) : ".";
  await Deno.mkdir(parent, { recursive: true });
  const staging = await Deno.makeTempDir({ dir: parent, prefix: ".release-" });
  try {
    const files: string[] = [];
    for (const name of options.targets) {
      const file = `ocisign-${name}${name.startsWith("windows") ? ".exe" : ""}`;
      console.error(`building ${file}`);
      await compile(`${staging}/${file}`, RELEASE_TARGETS[name]);
      files.push(file);
    }
    const sums = await Promise.all(
      files.map(async (f) => `${await sha256Hex(`${staging}/${f}`)}  ${f}\n`),
    );
    await Deno.writeTextFile(`${staging}/SHA256SUMS`, sums.join(""));
    files.push("SHA256SUMS");
    console.error("signing");
    await blobSign(staging, files, options.key);
    const trust = await writeRootCertificate(staging, `${staging}/SHA256SUMS.jws.sig`);
    await Deno.remove(out, { recursive: true }).catch(() => {});
    await Deno.rename(staging, out);
    console.log(`wrote ${out}: ${files.join(", ")}, a .jws.sig for each, and ${ROOT_CERT}`);
    console.log(`publish with the release notes (users check them before trusting ${ROOT_CERT}):`);
    console.log(`  root certificate SHA-256 fingerprint: ${trust.fingerprint}`);
    console.log(`  signing certificate subject: ${trust.subject}`);
  } catch (err) {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
    throw err;
  }
}

if (import.meta.main) {
  try {
    await release(parseArgs(process.argv.slice(2)));
  } catch (err) {
    console.error(`Error: ${(err as Error).message}; nothing was written`);
    Deno.exit(1);
  }
}
