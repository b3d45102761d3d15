import { assert, assertEquals } from "../_helpers/assert.ts";
import { distributionAvailable, startDistribution } from "../_helpers/distribution.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";
import { Registry } from "../../lib/registry/registry.ts";
import { MemoryStore } from "../../lib/content/memory_store.ts";
import { fetchAll } from "../../lib/content/fetch_all.ts";
import { copy } from "../../lib/copy/copy.ts";
import { signature, smallImage } from "./_fixtures.ts";

const ORAS = findPeer("oras");

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

Deno.test({
  name: "oras discover and oras cp -r see what ocisign pushes",
  ignore: !distributionAvailable() || ORAS === undefined,
}, async () => {
  const oras = ORAS!;
  const reg = await startDistribution();
  try {
    const registry = new Registry(reg.host, { plainHttp: true });
    const repo = registry.repository("hello-world");
    const image = await smallImage("interop");
    const sig = await signature(image[2]!.desc, "interop-sig");
    const src = new MemoryStore();
    for (const c of [...image, ...sig]) await src.push(c.desc, c.bytes);
    await src.tag(image[2]!.desc, "v1");
    await copy(src, "v1", repo, "v1", { referrers: true });

    const discovered = await runPeer(oras, [
      "discover",
      "--plain-http",
      "--format",
      "json",
      `${reg.host}/hello-world:v1`,
    ]);
    assertEquals(discovered.code, 0, discovered.stderr);
    assert(discovered.stdout.includes(sig[2]!.desc.digest), discovered.stdout);
    assert(discovered.stdout.includes("application/vnd.cncf.notary.signature"));

    const copied = await runPeer(oras, [
      "cp",
      "-r",
      "--from-plain-http",
      "--to-plain-http",
      `${reg.host}/hello-world:v1`,
      `${reg.host}/mirror:v1`,
    ]);
    assertEquals(copied.code, 0, copied.stderr);
    const mirror = registry.repository("mirror");
    assertEquals((await mirror.resolve("v1")).digest, image[2]!.desc.digest);
    assertEquals(
      (await collect(mirror.referrers(image[2]!.desc))).map((d) => d.digest),
      [sig[2]!.desc.digest],
    );
  } finally {
    await reg.stop();
  }
});

Deno.test({
  name: "ocisign reads and copies what oras push and oras attach write",
  ignore: !distributionAvailable() || ORAS === undefined,
}, async () => {
  const oras = ORAS!;
  const reg = await startDistribution();
  const dir = await Deno.makeTempDir({ prefix: "ocisign-oras-" });
  try {
    await Deno.writeTextFile(`${dir}/artifact.txt`, "hello from oras\n");
    await Deno.writeTextFile(`${dir}/sbom.json`, '{"sbom":true}\n');
    const pushed = await runPeer(oras, [
      "push",
      "--plain-http",
      `${reg.host}/art:v1`,
      "artifact.txt:text/plain",
    ], { cwd: dir });
    assertEquals(pushed.code, 0, pushed.stderr);
    const attached = await runPeer(oras, [
      "attach",
      "--plain-http",
      "--artifact-type",
      "application/spdx+json",
      `${reg.host}/art:v1`,
      "sbom.json:application/json",
    ], { cwd: dir });
    assertEquals(attached.code, 0, attached.stderr);

    const repo = new Registry(reg.host, { plainHttp: true }).repository("art");
    const root = await repo.resolve("v1");
    const refs = await collect(repo.referrers(root));
    assertEquals(refs.length, 1);
    assertEquals(refs[0]!.artifactType, "application/spdx+json");
    const mem = new MemoryStore();
    await copy(repo, "v1", mem, "v1", { referrers: true });
    const manifest = JSON.parse(new TextDecoder().decode(await fetchAll(mem, root))) as {
      layers: { digest: string; size: number; mediaType: string }[];
    };
    const layer = await fetchAll(mem, manifest.layers[0]!);
    assertEquals(new TextDecoder().decode(layer), "hello from oras\n");
    assertEquals((await collect(mem.referrers(root))).map((d) => d.digest), [refs[0]!.digest]);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await reg.stop();
  }
});
