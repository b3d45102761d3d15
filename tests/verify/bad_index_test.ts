/**
 * Hostile indexes: 10,000 platforms and a missing platform manifest get clear errors from
 * verify, sign --recursive and list, in bounded time and memory.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import type { CliSandbox } from "../_helpers/cli.ts";
import { ok, withSigningSandbox } from "../cli/commands/_fixture.ts";

const SCOPE = ["--scope", "local/hello-world"];
const INDEX = "application/vnd.oci.image.index.v1+json";
const MANIFEST = "application/vnd.oci.image.manifest.v1+json";

async function sha256(bytes: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return `sha256:${Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** Stores an index listing `children` in `./img` and tags it `many`. */
async function addIndex(sb: CliSandbox, children: object[]): Promise<string> {
  const dir = `${sb.cwd}/img`;
  const bytes = new TextEncoder().encode(
    JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: children }),
  );
  const digest = await sha256(bytes);
  await Deno.writeFile(`${dir}/blobs/sha256/${digest.slice(7)}`, bytes);
  const index = JSON.parse(await Deno.readTextFile(`${dir}/index.json`));
  index.manifests.push({
    mediaType: INDEX,
    digest,
    size: bytes.length,
    annotations: { "org.opencontainers.image.ref.name": "many" },
  });
  await Deno.writeTextFile(`${dir}/index.json`, JSON.stringify(index));
  return digest;
}

Deno.test("an index of 10,000 platforms is refused clearly by verify, sign -r and list", async () => {
  await withSigningSandbox(async (sb) => {
    const children = Array.from({ length: 10_000 }, (_, i) => ({
      mediaType: MANIFEST,
      digest: `sha256:${i.toString(16).padStart(64, "0")}`,
      size: 500,
      platform: { os: "linux", architecture: `arch${i}` },
    }));
    await addIndex(sb, children);
    ok(await sb.run("sign", "--oci-layout", "./img:many"));
    const verify = await sb.run("verify", "--oci-layout", "./img:many", ...SCOPE);
    assertEquals(verify.code, 8, verify.stderr);
    assert.match(verify.stderr, /lists more than 4096 manifests/);
    const recursive = await sb.run("sign", "-r", "--oci-layout", "./img:many");
    assertEquals(recursive.code, 8, recursive.stderr);
    assert.match(recursive.stderr, /lists more than 4096 manifests/);
    const list = await sb.run("list", "--oci-layout", "./img:many");
    assertEquals(list.code, 8, list.stderr);
  });
});

Deno.test("a signed index whose platform manifest is missing fails verify, naming the platform", async () => {
  await withSigningSandbox(async (sb) => {
    const index = JSON.parse(await Deno.readTextFile(`${sb.cwd}/img/index.json`));
    const image = index.manifests[0];
    const missing = `sha256:${"ab".repeat(32)}`;
    await addIndex(sb, [
      { ...image, annotations: undefined, platform: { os: "linux", architecture: "amd64" } },
      {
        mediaType: MANIFEST,
        digest: missing,
        size: 400,
        platform: { os: "linux", architecture: "arm64" },
      },
      // The same manifest listed twice is read once.
      { ...image, annotations: undefined, platform: { os: "linux", architecture: "amd64" } },
    ]);
    ok(await sb.run("sign", "--oci-layout", "./img:many"));
    const r = await sb.run("verify", "--oci-layout", "./img:many", ...SCOPE, "-o", "json");
    assertEquals(r.code, 3, r.stderr);
    const problems = JSON.parse(r.stderr.trim().split("\n").at(-1)!).error.details.content;
    assertEquals(
      problems.map((p: { digest: string; platform: string; kind: string }) => [
        p.digest,
        p.platform,
        p.kind,
      ]),
      [[missing, "linux/arm64", "missing"]],
    );
    const amd = await sb.run(
      "verify",
      "--oci-layout",
      "./img:many",
      ...SCOPE,
      "--platform",
      "linux/amd64",
    );
    // The index is fine for amd64, but its manifest has no signature of its own.
    assertEquals(amd.code, 3, amd.stderr);
    assert.match(amd.stderr, /linux\/amd64 manifest sha256:[0-9a-f]{64} is not/);
  });
});
