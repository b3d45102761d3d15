import { assert, assertEquals } from "../_helpers/assert.ts";
import { distributionAvailable, startDistribution } from "../_helpers/distribution.ts";
import { buildImage } from "../../lib/image_builder/mod.ts";
import type { BaseResolver } from "../../lib/image_builder/mod.ts";
import { openRepository } from "../../lib/registry/mod.ts";
import {
  havePeer,
  nodeFs,
  nodeHasherFactory,
  openOutput,
  readImage,
  run,
  withTempDir,
  writeFiles,
} from "./_helpers.ts";

Deno.test({
  name: "buildImage() pushes to a real registry and builds on an image pulled from it",
  ignore: !distributionAvailable(),
}, async (t) => {
  const registry = await startDistribution();
  try {
    await withTempDir(async (tmp) => {
      await writeFiles(`${tmp}/base`, { "etc/passwd": "app:x:4321:4321::/:/bin/sh\n" });
      await writeFiles(`${tmp}/app`, { "app.txt": "app\n" });
      const opts = { hasher: nodeHasherFactory, plainHttp: true };
      const pushed = openRepository(`${registry.host}/demo/base:v1`, opts);
      const base = await buildImage({
        context: `${tmp}/base`,
        dockerfile: "FROM scratch\nCOPY etc /etc\nENV FROM_REGISTRY=1\n",
        fs: nodeFs,
        output: pushed.repository,
        tags: ["demo/base:v1"],
        platforms: ["linux/amd64", "linux/arm64"],
        hasher: nodeHasherFactory,
      });
      assertEquals((await pushed.repository.resolve("v1")).digest, base.descriptor.digest);
      const resolveBase: BaseResolver = (ref) => {
        const { repository, reference } = openRepository(ref, opts);
        return Promise.resolve({ target: repository, reference: reference ?? "latest" });
      };
      const output = await openOutput(`${tmp}/out`);
      const result = await buildImage({
        context: `${tmp}/app`,
        dockerfile: `FROM ${registry.host}/demo/base:v1\nCOPY --chown=app app.txt /srv/\n`,
        fs: nodeFs,
        output,
        tags: ["app:v1"],
        platforms: ["linux/arm64"],
        resolveBase,
        hasher: nodeHasherFactory,
      });
      const { manifest, config } = await readImage(output, result.descriptor);
      assertEquals(config.architecture, "arm64");
      assert(config.config!.Env!.includes("FROM_REGISTRY=1"));
      assertEquals(manifest.layers.length, 2);
      for (const layer of manifest.layers) assert(await output.exists(layer));
      await t.step({
        name: "skopeo reads the pushed base and copies the built layout into the registry",
        ignore: !havePeer("skopeo"),
        fn: () => {
          const inspect = run("skopeo", [
            "inspect",
            "--tls-verify=false",
            "--override-arch",
            "arm64",
            `docker://${registry.host}/demo/base:v1`,
          ]);
          assertEquals(inspect.code, 0, inspect.out);
          assertEquals(JSON.parse(inspect.out).Architecture, "arm64");
          // skopeo copies the built layout into the registry.
          const copied = run("skopeo", [
            "--insecure-policy",
            "copy",
            "--dest-tls-verify=false",
            `oci:${tmp}/out:v1`,
            `docker://${registry.host}/demo/app:v1`,
          ]);
          assertEquals(copied.code, 0, copied.out);
        },
      });
    });
  } finally {
    await registry.stop();
  }
});
