/**
 * `verify` against a real registry (CNCF Distribution) behind a proxy that lies: a manifest served
 * with a changed body under its signed digest always fails; a changed layer fails with `--deep`
 * (which downloads and discards every blob) and passes without it.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { distributionAvailable, startDistribution } from "../_helpers/distribution.ts";
import { startLyingProxy } from "../registry/_lying_proxy.ts";
import { ok, withSigningSandbox } from "../cli/commands/_fixture.ts";

Deno.test({
  name: "verify in a registry reads the signed manifest; --deep reads every layer",
  ignore: !distributionAvailable(),
  fn: async () => {
    const reg = await startDistribution();
    const proxy = startLyingProxy(reg.url);
    try {
      const repo = `${proxy.host}/hello`;
      await withSigningSandbox(async (sb) => {
        ok(await sb.run("sign", "--oci-layout", "./img:v1"));
        ok(
          await sb.run(
            "cp",
            "-r",
            "--from-oci-layout",
            "./img:v1",
            `${reg.host}/hello:v1`,
            "--plain-http",
          ),
        );
        const verify = (...flags: string[]) =>
          sb.run("verify", `${repo}:v1`, "--plain-http", "-o", "json", ...flags);
        const good = JSON.parse(ok(await verify()).stdout);
        assertEquals(good.content, {
          deep: false,
          manifests: 1,
          blobs: 0,
          bytes: good.content.bytes,
        });
        const manifestDigest = good.reference.split("@")[1];
        const index = JSON.parse(await Deno.readTextFile(`${sb.cwd}/img/index.json`));
        const image = index.manifests.find((m: { digest: string }) => m.digest === manifestDigest);
        const manifest = JSON.parse(
          await Deno.readTextFile(`${sb.cwd}/img/blobs/sha256/${image.digest.slice(7)}`),
        );
        const deep = JSON.parse(ok(await verify("--deep")).stdout);
        assertEquals(deep.content.blobs, 1 + manifest.layers.length);

        const layer = manifest.layers[0];
        proxy.lie = { kind: "flip", digest: layer.digest };
        ok(await verify());
        const bad = await verify("--deep");
        assertEquals(bad.code, 3, bad.stderr);
        const problems = JSON.parse(bad.stderr.trim().split("\n").at(-1)!).error.details.content;
        assertEquals(
          problems.map((p: { digest: string; mediaType: string; kind: string }) => [
            p.digest,
            p.mediaType,
            p.kind,
          ]),
          [[layer.digest, layer.mediaType, "changed"]],
        );

        proxy.lie = { kind: "flip", digest: manifestDigest };
        const swapped = await sb.run("verify", `${repo}:v1`, "--plain-http");
        assertEquals(swapped.code, 3, swapped.stderr);
        assert.match(swapped.stderr, new RegExp(`${manifestDigest} .* was changed`));
        assert.doesNotMatch(swapped.stdout, /Successfully verified/);
      }, [repo]);
    } finally {
      await proxy.stop();
      await reg.stop();
    }
  },
});
