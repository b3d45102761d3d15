/**
 * ocisign against oras (v1.3, oras-go v2) and skopeo: layouts ocisign signed travel with
 * `oras cp -r` and still verify; what `ocisign cp -r` pushes shows up in `oras discover`; what
 * `oras cp -r --to-oci-layout` writes verifies with `ocisign verify --oci-layout`; an
 * `oras attach`ed SBOM and its own signature travel with `ocisign cp -r` and show nested in
 * `oras discover`; skopeo reads the layouts ocisign wrote. Runs against a real `docker-registry`
 * (Distribution 2.8, referrers tag schema). Needs `oras`, `openssl`, `docker-registry`; the
 * skopeo step also `skopeo` and `umoci`.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";
import { startDistribution } from "../_helpers/distribution.ts";
import {
  copyDir,
  describeRun,
  makeInteropSigners,
  NOTARY_SIGNATURE,
  ocisign,
  pushedSignature,
  stdoutJson,
  withTempDir,
} from "../_helpers/e2e.ts";
import { makeOrasLayout } from "./notation_go/fixtures.ts";

const ORAS = findPeer("oras");
const OPENSSL = findPeer("openssl");
const REGISTRY = findPeer("docker-registry");
const SKOPEO = findPeer("skopeo");
const UMOCI = findPeer("umoci");
const MISSING = ORAS === undefined || OPENSSL === undefined || REGISTRY === undefined;

const SCOPE = "local/hello";

/** Runs oras in `cwd` and fails the test on a non-zero exit. */
async function oras(cwd: string, ...args: string[]): Promise<string> {
  const result = await runPeer(ORAS!, args, { cwd });
  assertEquals(result.code, 0, `oras ${args.join(" ")}: ${describeRun(result)}`);
  return result.stdout;
}

interface DiscoverJson {
  digest: string;
  referrers: Array<{ digest: string; artifactType: string; referrers: unknown[] }>;
}

