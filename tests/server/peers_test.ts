import { assert, assertEquals } from "../_helpers/assert.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";
import { serveRegistry } from "./_fixture.ts";

const oras = findPeer("oras");
const skopeo = findPeer("skopeo");
const umoci = findPeer("umoci");

async function ok(bin: string, args: string[], cwd?: string): Promise<string> {
  const res = await runPeer(bin, args, cwd === undefined ? {} : { cwd });
  assertEquals(res.code, 0, `${bin} ${args.join(" ")}\n${res.stdout}\n${res.stderr}`);
  return res.stdout;
}

Deno.test({
  name: "registry works with oras push, pull, attach, discover and cp -r",
  ignore: oras === undefined,
  fn: async () => {
    const reg = await serveRegistry();
    const work = await Deno.makeTempDir({ prefix: "ocisign-oras-" });
    try {
      const host = reg.address;
      await Deno.writeTextFile(`${work}/hello.txt`, "hello from oras\n");
      await Deno.writeTextFile(`${work}/sig.txt`, "not really a signature\n");
      await ok(
        oras!,
        ["push", "--plain-http", `${host}/demo/app:v1`, "hello.txt:text/plain"],
        work,
      );
      await ok(oras!, ["pull", "--plain-http", `${host}/demo/app:v1`, "-o", `${work}/pulled`]);
      assertEquals(await Deno.readTextFile(`${work}/pulled/hello.txt`), "hello from oras\n");

      await ok(oras!, [
        "attach",
        "--plain-http",
        "--artifact-type",
        "application/vnd.example.sig",
        `${host}/demo/app:v1`,
        "sig.txt:text/plain",
      ], work);
      const discovered = JSON.parse(
        await ok(oras!, ["discover", "--plain-http", "--format", "json", `${host}/demo/app:v1`]),
      ) as { referrers?: { artifactType: string }[]; manifests?: { artifactType: string }[] };
      const refs = discovered.referrers ?? discovered.manifests ?? [];
      assertEquals(refs.map((r) => r.artifactType), ["application/vnd.example.sig"]);

      // OCI-Subject was answered, so oras wrote no fallback tag.
      const tags = JSON.parse(
        await ok(oras!, ["repo", "tags", "--plain-http", `${host}/demo/app`, "--format", "json"]),
      );
      assertEquals(JSON.stringify(tags).includes("sha256-"), false);

      await ok(oras!, [
        "cp",
        "-r",
        "--from-plain-http",
        "--to-plain-http",
        `${host}/demo/app:v1`,
        `${host}/copy/app:v2`,
      ]);
      const copied = JSON.parse(
        await ok(oras!, ["discover", "--plain-http", "--format", "json", `${host}/copy/app:v2`]),
      ) as { referrers?: unknown[]; manifests?: unknown[] };
      assertEquals((copied.referrers ?? copied.manifests ?? []).length, 1);

      // The repository directory is an OCI layout oras can copy from directly.
      await ok(oras!, [
        "cp",
        "-r",
        "--from-oci-layout",
        `${reg.root}/demo/app:v1`,
        "--to-oci-layout",
        `${work}/out:v1`,
      ]);
      const index = JSON.parse(await Deno.readTextFile(`${work}/out/index.json`)) as {
        manifests: unknown[];
      };
      assertEquals(index.manifests.length, 2);
      // And back into the registry from a layout.
      await ok(oras!, [
        "cp",
        "-r",
        "--from-oci-layout",
        `${work}/out:v1`,
        "--to-plain-http",
        `${host}/back/app:v1`,
      ]);
      await ok(oras!, ["pull", "--plain-http", `${host}/back/app:v1`, "-o", `${work}/back`]);
      assertEquals(await Deno.readTextFile(`${work}/back/hello.txt`), "hello from oras\n");
    } finally {
      await Deno.remove(work, { recursive: true });
      await reg.close();
    }
  },
});

Deno.test({
  name: "registry works with skopeo copy to and from it, and its layouts with umoci",
  ignore: skopeo === undefined || umoci === undefined,
  fn: async () => {
    const reg = await serveRegistry();
    const work = await Deno.makeTempDir({ prefix: "ocisign-skopeo-" });
    try {
      const host = reg.address;
      await ok(umoci!, ["init", "--layout", `${work}/src`]);
      await ok(umoci!, ["new", "--image", `${work}/src:v1`]);
      await ok(umoci!, ["config", "--image", `${work}/src:v1`, "--config.env", "HELLO=world"]);
      await ok(skopeo!, [
        "copy",
        "--dest-tls-verify=false",
        `oci:${work}/src:v1`,
        `docker://${host}/sk/img:v1`,
      ]);
      const inspect = JSON.parse(
        await ok(skopeo!, ["inspect", "--tls-verify=false", `docker://${host}/sk/img:v1`]),
      ) as { Env?: string[] };
      assert(inspect.Env?.includes("HELLO=world"), JSON.stringify(inspect));
      await ok(skopeo!, [
        "copy",
        "--src-tls-verify=false",
        `docker://${host}/sk/img:v1`,
        `oci:${work}/dst:v1`,
      ]);
      const stat = await ok(umoci!, ["stat", "--image", `${work}/dst:v1`, "--json"]);
      assert(stat.length > 0);
      // Docker schema 2 manifests round-trip too.
      await ok(skopeo!, [
        "copy",
        "--format",
        "v2s2",
        "--dest-tls-verify=false",
        `oci:${work}/src:v1`,
        `docker://${host}/sk/docker:v1`,
      ]);
      const raw = JSON.parse(
        await ok(skopeo!, [
          "inspect",
          "--raw",
          "--tls-verify=false",
          `docker://${host}/sk/docker:v1`,
        ]),
      ) as { mediaType: string };
      assertEquals(raw.mediaType, "application/vnd.docker.distribution.manifest.v2+json");
      await ok(skopeo!, [
        "copy",
        "--src-tls-verify=false",
        `docker://${host}/sk/docker:v1`,
        `oci:${work}/dst2:v1`,
      ]);
      // The repository directory itself is a layout umoci and skopeo can read.
      await ok(umoci!, ["stat", "--image", `${reg.root}/sk/img:v1`, "--json"]);
      await ok(skopeo!, ["inspect", `oci:${reg.root}/sk/img:v1`]);
    } finally {
      await Deno.remove(work, { recursive: true });
      await reg.close();
    }
  },
});
