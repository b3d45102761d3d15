/**
 * The compiled binary hashes large blobs on a worker thread whose entry `scripts/bun_compile.ts`
 * builds in: a copy of a layout with a 3 MiB layer succeeds, and the same copy from a layout whose
 * layer was changed in place fails with the digest mismatch (nothing taken unverified).
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";
import { bunCompileArgs } from "../_helpers/bun.ts";
import { EXIT } from "../../lib/cli/exit_codes.ts";

const bun = findPeer("bun");
const repo = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

Deno.test({
  name: "the compiled binary copies a layout with a large layer, and refuses a changed one",
  ignore: bun === undefined,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "ocisign-bin-cp-" });
    try {
      const binary = `${dir}/ocisign`;
      const build = await runPeer(bun!, bunCompileArgs(binary), { cwd: repo });
      assertEquals(build.code, 0, build.stderr);
      await Deno.mkdir(`${dir}/ctx`);
      const random = new Uint8Array(3 * 1024 * 1024);
      for (let off = 0; off < random.length; off += 65536) {
        crypto.getRandomValues(random.subarray(off, off + 65536));
      }
      await Deno.writeFile(`${dir}/ctx/random.bin`, random);
      await Deno.writeTextFile(`${dir}/ctx/Dockerfile`, "FROM scratch\nCOPY random.bin /\n");
      const built = await runPeer(binary, ["build", "-t", "big:v1", "-o", "src", "ctx"], {
        cwd: dir,
      });
      assertEquals(built.code, 0, built.stderr);

      // Hashing threads however many cores (by default only above two).
      const env = { OCISIGN_HASH_THREADS: "1" };
      const copied = await runPeer(
        binary,
        ["cp", "--from-oci-layout", "src:v1", "--to-oci-layout", "dst:v1"],
        { cwd: dir, env },
      );
      assertEquals(copied.code, 0, copied.stderr);

      // Change one byte of the largest blob, keeping its size.
      let largest = { name: "", size: 0 };
      for await (const e of Deno.readDir(`${dir}/src/blobs/sha256`)) {
        const size = (await Deno.stat(`${dir}/src/blobs/sha256/${e.name}`)).size;
        if (size > largest.size) largest = { name: e.name, size };
      }
      assert.ok(largest.size > 1024 * 1024, "the layer is large enough for the worker");
      const path = `${dir}/src/blobs/sha256/${largest.name}`;
      const bytes = await Deno.readFile(path);
      bytes[bytes.length >> 1]! ^= 1;
      await Deno.chmod(path, 0o644);
      await Deno.writeFile(path, bytes);
      const refused = await runPeer(
        binary,
        ["cp", "--from-oci-layout", "src:v1", "--to-oci-layout", "dst2:v1"],
        { cwd: dir, env },
      );
      assertEquals(refused.code, EXIT.INVALID_INPUT, refused.stderr);
      assert.match(refused.stderr, /digest mismatch/i);
      await assert.rejects(() => Deno.stat(`${dir}/dst2/blobs/sha256/${largest.name}`));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