Deno.test({
  name: "ocisign signatures travel with oras cp -r and show in oras discover",
  ignore: MISSING,
  fn: async (t) => {
    const registry = await startDistribution();
    try {
      await withTempDir("ocisign-interop-oras-", async (dir) => {
        const host = `localhost:${registry.host.split(":")[1]}`;
        const cfg = `${dir}/cfg`;
        await makeInteropSigners(OPENSSL!, dir, cfg, [
          SCOPE,
          `${host}/oras-pushed`,
          `${host}/ocisign-pushed`,
          `${host}/umoci`,
          `${host}/attached`,
        ]);
        const run = (...args: string[]) => ocisign({ cwd: dir, configDir: cfg }, ...args);
        const { layout, digest } = await makeOrasLayout(ORAS!, dir, "hello", "v1");
        const signed = await run("sign", "--oci-layout", `${layout}:v1`, "--key", "rsa");
        assertEquals(signed.code, 0, describeRun(signed));
        const jwsSig = pushedSignature(signed);
        const cose = await run(
          "sign",
          "--oci-layout",
          `${layout}@${digest}`,
          "--key",
          "ec",
          "--signature-format",
          "cose",
        );
        assertEquals(cose.code, 0, describeRun(cose));
        const sigs = [jwsSig, pushedSignature(cose)].sort();

        await t.step("oras discover --oci-layout sees ocisign's signatures", async () => {
          const found: DiscoverJson = JSON.parse(
            await oras(dir, "discover", "--oci-layout", `${layout}:v1`, "--format", "json"),
          );
          assertEquals(found.digest, digest);
          assertEquals(found.referrers.map((r) => r.digest).sort(), sigs);
          for (const r of found.referrers) assertEquals(r.artifactType, NOTARY_SIGNATURE);
        });

        await t.step(
          "oras cp -r --from-oci-layout, then ocisign verify in the registry",
          async () => {
            const ref = `${host}/oras-pushed:v1`;
            await oras(
              dir,
              "cp",
              "-r",
              "--from-oci-layout",
              `${layout}:v1`,
              "--to-plain-http",
              ref,
            );
            const listed = await run("list", ref, "-o", "json");
            assertEquals(listed.code, 0, describeRun(listed));
            assertEquals(
              (stdoutJson(listed).signatures as Array<{ digest: string }>).map((s) => s.digest)
                .sort(),
              sigs,
            );
            const verified = await run("verify", ref);
            assertEquals(verified.code, 0, describeRun(verified));
            assertEquals(
              verified.stdout,
              `Successfully verified signature for ${host}/oras-pushed@${digest}\n`,
            );
          },
        );

        await t.step("ocisign cp -r results show in oras discover", async () => {
          const ref = `${host}/ocisign-pushed:v1`;
          const copied = await run("cp", "-r", "--from-oci-layout", `${layout}:v1`, ref);
          assertEquals(copied.code, 0, describeRun(copied));
          const found: DiscoverJson = JSON.parse(
            await oras(dir, "discover", "--plain-http", ref, "--format", "json"),
          );
          assertEquals(found.digest, digest);
          assertEquals(found.referrers.map((r) => r.digest).sort(), sigs);
          for (const r of found.referrers) assertEquals(r.artifactType, NOTARY_SIGNATURE);
        });

        await t.step("oras cp -r --to-oci-layout output verifies with ocisign", async () => {
          const back = `${dir}/oras-back`;
          await oras(
            dir,
            "cp",
            "-r",
            "--from-plain-http",
            `${host}/ocisign-pushed:v1`,
            "--to-oci-layout",
            `${back}:v1`,
          );
          const verified = await run(
            "verify",
            "--oci-layout",
            `${back}:v1`,
            "--scope",
            SCOPE,
            "-o",
            "json",
          );
          assertEquals(verified.code, 0, describeRun(verified));
          assertEquals(stdoutJson(verified).verified, true);
          const listed = await run("list", "--oci-layout", `${back}@${digest}`, "-o", "json");
          assertEquals((stdoutJson(listed).signatures as unknown[]).length, 2);
        });

        await t.step(
          "an oras-attached SBOM and its ocisign signature travel with cp -r",
          async () => {
            const attached = `${dir}/attached`;
            await copyDir(layout, attached);
            await Deno.writeTextFile(`${dir}/sbom.json`, '{"spdxVersion":"SPDX-2.3"}\n');
            const out = await oras(
              dir,
              "attach",
              "--oci-layout",
              `${attached}:v1`,
              "--artifact-type",
              "application/spdx+json",
              "sbom.json",
            );
            const sbom = out.match(/Digest: (sha256:[0-9a-f]{64})/)![1]!;
            const sbomSigned = await run(
              "sign",
              "--oci-layout",
              `${attached}@${sbom}`,
              "--key",
              "ec",
            );
            assertEquals(sbomSigned.code, 0, describeRun(sbomSigned));
            const sbomSig = pushedSignature(sbomSigned);

            // ocisign lists only signatures, of the image and of the SBOM
            const listed = await run("list", "--oci-layout", `${attached}:v1`, "-o", "json");
            assertEquals(
              (stdoutJson(listed).signatures as Array<{ digest: string }>).map((s) => s.digest)
                .sort(),
              sigs,
            );

            const ref = `${host}/attached:v1`;
            const copied = await run("cp", "-r", "--from-oci-layout", `${attached}:v1`, ref);
            assertEquals(copied.code, 0, describeRun(copied));
            const found: DiscoverJson = JSON.parse(
              await oras(dir, "discover", "--plain-http", ref, "--format", "json"),
            );
            const byType = found.referrers.map((r) => [r.artifactType, r.digest]).sort();
            assertEquals(
              byType,
              [
                ["application/spdx+json", sbom],
                ...sigs.map((d) => [NOTARY_SIGNATURE, d]),
              ].sort(),
            );
            const sbomNode = found.referrers.find((r) => r.digest === sbom)!;
            assertEquals(
              (sbomNode.referrers as Array<{ digest: string; artifactType: string }>).map((
                r,
              ) => [r.artifactType, r.digest]),
              [[NOTARY_SIGNATURE, sbomSig]],
            );
            const verified = await run("verify", `${host}/attached@${sbom}`);
            assertEquals(verified.code, 0, describeRun(verified));
          },
        );

        await t.step({
          name: "skopeo inspect reads layouts ocisign signed and wrote",
          ignore: SKOPEO === undefined || UMOCI === undefined,
          fn: async () => {
            const image = `${dir}/umoci`;
            for (const args of [["init", "--layout", image], ["new", "--image", `${image}:v1`]]) {
              const made = await runPeer(UMOCI!, args);
              assertEquals(made.code, 0, describeRun(made));
            }
            const before = await runPeer(SKOPEO!, ["inspect", "--raw", `oci:${image}:v1`]);
            assertEquals(before.code, 0, describeRun(before));

            // ocisign writes into a layout made by umoci ...
            const signedImage = await run("sign", "--oci-layout", `${image}:v1`, "--key", "ec");
            assertEquals(signedImage.code, 0, describeRun(signedImage));
            const after = await runPeer(SKOPEO!, ["inspect", "--raw", `oci:${image}:v1`]);
            assertEquals([after.code, after.stdout], [0, before.stdout], describeRun(after));

            // ... and writes a whole layout from a registry.
            const ref = `${host}/umoci:v1`;
            const up = await run("cp", "-r", "--from-oci-layout", `${image}:v1`, ref);
            assertEquals(up.code, 0, describeRun(up));
            const written = `${dir}/ocisign-written`;
            const down = await run("cp", "-r", ref, "--to-oci-layout", `${written}:v1`);
            assertEquals(down.code, 0, describeRun(down));
            const inspected = await runPeer(SKOPEO!, ["inspect", `oci:${written}:v1`]);
            assertEquals(inspected.code, 0, describeRun(inspected));
            const rawInspected = await runPeer(SKOPEO!, ["inspect", "--raw", `oci:${written}:v1`]);
            assertEquals(rawInspected.stdout, before.stdout);
            assert.ok(JSON.parse(inspected.stdout).Digest.startsWith("sha256:"));

            // skopeo copies the ocisign-written layout onward; oras finds its signature.
            const onward = await runPeer(SKOPEO!, [
              "copy",
              "--quiet",
              `oci:${written}:v1`,
              `oci:${dir}/skopeo-copy:v1`,
            ]);
            assertEquals(onward.code, 0, describeRun(onward));
            const found: DiscoverJson = JSON.parse(
              await oras(dir, "discover", "--oci-layout", `${written}:v1`, "--format", "json"),
            );
            assertEquals(found.referrers.map((r) => r.digest), [pushedSignature(signedImage)]);
            const verified = await run("verify", "--oci-layout", `${written}:v1`, "--scope", SCOPE);
            assertEquals(verified.code, 0, describeRun(verified));
          },
        });
      });
    } finally {
      await registry.stop();
    }
  },
});
