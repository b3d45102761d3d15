import { assert, assertEquals } from "../../_helpers/assert.ts";
import { cliSandbox } from "../../_helpers/cli.ts";
import { distributionAvailable, freePort, startDistribution } from "../../_helpers/distribution.ts";
import { findPeer, runPeer } from "../../_helpers/peers.ts";
import { copy } from "../../../lib/copy/copy.ts";
import { MemoryStore } from "../../../lib/content/memory_store.ts";
import { LayoutStore, OCI_LAYOUT_HEADER } from "../../../lib/layout/mod.ts";
import { Registry } from "../../../lib/registry/registry.ts";
import { EXIT } from "../../../lib/cli/exit_codes.ts";
import { nodeFs } from "../../../lib/runtime/mod.ts";
import { smallImage } from "../../registry/_fixtures.ts";

const SKOPEO = findPeer("skopeo");

/** The files of a layout directory, without the blobs. */
async function topFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

/** An empty layout as ocisign creates one: the header, no manifests, an empty blobs/. */
async function assertEmptyLayout(dir: string): Promise<void> {
  assertEquals(await topFiles(dir), ["blobs", "index.json", "oci-layout"]);
  assertEquals(await Deno.readTextFile(`${dir}/oci-layout`), OCI_LAYOUT_HEADER);
  assertEquals(JSON.parse(await Deno.readTextFile(`${dir}/index.json`)).manifests, []);
  assertEquals(await topFiles(`${dir}/blobs`), []);
}

Deno.test({
  name:
    "cp into a new layout directory: the layout's files are written beside the source's resolve; a bad source or destination fails as before",
  ignore: !distributionAvailable(),
}, async (t) => {
  const reg = await startDistribution();
  const sb = await cliSandbox();
  const pull = (from: string, to: string) =>
    sb.run("cp", "--plain-http", from, "--to-oci-layout", to);
  try {
    const image = await smallImage("new-layout", 64 * 1024);
    const src = new MemoryStore();
    for (const c of image) await src.push(c.desc, c.bytes);
    const root = image[2]!.desc;
    await src.tag(root, "v1");
    await copy(src, "v1", new Registry(reg.host, { plainHttp: true }).repository("img"), "v1");

    await t.step("the pull gives a whole, valid layout", async () => {
      const r = await pull(`${reg.host}/img:v1`, "./new:v1");
      assertEquals(r.code, 0, r.stderr);
      assert(r.stdout.includes(`Digest: ${root.digest}`), r.stdout);
      const dir = `${sb.cwd}/new`;
      assertEquals(await Deno.readTextFile(`${dir}/oci-layout`), OCI_LAYOUT_HEADER);
      // No temporary file or lock is left.
      assertEquals(await topFiles(dir), ["blobs", "index.json", "oci-layout"]);
      const layout = await LayoutStore.open(dir, nodeFs);
      assertEquals((await layout.resolve("v1")).digest, root.digest);
      for (const c of image) assertEquals(await layout.exists(c.desc), true);
      await layout.close();
    });

    await t.step({
      name: "skopeo reads the pulled layout",
      ignore: SKOPEO === undefined,
      fn: async () => {
        const out = await runPeer(SKOPEO!, ["inspect", "--raw", `oci:${sb.cwd}/new:v1`]);
        assertEquals(out.code, 0, out.stderr);
        assertEquals(JSON.parse(out.stdout).config.digest, image[0]!.desc.digest);
      },
    });

    await t.step(
      "a missing tag: exit 5, the source named, an empty layout left as before",
      async () => {
        const r = await pull(`${reg.host}/img:nope`, "./missing:v1");
        assertEquals(r.code, EXIT.NOT_FOUND, r.stderr);
        assert(r.stderr.includes("Error from source while copying nope"), r.stderr);
        assert(r.stderr.includes(`Manifest ${reg.host}/img:nope not found`), r.stderr);
        await assertEmptyLayout(`${sb.cwd}/missing`);
      },
    );

    await t.step(
      "a registry that is not there: exit 7, an empty layout left as before",
      async () => {
        const host = `127.0.0.1:${freePort()}`;
        const r = await pull(`${host}/img:v1`, "./unreachable:v1");
        assertEquals(r.code, EXIT.REGISTRY, r.stderr);
        assert(r.stderr.includes("Error from source while copying v1"), r.stderr);
        await assertEmptyLayout(`${sb.cwd}/unreachable`);
      },
    );

    await t.step("Ctrl-C at the start: exit 130, the new layout whole and empty", async () => {
      const controller = new AbortController();
      controller.abort();
      const r = await sb.runWith(
        { signal: controller.signal },
        "cp",
        "--plain-http",
        `${reg.host}/img:v1`,
        "--to-oci-layout",
        "./stopped:v1",
      );
      assertEquals(r.code, EXIT.INTERRUPTED, r.stderr);
      await assertEmptyLayout(`${sb.cwd}/stopped`);
    });

    await t.step("a destination that is no layout: its error, not the source's", async () => {
      await Deno.mkdir(`${sb.cwd}/bad`);
      await Deno.writeTextFile(`${sb.cwd}/bad/oci-layout`, '{"imageLayoutVersion":"9"}');
      const r = await pull(`${reg.host}/img:nope`, "./bad:v1");
      assertEquals(r.code, EXIT.INVALID_INPUT, r.stderr);
      assert(r.stderr.includes("unsupported oci-layout imageLayoutVersion"), r.stderr);
      assertEquals(await topFiles(`${sb.cwd}/bad`), ["oci-layout"]);
    });
  } finally {
    await sb.close();
    await reg.stop();
  }
});
