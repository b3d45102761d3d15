import { fetchAll } from "../../lib/content/fetch_all.ts";
import { parseManifest } from "../../lib/content/parse_manifest.ts";
import { LayoutStore, LayoutTar, openLayout } from "../../lib/layout/mod.ts";
import { nodeFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { pushImage, pushSignature, withTempDir } from "./_image.ts";
import { findPeer, run, skip } from "./_peers.ts";

const opts = { hasher: nodeHasherFactory };
const skopeo = await findPeer("skopeo");
const umoci = await findPeer("umoci");
const oras = await findPeer("oras");

Deno.test({
  name: "LayoutStore opens and resolves a layout made by umoci init/new",
  ignore: skip(umoci),
  fn: () =>
    withTempDir(async (tmp) => {
      await run(umoci, ["init", "--layout", `${tmp}/u`]);
      await run(umoci, ["new", "--image", `${tmp}/u:v1`]);
      const layout = await LayoutStore.open(`${tmp}/u`, nodeFs, opts);
      const desc = await layout.resolve("v1");
      const manifest = parseManifest(await fetchAll(layout, desc), { mediaType: desc.mediaType });
      assertEquals(manifest.kind, "manifest");
      if (manifest.kind === "manifest") {
        assert.ok((await fetchAll(layout, manifest.json.config)).length > 0);
      }
    }),
});

Deno.test({
  name: "layouts we write pass skopeo inspect and umoci stat, also with referrers present",
  ignore: skip(skopeo) || skip(umoci),
  fn: () =>
    withTempDir(async (tmp) => {
      const layout = await LayoutStore.open(`${tmp}/img`, nodeFs, { ...opts, create: true });
      const img = await pushImage(layout, "v1");
      await pushSignature(layout, img.manifest);
      const inspect = JSON.parse(await run(skopeo, ["inspect", `oci:${tmp}/img:v1`]));
      assertEquals(inspect.Digest, img.manifest.digest);
      assertEquals(inspect.Architecture, "amd64");
      const stat = await run(umoci, ["stat", "--json", "--image", `${tmp}/img:v1`]);
      assert.ok(JSON.parse(stat).history !== undefined || stat.length > 0);
    }),
});

Deno.test({
  name: "skopeo copies of our layout (oci dir and oci-archive) open and resolve",
  ignore: skip(skopeo),
  fn: () =>
    withTempDir(async (tmp) => {
      const layout = await LayoutStore.open(`${tmp}/img`, nodeFs, { ...opts, create: true });
      const img = await pushImage(layout, "v1");
      await run(skopeo, ["copy", "--quiet", `oci:${tmp}/img:v1`, `oci:${tmp}/copy:v1`]);
      await run(skopeo, ["copy", "--quiet", `oci:${tmp}/img:v1`, `oci-archive:${tmp}/img.tar:v1`]);

      const dir = await openLayout(`${tmp}/copy`, nodeFs, opts);
      assert.ok(dir instanceof LayoutStore);
      assertEquals((await dir.resolve("v1")).digest, img.manifest.digest);
      assertEquals(await fetchAll(dir, img.config), await fetchAll(layout, img.config));

      // Tar round trip: read, push a signature with subject, commit, reopen, referrers found.
      const tar = await openLayout(`${tmp}/img.tar`, nodeFs, opts);
      assert.ok(tar instanceof LayoutTar);
      const subject = await tar.resolve("v1");
      assertEquals(subject.digest, img.manifest.digest);
      const sig = await pushSignature(tar, subject);
      await tar.commit();
      await tar.close();
      const reopened = await LayoutTar.open(`${tmp}/img.tar`, nodeFs, opts);
      const refs = await Array.fromAsync(reopened.referrers(subject));
      assertEquals(refs.map((r) => r.digest), [sig.digest]);
      await reopened.close();
      // skopeo still reads the rewritten tar, and can copy the image out of it.
      const inspect = JSON.parse(await run(skopeo, ["inspect", `oci-archive:${tmp}/img.tar:v1`]));
      assertEquals(inspect.Digest, img.manifest.digest);
      await run(skopeo, ["copy", "--quiet", `oci-archive:${tmp}/img.tar:v1`, `oci:${tmp}/back:v1`]);
      const back = await LayoutStore.open(`${tmp}/back`, nodeFs, opts);
      assertEquals((await back.resolve("v1")).digest, img.manifest.digest);
    }),
});

Deno.test({
  name: "oras discovers our layout referrers, and we read a layout oras cp wrote",
  ignore: skip(oras),
  fn: () =>
    withTempDir(async (tmp) => {
      const layout = await LayoutStore.open(`${tmp}/img`, nodeFs, { ...opts, create: true });
      const img = await pushImage(layout, "v1");
      const sig = await pushSignature(layout, img.manifest);
      const found = JSON.parse(
        await run(oras, ["discover", "--format", "json", "--oci-layout", `${tmp}/img:v1`]),
      );
      assertEquals(found.referrers.map((r: { digest: string }) => r.digest), [sig.digest]);
      await run(oras, [
        "cp",
        "-r",
        "--from-oci-layout",
        `${tmp}/img:v1`,
        "--to-oci-layout",
        `${tmp}/oras:v1`,
      ]);
      const copied = await LayoutStore.open(`${tmp}/oras`, nodeFs, opts);
      const desc = await copied.resolve("v1");
      assertEquals(desc.digest, img.manifest.digest);
      const refs = await Array.fromAsync(
        copied.referrers(desc, { artifactType: "application/vnd.cncf.notary.signature" }),
      );
      assertEquals(refs.map((r) => r.digest), [sig.digest]);
      // oras also reads our tar.
      const tar = await LayoutTar.open(`${tmp}/img.tar`, nodeFs, { ...opts, create: true });
      await pushImage(tar, "v1");
      await tar.commit();
      await tar.close();
      const fetched = await run(oras, ["manifest", "fetch", "--oci-layout", `${tmp}/img.tar:v1`]);
      assertEquals(JSON.parse(fetched).mediaType, "application/vnd.oci.image.manifest.v1+json");
    }),
});
