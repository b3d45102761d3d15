/**
 * `verify` reads what the signature covers: the signed manifest always (a manifest replaced in
 * place or deleted fails, whatever the order of `index.json`), every platform manifest of a signed
 * index, and by default for layouts (`--deep`) every config and layer.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import type { CliSandbox } from "../_helpers/cli.ts";
import { ok, withSigningSandbox } from "../cli/commands/_fixture.ts";

const SCOPE = ["--scope", "local/hello-world"];
const REF_NAME = "org.opencontainers.image.ref.name";

interface IndexJson {
  manifests: {
    mediaType: string;
    digest: string;
    size: number;
    annotations?: Record<string, string>;
  }[];
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await Deno.readTextFile(path)) as T;
}

function blob(layout: string, digest: string): string {
  return `${layout}/blobs/sha256/${digest.slice("sha256:".length)}`;
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return `sha256:${Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** Signs `./img:v1`, puts the signature's entry first in index.json, returns the image digest. */
async function signSignatureFirst(sb: CliSandbox, layout = "./img"): Promise<string> {
  ok(await sb.run("sign", "--oci-layout", `${layout}:v1`));
  const path = `${sb.cwd}/${layout}/index.json`;
  const index = await readJson<IndexJson>(path);
  index.manifests.reverse();
  await Deno.writeTextFile(path, JSON.stringify(index));
  const tagged = index.manifests.find((m) => m.annotations?.[REF_NAME] === "v1")!;
  return tagged.digest;
}

/** An attacker's manifest: the signed one with its first layer replaced by another blob. */
async function attackerManifest(layoutDir: string, digest: string): Promise<Uint8Array> {
  const manifest = await readJson<{ layers: { digest: string; size: number }[] }>(
    blob(layoutDir, digest),
  );
  const evil = new TextEncoder().encode("evil layer\n");
  const evilDigest = await sha256(evil);
  await Deno.writeFile(blob(layoutDir, evilDigest), evil);
  manifest.layers[0] = { ...manifest.layers[0]!, digest: evilDigest, size: evil.length };
  return new TextEncoder().encode(JSON.stringify(manifest));
}

async function replaceFile(path: string, bytes: Uint8Array): Promise<void> {
  await Deno.chmod(path, 0o644);
  await Deno.writeFile(path, bytes);
}

Deno.test("verify fails when the signed manifest was replaced in place, signature listed first", async () => {
  await withSigningSandbox(async (sb) => {
    const digest = await signSignatureFirst(sb);
    ok(await sb.run("verify", "--oci-layout", "./img:v1", ...SCOPE));
    const dir = `${sb.cwd}/img`;
    await replaceFile(blob(dir, digest), await attackerManifest(dir, digest));
    for (const flags of [["--deep=false"], []]) {
      const r = await sb.run("verify", "--oci-layout", "./img:v1", ...SCOPE, ...flags);
      assertEquals(r.code, 3, `${flags}: ${r.stdout}${r.stderr}`);
      assert.doesNotMatch(r.stdout, /Successfully verified/);
      assert.match(r.stderr, new RegExp(`${digest} \\(application/vnd\\.oci\\.image\\.manifest`));
      assert.match(r.stderr, /was changed/);
    }
  });
});

Deno.test("verify fails when the signed manifest blob was deleted", async () => {
  await withSigningSandbox(async (sb) => {
    const digest = await signSignatureFirst(sb);
    await Deno.remove(blob(`${sb.cwd}/img`, digest));
    const r = await sb.run("verify", "--oci-layout", "./img:v1", ...SCOPE, "--deep=false");
    assertEquals(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`${digest} \\(application/vnd\\.oci\\.image\\.manifest.*is missing`),
    );
  });
});

