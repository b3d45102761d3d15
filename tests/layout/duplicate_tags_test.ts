/**
 * A tag given to two different manifests in `index.json` is ambiguous (ocisign and oras took the
 * last entry, skopeo the first, umoci refuses): every command refuses it.
 */
import { LayoutStore } from "../../lib/layout/mod.ts";
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { ok, withSigningSandbox } from "../cli/commands/_fixture.ts";
import { pushImage, withTempDir } from "./_image.ts";

const REF_NAME = "org.opencontainers.image.ref.name";
const opts = { hasher: nodeHasherFactory };

async function tagBoth(dir: string, tag: string, key = REF_NAME): Promise<void> {
  const index = JSON.parse(await Deno.readTextFile(`${dir}/index.json`));
  for (const m of index.manifests) m.annotations = { ...m.annotations, [key]: tag };
  await Deno.writeTextFile(`${dir}/index.json`, JSON.stringify(index));
}

Deno.test("OciLayout.resolve() refuses a tag that names two digests, accepts a repeated one", async () => {
  await withTempDir(async (tmp) => {
    const dir = `${tmp}/img`;
    const store = await LayoutStore.open(dir, nodeFs, { ...opts, create: true });
    const a = await pushImage(store, undefined, "a");
    const b = await pushImage(store, undefined, "b");
    await tagBoth(dir, "v1");
    const err = await assertRejectsCode(
      async () => (await LayoutStore.open(dir, nodeFs, opts)).resolve("v1"),
      "ERR_INVALID_LAYOUT",
      "ambiguous",
    );
    assert.ok(err.message.includes(a.manifest.digest) && err.message.includes(b.manifest.digest));
    // The same name as a containerd image name is just as ambiguous.
    await tagBoth(dir, "docker.io/library/app:v2", "io.containerd.image.name");
    await assertRejectsCode(
      async () => (await LayoutStore.open(dir, nodeFs, opts)).resolve("docker.io/library/app:v2"),
      "ERR_INVALID_LAYOUT",
      "ambiguous",
    );
    // Two entries with one tag and one digest are not ambiguous.
    const index = JSON.parse(await Deno.readTextFile(`${dir}/index.json`));
    index.manifests = [index.manifests[0], index.manifests[0]];
    await Deno.writeTextFile(`${dir}/index.json`, JSON.stringify(index));
    const same = await LayoutStore.open(dir, nodeFs, opts);
    assertEquals((await same.resolve("v1")).digest, a.manifest.digest);
    // Tagging again picks one, which ends the ambiguity.
    await tagBoth(dir, "v1");
    const fix = await LayoutStore.open(dir, nodeFs, opts);
    await fix.tag(b.manifest, "v1");
    assertEquals((await fix.resolve("v1")).digest, b.manifest.digest);
  });
});

Deno.test("every command refuses an ambiguous tag in a layout (exit 8)", async () => {
  await withSigningSandbox(async (sb) => {
    const store = await LayoutStore.open(`${sb.cwd}/img`, nodeFs, opts);
    await pushImage(store, undefined, "other");
    await tagBoth(`${sb.cwd}/img`, "v1");
    const before = await Deno.readTextFile(`${sb.cwd}/img/index.json`);
    for (
      const argv of [
        ["sign", "--oci-layout", "./img:v1"],
        ["list", "--oci-layout", "./img:v1"],
        ["verify", "--oci-layout", "./img:v1", "--scope", "local/hello-world"],
        ["inspect", "--oci-layout", "./img:v1"],
        ["cp", "--from-oci-layout", "./img:v1", "--to-oci-layout", "./copy:v1"],
      ]
    ) {
      const r = await sb.run(...argv);
      assertEquals(r.code, 8, `${argv.join(" ")}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /tag "v1" is ambiguous/);
    }
    assertEquals(await Deno.readTextFile(`${sb.cwd}/img/index.json`), before);
    ok(await sb.run("list", "--oci-layout", `./img@${JSON.parse(before).manifests[0].digest}`));
  });
});
