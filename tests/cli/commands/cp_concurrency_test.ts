import { assertEquals } from "../../_helpers/assert.ts";
import { cliSandbox } from "../../_helpers/cli.ts";
import { distributionAvailable, startDistribution } from "../../_helpers/distribution.ts";
import { copy } from "../../../lib/copy/copy.ts";
import { MemoryStore } from "../../../lib/content/memory_store.ts";
import { Registry } from "../../../lib/registry/registry.ts";
import { blob, manifest } from "../../registry/_fixtures.ts";
import { startLyingProxy } from "../../registry/_lying_proxy.ts";

/** Long enough that the transfers a copy starts together are all held at once. */
const HOLD_MS = 300;

Deno.test({
  name:
    "cp moves 3 blobs at once by default (as oras), into a layout and into a registry; --concurrency sets it",
  ignore: !distributionAvailable(),
}, async () => {
  const reg = await startDistribution();
  const proxy = startLyingProxy(reg.url);
  const sb = await cliSandbox();
  try {
    const config = await blob(
      '{"architecture":"amd64","os":"linux"}',
      "application/vnd.oci.image.config.v1+json",
    );
    const layers = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((n) => blob(`layer ${n}`, "application/vnd.oci.image.layer.v1.tar")),
    );
    const image = await manifest(config.desc, layers.map((l) => l.desc));
    const src = new MemoryStore();
    for (const c of [config, ...layers, image]) await src.push(c.desc, c.bytes);
    await src.tag(image.desc, "v1");
    await copy(src, "v1", new Registry(reg.host, { plainHttp: true }).repository("img"), "v1");
    proxy.holdMs = HOLD_MS;

    const pulled = await sb.run(
      "cp",
      "--plain-http",
      `${proxy.host}/img:v1`,
      "--to-oci-layout",
      "./l:v1",
    );
    assertEquals(pulled.code, 0, pulled.stderr);
    assertEquals(proxy.peakBlobGets, 3);

    const push = (repo: string, ...flags: string[]) =>
      sb.run(
        "cp",
        ...flags,
        "--from-oci-layout",
        "./l:v1",
        `${proxy.host}/${repo}:v1`,
        "--to-plain-http",
      );
    const pushed = await push("a");
    assertEquals(pushed.code, 0, pushed.stderr);
    assertEquals(proxy.peakUploads, 3);

    proxy.peakUploads = 0;
    const wide = await push("b", "--concurrency", "7");
    assertEquals(wide.code, 0, wide.stderr);
    assertEquals(proxy.peakUploads, 7);
  } finally {
    await sb.close();
    await proxy.stop();
    await reg.stop();
  }
});