Deno.test("verify of a layout is deep by default: a changed or missing layer fails, --deep=false skips layers", async () => {
  await withSigningSandbox(async (sb) => {
    ok(await sb.run("sign", "--oci-layout", "./img:v1"));
    const dir = `${sb.cwd}/img`;
    const index = await readJson<IndexJson>(`${dir}/index.json`);
    const image = index.manifests.find((m) => m.annotations?.[REF_NAME] === "v1")!;
    const manifest = await readJson<{ layers: { digest: string; mediaType: string }[] }>(
      blob(dir, image.digest),
    );
    const layer = manifest.layers[0]!;
    const good = ok(await sb.run("verify", "--oci-layout", "./img:v1", ...SCOPE, "-o", "json"));
    const doc = JSON.parse(good.stdout);
    assertEquals(doc.content.deep, true);
    assertEquals(doc.content.manifests, 1);
    assertEquals(doc.content.blobs, 1 + manifest.layers.length);

    const bytes = await Deno.readFile(blob(dir, layer.digest));
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 1;
    await replaceFile(blob(dir, layer.digest), bytes);
    const changed = await sb.run("verify", "--oci-layout", "./img:v1", ...SCOPE);
    assertEquals(changed.code, 3, changed.stderr);
    assert.match(
      changed.stderr,
      new RegExp(
        `${layer.digest} \\(${
          layer.mediaType.replaceAll(".", "\\.").replaceAll("+", "\\+")
        }\\) was changed`,
      ),
    );
    const shallow = ok(
      await sb.run("verify", "--oci-layout", "./img:v1", ...SCOPE, "--deep=false"),
    );
    assert.match(shallow.stdout, /^Successfully verified signature/);

    await Deno.remove(blob(dir, layer.digest));
    const missing = await sb.run("verify", "--oci-layout", "./img:v1", ...SCOPE, "-o", "json");
    assertEquals(missing.code, 3);
    const err = JSON.parse(missing.stderr.trim().split("\n").at(-1)!).error;
    assertEquals(err.code, "ERR_VERIFICATION_FAILED");
    assertEquals(
      err.details.content.map((p: { digest: string; kind: string }) => [p.digest, p.kind]),
      [
        [layer.digest, "missing"],
      ],
    );
  });
});

Deno.test("verify of a layout tar reads the signed manifest and its layers", async () => {
  await withSigningSandbox(async (sb) => {
    const digest = await signSignatureFirst(sb);
    const dir = `${sb.cwd}/img`;
    const tar = async (name: string): Promise<void> => {
      const out = await new Deno.Command("tar", {
        args: ["-cf", `${sb.cwd}/${name}`, "-C", dir, "oci-layout", "index.json", "blobs"],
      }).output();
      assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    };
    await tar("good.tar");
    ok(await sb.run("verify", "--oci-layout", "./good.tar:v1", ...SCOPE));
    await replaceFile(blob(dir, digest), await attackerManifest(dir, digest));
    await tar("evil.tar");
    const r = await sb.run("verify", "--oci-layout", "./evil.tar:v1", ...SCOPE, "--deep=false");
    assertEquals(r.code, 3, r.stderr);
    assert.match(r.stderr, new RegExp(`${digest} .* was changed`));
  });
});

Deno.test("verify of a signed index checks each platform manifest: a swapped child fails", async () => {
  await withSigningSandbox(async (sb) => {
    await Deno.writeTextFile(`${sb.cwd}/ctx/Dockerfile`, "FROM scratch\nCOPY hello.txt /\n");
    ok(
      await sb.run(
        "build",
        "-t",
        "hello-world:v1",
        "--platform",
        "linux/amd64,linux/arm64",
        "-o",
        "./multi",
        "./ctx",
      ),
    );
    const dir = `${sb.cwd}/multi`;
    await signSignatureFirst(sb, "./multi");
    const index = await readJson<IndexJson>(`${dir}/index.json`);
    const top = index.manifests.find((m) => m.annotations?.[REF_NAME] === "v1")!;
    const children = (await readJson<IndexJson & { manifests: { platform: object }[] }>(
      blob(dir, top.digest),
    )).manifests;
    assertEquals(children.length, 2);
    const good = JSON.parse(
      ok(await sb.run("verify", "--oci-layout", "./multi:v1", ...SCOPE, "-o", "json")).stdout,
    );
    assertEquals(good.content.manifests, 3);
    const arm = children[1]!;
    await replaceFile(blob(dir, arm.digest), await attackerManifest(dir, arm.digest));
    const r = await sb.run("verify", "--oci-layout", "./multi:v1", ...SCOPE, "--deep=false");
    assertEquals(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `${arm.digest} \\(application/vnd\\.oci\\.image\\.manifest\\.v1\\+json, linux/arm64\\) was changed`,
      ),
    );
  });
});
