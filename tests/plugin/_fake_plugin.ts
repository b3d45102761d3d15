/**
 * A real notation plugin process for the host tests (`notation-<name>`, run through a small
 * shell script): it answers contract 1.0 with RAW signatures made with a PEM key file, as a KMS
 * plugin would, or lies in the way `pluginConfig.lie` asks. No imports: it runs as is.
 *
 * pluginConfig: `key` (PKCS#8 PEM, RSA-2048), `cert` (PEM chain), `log` (a file each command
 * is appended to), `lie`:
 * `wrong-key-id`, `bad-signature`, `other-chain` (a chain of `otherCert`), `junk`, `exit`,
 * `hang`, `huge`, `wrong-algorithm`, `verifier-only`.
 */
const command = Deno.args[0];
const name = Deno.env.get("FAKE_PLUGIN_NAME") ?? "fake";
const request = JSON.parse(new TextDecoder().decode(await readAll()) || "{}");
const config: Record<string, string> = request.pluginConfig ?? {};
const lie = config.lie ?? "";

async function readAll(): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of Deno.stdin.readable) chunks.push(c);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function pemBlocks(text: string): string[] {
  return [...text.matchAll(/-----BEGIN [A-Z ]+-----([\s\S]*?)-----END/g)].map((m) =>
    m[1]!.replace(/\s+/g, "")
  );
}

function fail(code: string, message: string): never {
  console.error(JSON.stringify({ errorCode: code, errorMessage: message }));
  Deno.exit(1);
}

function answer(value: unknown): void {
  Deno.stdout.writeSync(new TextEncoder().encode(JSON.stringify(value)));
}

if (config.log) await Deno.writeTextFile(config.log, `${command}\n`, { append: true });
if (lie === "exit") fail("ACCESS_DENIED", "the vault refused the request");
if (lie === "hang" && command !== "get-plugin-metadata") {
  setInterval(() => {}, 1000); // alive, silent, until killed
  await new Promise(() => {});
}
if (lie === "junk" && command === "generate-signature") {
  answer("");
  Deno.stdout.writeSync(new TextEncoder().encode("not json at all"));
  Deno.exit(0);
}
if (lie === "huge" && command === "describe-key") {
  const chunk = new Uint8Array(1 << 20).fill(0x20);
  for (let i = 0; i < 70; i++) Deno.stdout.writeSync(chunk);
  Deno.exit(0);
}

if (command === "get-plugin-metadata") {
  answer({
    name,
    description: "test plugin",
    version: "1.0.0",
    url: "https://example.test",
    supportedContractVersions: ["1.0"],
    capabilities: [
      lie === "verifier-only" ? "SIGNATURE_VERIFIER.TRUSTED_IDENTITY" : "SIGNATURE_GENERATOR.RAW",
    ],
  });
} else if (command === "describe-key") {
  answer({ keyId: lie === "wrong-key-id" ? "someone-else" : request.keyId, keySpec: "RSA-2048" });
} else if (command === "generate-signature") {
  const [pkcs8] = pemBlocks(await Deno.readTextFile(config.key!));
  const key = await crypto.subtle.importKey(
    "pkcs8",
    Uint8Array.from(atob(pkcs8!), (c) => c.charCodeAt(0)),
    { name: "RSA-PSS", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const payload = Uint8Array.from(atob(request.payload), (c) => c.charCodeAt(0));
  const sig = new Uint8Array(
    await crypto.subtle.sign({ name: "RSA-PSS", saltLength: 32 }, key, payload),
  );
  if (lie === "bad-signature") sig[10] = sig[10]! ^ 1;
  const chainFile = lie === "other-chain" ? config.otherCert! : config.cert!;
  answer({
    keyId: request.keyId,
    signature: btoa(String.fromCharCode(...sig)),
    signingAlgorithm: lie === "wrong-algorithm" ? "RSASSA-PSS-SHA-512" : "RSASSA-PSS-SHA-256",
    certificateChain: pemBlocks(await Deno.readTextFile(chainFile)),
  });
} else {
  fail("VALIDATION_ERROR", `unsupported command ${command}`);
}
