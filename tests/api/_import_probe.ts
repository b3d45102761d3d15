/**
 * Run in a fresh process by `no_globals_test.ts`: imports the library the way a user does and
 * prints, as JSON, what changed in the global state the import could touch.
 *
 * `process.argv[2]` is `fresh` (nothing installed before) or `preinstalled` (the application already
 * uses `reflect-metadata` and `@peculiar/x509`, with its own crypto provider).
 */
import process from "node:process";

const MOD = new URL("../../mod.ts", import.meta.url).href;
const X509 = new URL("../../lib/x509/mod.ts", import.meta.url).href;

function snapshot(): string[] {
  const globals = Object.getOwnPropertyNames(globalThis).map((n) => `globalThis.${n}`);
  const reflect = Reflect.ownKeys(Reflect).map((k) => `Reflect.${String(k)}`);
  return [...globals, ...reflect].sort();
}

/** Deno defines `nodeBootstrap` when it first loads any npm package: the runtime's, not ours. */
const RUNTIME_OWN = ["globalThis.nodeBootstrap"];

const diff = (a: string[], b: string[]) =>
  b.filter((k) => !a.includes(k) && !RUNTIME_OWN.includes(k));

const report: Record<string, unknown> = {};
let provider: { get(): unknown } | undefined;
let userProvider: unknown;
let userGetMetadata: unknown;
if (process.argv[2] === "preinstalled") {
  await import("reflect-metadata");
  userGetMetadata = (Reflect as unknown as Record<string, unknown>).getMetadata;
  const x509 = await import("@peculiar/x509");
  // A provider that fails if ocisign ever falls back to the library-wide one.
  userProvider = {
    subtle: {},
    getRandomValues: () => {
      throw new Error("the application's crypto provider was used");
    },
  };
  x509.cryptoProvider.set(userProvider as Crypto);
  provider = x509.cryptoProvider;
}

const before = snapshot();
await import(MOD);
report.addedByImport = diff(before, snapshot());

// Use the functions that need @peculiar/x509: certificate generation and signature checks.
const { generateTestCertificate, validateCodeSigningChain } = await import(X509);
const { certificate } = await generateTestCertificate("probe", { keySpec: "EC-256" });
await validateCodeSigningChain([certificate]);
report.subject = certificate.subject;
report.addedByUse = diff(before, snapshot());
if (provider) {
  report.providerKept = provider.get() === userProvider;
  report.getMetadataKept = (Reflect as unknown as Record<string, unknown>).getMetadata ===
    userGetMetadata;
}
console.log(JSON.stringify(report));
