/**
 * The compiled binary (Bun) pulls from a registry into a layout directory through files Bun
 * writes natively (`Bun.write`), each read back against digest and size before it goes into
 * `blobs/` (on the hashing thread, and with `OCISIGN_HASH_THREADS=0` on the main thread): a good
 * pull keeps the bytes; a wrong byte, an over-long body, a cut body and a stalled body each fail
 * with their exit code and leave no blob and no temporary file.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { bunCompileArgs } from "../_helpers/bun.ts";
import { within } from "../_helpers/deadline.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";
import { EXIT } from "../../lib/cli/exit_codes.ts";
import { Registry } from "../../lib/registry/registry.ts";
import { blob, manifest } from "../registry/_fixtures.ts";
import { type Lie, startLyingProxy } from "../registry/_lying_proxy.ts";
import { serveRegistry } from "../server/_fixture.ts";

const bun = findPeer("bun");
const repo = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/** Every path under `dir` that is not the layout's own. */
async function strays(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${dir}/${prefix}`)) {
    const rel = `${prefix}${e.name}`;
    if (e.isDirectory) out.push(...await strays(dir, `${rel}/`));
    else if (!/^(index\.json|oci-layout|blobs\/sha256\/[0-9a-f]{64})$/.test(rel)) out.push(rel);
  }
  return out;
}

Deno.test({
  name: "the compiled binary pulls into a layout through verified files, and keeps no bad byte",
  ignore: bun === undefined,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "ocisign-bin-pull-" });
    const reg = await serveRegistry();
    const proxy = startLyingProxy(`http://${reg.address}`);
    try {
      const binary = `${dir}/ocisign`;
      const build = await runPeer(bun!, bunCompileArgs(binary), { cwd: repo });
      assertEquals(build.code, 0, build.stderr);

      const random = new Uint8Array(3 * 1024 * 1024);
      for (let off = 0; off < random.length; off += 65536) {
        crypto.getRandomValues(random.subarray(off, off + 65536));
      }
      const layer = await blob(random, "application/vnd.oci.image.layer.v1.tar");
      const config = await blob("{}", "application/vnd.oci.image.config.v1+json");
      const image = await manifest(config.desc, [layer.desc]);
      const direct = new Registry(reg.address, { plainHttp: true }).repository("src");
      for (const c of [config, layer, image]) await direct.push(c.desc, c.bytes);
      await direct.tag(image.desc, "v1");
      const layerFile = (out: string) => `${dir}/${out}/blobs/sha256/${layer.desc.digest.slice(7)}`;
      const pull = (out: string, env: Record<string, string> = {}) =>
        within(
          runPeer(
            binary,
            ["cp", "--from-plain-http", `${proxy.host}/src:v1`, "--to-oci-layout", `${out}:v1`],
            { cwd: dir, env },
          ),
          60_000,
          "the pull",
        );

      const ok = await pull("good");
      assertEquals(ok.code, 0, ok.stderr);
      assertEquals(await Deno.readFile(layerFile("good")), random);
      assertEquals(await strays(`${dir}/good`), []);
      // No Content-Length: checked as it streams, and written all the same.
      proxy.lie = { kind: "chunked", digest: layer.desc.digest };
      const chunked = await pull("chunked");
      assertEquals(chunked.code, 0, chunked.stderr);
      assertEquals(await Deno.readFile(layerFile("chunked")), random);

      const cases: [Lie, number, string][] = [
        [{ kind: "flip-sized", digest: layer.desc.digest }, EXIT.INVALID_INPUT, "flipped"],
        [{ kind: "overlong", digest: layer.desc.digest }, EXIT.INVALID_INPUT, "overlong"],
        [{ kind: "cut", digest: layer.desc.digest }, -1, "cut"],
        [
          { kind: "stall", path: `/blobs/${layer.desc.digest}`, after: 100_000 },
          EXIT.REGISTRY,
          "stalled",
        ],
      ];
      // The file hashed on the hashing thread (the default), and on the main thread.
      for (const threads of ["default", "0"]) {
        const env: Record<string, string> = threads === "0" ? { OCISIGN_HASH_THREADS: "0" } : {};
        for (const [lie, code, name] of cases) {
          const out = `${name}-${threads}`;
          proxy.lie = lie;
          const run = await pull(out, { ...env, OCISIGN_REGISTRY_TIMEOUT: "0.5" });
          if (code === -1) assert(run.code !== 0, `${out}: ${run.stderr}`);
          else assertEquals(run.code, code, `${out}: ${run.stderr}`);
          assert(run.stderr.includes(layer.desc.digest), run.stderr);
          await assert.rejects(() => Deno.stat(layerFile(out)), `${out}: no blob kept`);
          assertEquals(await strays(`${dir}/${out}`), [], `${out}: no temporary file kept`);
        }
        proxy.lie = undefined;
        const good = await pull(`good-${threads}`, env);
        assertEquals(good.code, 0, good.stderr);
        assertEquals(await Deno.readFile(layerFile(`good-${threads}`)), random);
        assertEquals(await strays(`${dir}/good-${threads}`), []);
      }
    } finally {
      await proxy.stop();
      await reg.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
