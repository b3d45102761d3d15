/**
 * The seed workflow, command for command, with ocisign's CLI: on an OCI layout another tool made
 * (a directory pushed by oras; a tar written by `skopeo copy ... oci-archive:`) or `ocisign build`
 * made, generate a test certificate, write the seed's trust policy, sign, list, verify, copy with
 * signatures to a real `docker-registry`, list and verify there, and copy back (also without a
 * tag, as the seed writes it). Plus the exit codes of the failures. The same loop with the binary
 * `bun build --compile` makes is in `seed_workflow_compiled_slow_test.ts`.
 * Needs `oras` and `docker-registry`; the tar test `skopeo` and `umoci`; the build test only
 * `docker-registry`.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { runPeer } from "../_helpers/peers.ts";
import { describeRun, pushedSignature } from "../_helpers/e2e.ts";
import {
  copyBack,
  ok,
  ORAS,
  orasLayout,
  REGISTRY,
  seedLoop,
  seedSetUp,
  SKOPEO,
  tree,
  UMOCI,
  withSeed,
} from "./_seed_workflow.ts";

Deno.test({
  name: "seed workflow: sign, list, verify, cp -r to a registry and back, on an oras layout",
  ignore: ORAS === undefined || REGISTRY === undefined,
  fn: () =>
    withSeed(async ({ host, cwd, run }) => {
      const digest = await orasLayout(cwd, "hello-world");
      await seedSetUp(run, cwd, host);
      const signature = await seedLoop(run, "hello-world", host, digest);

      // Back from the registry into a new layout, with the signature, and it verifies.
      await copyBack(run, host, "./back:v1", digest, signature);

      // Exit codes of failures.
      await orasLayout(cwd, "unsigned");
      const unsigned = await run(
        "verify",
        "--oci-layout",
        "./unsigned:v1",
        "--scope",
        "local/hello-world",
      );
      assertEquals(unsigned.code, 3, describeRun(unsigned));
      assert.match(unsigned.stderr, /no signature is associated with/);
      const noPolicy = await run(
        "verify",
        "--oci-layout",
        "./hello-world:v1",
        "--scope",
        "local/other",
      );
      assertEquals(noPolicy.code, 4, describeRun(noPolicy));
      assert.match(noPolicy.stderr, /has no applicable trust policy statement/);
      const unknownTag = await run(
        "verify",
        "--oci-layout",
        "./hello-world:v9",
        "--scope",
        "local/hello-world",
      );
      assertEquals(unknownTag.code, 5, describeRun(unknownTag));
      const unknownRemote = await run("verify", `${host}/hello-world:v9`);
      assertEquals(unknownRemote.code, 5, describeRun(unknownRemote));
      const unsignedRemoteCopy = ok(
        await run("cp", "./unsigned:v1", "--from-oci-layout", `${host}/hello-world:unsigned`),
        "cp unsigned",
      );
      assert.ok(unsignedRemoteCopy.stdout.includes("Digest: sha256:"));
      const unsignedRemote = await run("verify", `${host}/hello-world:unsigned`);
      assertEquals(unsignedRemote.code, 3, describeRun(unsignedRemote));
    }),
});

Deno.test({
  name: "seed workflow, command for command, starting with ocisign build",
  ignore: REGISTRY === undefined,
  fn: (t) =>
    withSeed(async ({ host, cwd, run }) => {
      await Deno.writeTextFile(
        `${cwd}/Dockerfile`,
        'FROM scratch\nCOPY hello.txt /\nCMD ["/hello"]\n',
      );
      await Deno.writeTextFile(`${cwd}/hello.txt`, "hello, world\n");
      const built = ok(
        await run("build", "-t", "hello-world:v1", "-o", "./hello-world", "."),
        "build",
      );
      const digest = built.stdout.match(/^Digest: (sha256:[0-9a-f]{64})$/m)?.[1];
      assert.ok(digest, describeRun(built));
      await seedSetUp(run, cwd, host);
      await seedLoop(run, "hello-world", host, digest);
      await t.step({
        name: "skopeo inspects the built layout at the same digest",
        ignore: SKOPEO === undefined,
        fn: async () => {
          const inspected = await runPeer(SKOPEO!, ["inspect", "oci:./hello-world:v1"], { cwd });
          assertEquals(inspected.code, 0, describeRun(inspected));
          assertEquals(JSON.parse(inspected.stdout).Digest, digest);
        },
      });
    }),
});

Deno.test({
  name: "seed workflow: cp REF --to-oci-layout ./dir -r without a tag, as the seed spells it",
  ignore: ORAS === undefined || REGISTRY === undefined,
  fn: () =>
    withSeed(async ({ host, cwd, run }) => {
      const digest = await orasLayout(cwd, "hello-world");
      await seedSetUp(run, cwd, host);
      const signature = pushedSignature(
        ok(await run("sign", "--oci-layout", "./hello-world:v1"), "sign"),
      );
      ok(
        await run("cp", "./hello-world:v1", "--from-oci-layout", "-r", `${host}/hello-world:v1`),
        "cp to the registry",
      );
      // oras cp accepts a layout destination without tag or digest (the seed's second command,
      // `cp localhost:5000/hello-world:v1 --to-oci-layout ./hello-world`); so must ocisign.
      await copyBack(run, host, "./back", digest, signature);
    }),
});

Deno.test({
  name: "seed workflow on a layout tar written by skopeo copy oci-archive:",
  ignore: REGISTRY === undefined || SKOPEO === undefined || UMOCI === undefined,
  fn: (t) =>
    withSeed(async ({ host, cwd, run }) => {
      for (const args of [["init", "--layout", "./umoci"], ["new", "--image", "./umoci:v1"]]) {
        const made = await runPeer(UMOCI!, args, { cwd });
        assertEquals(made.code, 0, describeRun(made));
      }
      const archived = await runPeer(
        SKOPEO!,
        ["copy", "--quiet", "oci:./umoci:v1", "oci-archive:./x.tar:v1"],
        { cwd },
      );
      assertEquals(archived.code, 0, describeRun(archived));
      const before = await runPeer(SKOPEO!, ["inspect", "oci-archive:./x.tar:v1"], { cwd });
      assertEquals(before.code, 0, describeRun(before));
      const digest = JSON.parse(before.stdout).Digest as string;

      await seedSetUp(run, cwd, host);
      const signature = await seedLoop(run, "x.tar", host, digest);

      // The tar still opens in skopeo, and the image inside is unchanged.
      const after = await runPeer(SKOPEO!, ["inspect", "oci-archive:./x.tar:v1"], { cwd });
      assertEquals(after.code, 0, describeRun(after));
      assertEquals(JSON.parse(after.stdout).Digest, digest);
      const extracted = await runPeer(
        SKOPEO!,
        ["copy", "--quiet", "oci-archive:./x.tar:v1", "oci:./extracted:v1"],
        { cwd },
      );
      assertEquals(extracted.code, 0, describeRun(extracted));

      // oras reads the signed tar too.
      await t.step({
        name: "oras reads the signed tar too",
        ignore: ORAS === undefined,
        fn: async () => {
          const found = await runPeer(
            ORAS!,
            ["discover", "--oci-layout", "./x.tar:v1", "--format", "json"],
            { cwd },
          );
          assertEquals(found.code, 0, describeRun(found));
          const referrers = JSON.parse(found.stdout).referrers as Array<{ digest: string }>;
          assertEquals(referrers.map((r) => r.digest), [signature]);
        },
      });

      // Back from the registry into a new tar, which skopeo opens and ocisign verifies.
      const back = ok(
        await run("cp", "-r", `${host}/hello-world:v1`, "--to-oci-layout", "./back.tar:v1"),
        "cp to a tar",
      );
      assert.ok(back.stdout.includes(`Digest: ${digest}`), back.stdout);
      const backInspected = await runPeer(SKOPEO!, ["inspect", "oci-archive:./back.tar:v1"], {
        cwd,
      });
      assertEquals(backInspected.code, 0, describeRun(backInspected));
      assertEquals(JSON.parse(backInspected.stdout).Digest, digest);
      const backListed = ok(await run("list", "--oci-layout", "./back.tar:v1"), "list back.tar");
      assertEquals(backListed.stdout, tree(`./back.tar@${digest}`, signature));
      ok(
        await run("verify", "--oci-layout", "./back.tar:v1", "--scope", "local/hello-world"),
        "verify back.tar",
      );

      // A second look at the tar after skopeo read it: still one signature, still verifies.
      const listed = ok(await run("list", "--oci-layout", `./x.tar@${digest}`), "list the tar");
      assertEquals(listed.stdout, tree(`./x.tar@${digest}`, signature));
      ok(
        await run("verify", "--oci-layout", `./x.tar@${digest}`, "--scope", "local/hello-world"),
        "verify the tar",
      );
    }),
});
