/**
 * The whole seed loop on one machine with nothing else installed (`deno task demo`):
 * serve a registry, build an image, make a test key, sign, list and verify on disk, copy with
 * its signatures to the registry, list and verify there, then show that a registry that swaps
 * one byte of a layer is caught. Exits 0 only when every step has the expected outcome.
 *
 * Every step runs the real CLI (`deno run -A cli.ts ...`) in a fresh temporary directory, with
 * its own configuration directory, and prints the command as a user would type it.
 */
const root = new URL("..", import.meta.url).pathname;
const cli = `${root}cli.ts`;
const work = await Deno.makeTempDir({ prefix: "ocisign-demo-" });
const env = { OCISIGN_CONFIG_DIR: `${work}/config`, NO_COLOR: "1" };
const decoder = new TextDecoder();
let failures = 0;

function show(text: string): void {
  console.log(text.replace(/\n$/, "").split("\n").map((l) => `  ${l}`).join("\n"));
}

async function ocisign(
  args: string[],
  expect: { code?: number; stdout?: RegExp; stderr?: RegExp } = {},
): Promise<string> {
  console.log(
    `\n$ ocisign ${args.map((a) => (/[\s"]/.test(a) ? JSON.stringify(a) : a)).join(" ")}`,
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", cli, ...args],
    cwd: work,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = decoder.decode(out.stdout);
  const stderr = decoder.decode(out.stderr);
  if (stdout) show(stdout);
  if (stderr) show(stderr);
  const wantCode = expect.code ?? 0;
  const problems: string[] = [];
  if (out.code !== wantCode) problems.push(`exit code ${out.code}, expected ${wantCode}`);
  if (expect.stdout && !expect.stdout.test(stdout)) {
    problems.push(`stdout does not match ${expect.stdout}`);
  }
  if (expect.stderr && !expect.stderr.test(stderr)) {
    problems.push(`stderr does not match ${expect.stderr}`);
  }
  if (problems.length > 0) {
    failures++;
    console.log(`  ✗ UNEXPECTED: ${problems.join("; ")}`);
  } else {
    console.log(wantCode === 0 ? "  ✓" : `  ✓ failed as expected (exit ${out.code})`);
  }
  return stdout;
}

console.log(`Working in ${work}`);

// 1. A registry on a free loopback port, serving layouts under ./registry.
await Deno.mkdir(`${work}/registry`);
const server = new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", "--quiet", cli, "serve", "--addr", "127.0.0.1:0", `${work}/registry`],
  cwd: work,
  env,
  stdout: "piped",
  stderr: "null",
}).spawn();
const reader = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
let banner = "";
while (!/https?:\/\/\S+:\d+/.test(banner)) {
  const { value, done } = await reader.read();
  if (done) throw new Error("ocisign serve exited before it was listening");
  banner += value;
}
const port = /:(\d+)\s*$/m.exec(banner.trim())![1];
const registry = `localhost:${port}`;
console.log(`\n$ ocisign serve --addr 127.0.0.1:0 ./registry &\n  ${banner.trim()}`);

try {
  // 2. A base image in the registry, standing in for the seed's `FROM alpine`.
  await Deno.mkdir(`${work}/base/etc`, { recursive: true });
  await Deno.writeTextFile(`${work}/base/etc/os-release`, 'NAME="demo base"\n');
  await Deno.writeTextFile(`${work}/base/Dockerfile`, "FROM scratch\nCOPY etc /etc\n");
  await ocisign(["build", "-t", "alpine:3", "-o", "./alpine", "./base"]);
  await ocisign(["cp", "./alpine:3", "--from-oci-layout", `${registry}/alpine:3`]);

  // 3. The seed's Dockerfile, built into a layout with no daemon.
  await Deno.mkdir(`${work}/app`);
  await Deno.writeTextFile(
    `${work}/app/Dockerfile`,
    `FROM ${registry}/alpine:3\nCOPY hello.txt /hello.txt\nCMD ["cat", "/hello.txt"]\n`,
  );
  await Deno.writeTextFile(`${work}/app/hello.txt`, "Hello from a signed image\n");
  await ocisign(["build", "-t", "hello-world:v1", "-o", "./hello-world", "./app"], {
    stdout: /Digest: sha256:/,
  });

  // 4. A test key and certificate, and the seed's trust policy.
  await ocisign(["cert", "generate-test", "wabbit-networks.io", "--default"]);
  await Deno.writeTextFile(
    `${work}/trustpolicy.json`,
    JSON.stringify(
      {
        version: "1.0",
        trustPolicies: [{
          name: "wabbit-networks-images",
          registryScopes: ["local/hello-world", `${registry}/hello-world`],
          signatureVerification: { level: "strict" },
          trustStores: ["ca:wabbit-networks.io"],
          trustedIdentities: ["*"],
        }],
      },
      null,
      2,
    ),
  );
  await ocisign(["policy", "import", "./trustpolicy.json", "--force"]);

  // 5. Sign, list and verify on local disk.
  await ocisign(["sign", "--oci-layout", "./hello-world:v1"], { stdout: /Successfully signed/ });
  await ocisign(["list", "--oci-layout", "./hello-world:v1"], {
    stdout: /application\/vnd\.cncf\.notary\.signature\n\s+└── sha256:/,
  });
  await ocisign(["verify", "--oci-layout", "./hello-world:v1", "--scope", "local/hello-world"], {
    stdout: /Successfully verified signature for \.\/hello-world@sha256:/,
  });

  // 6. Copy the image with its signature to the registry; list and verify there.
  await ocisign([
    "cp",
    "./hello-world:v1",
    "--from-oci-layout",
    "-r",
    `${registry}/hello-world:v1`,
  ]);
  await ocisign(["list", `${registry}/hello-world:v1`], { stdout: /└── sha256:/ });
  await ocisign(["verify", `${registry}/hello-world:v1`], {
    stdout: new RegExp(`Successfully verified signature for ${registry}/hello-world@sha256:`),
  });

  // 7. A registry that swaps one byte of a layer is caught.
  const manifestDigest = /Digest: (sha256:[0-9a-f]{64})/.exec(
    await ocisign(["cp", `${registry}/hello-world:v1`, "--to-oci-layout", "./check:v1"]),
  )?.[1];
  const manifest = JSON.parse(
    await Deno.readTextFile(`${work}/check/blobs/sha256/${manifestDigest?.slice(7)}`),
  );
  const layer = manifest.layers.at(-1).digest.slice(7);
  const blob = `${work}/registry/hello-world/blobs/sha256/${layer}`;
  const bytes = await Deno.readFile(blob);
  bytes[bytes.length - 10]! ^= 0xff;
  await Deno.chmod(blob, 0o644).catch(() => {});
  await Deno.writeFile(blob, bytes);
  console.log(
    `\n# The registry now serves layer sha256:${layer.slice(0, 12)}… with one byte changed.`,
  );
  await ocisign(["cp", "-r", `${registry}/hello-world:v1`, "--to-oci-layout", "./pulled:v1"], {
    code: 8,
    stderr: /digest mismatch|size mismatch|sha256/i,
  });
} finally {
  server.kill("SIGINT");
  await server.status;
  await reader.cancel().catch(() => {});
}

console.log(
  failures === 0
    ? "\nDemo complete: every step had the expected outcome."
    : `\nDemo FAILED: ${failures} step(s) had an unexpected outcome.`,
);
await Deno.remove(work, { recursive: true }).catch(() => {});
Deno.exit(failures === 0 ? 0 : 1);
