/**
 * The seed workflow with the binary `bun build --compile` makes, run as a subprocess (heavy: it
 * compiles the binary, so it runs with `deno task test:slow`). Needs `bun`, `oras` and
 * `docker-registry`; with `notation-peer` the binary's signatures are also verified by notation.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";
import { describeRun, ocisign } from "../_helpers/e2e.ts";
import { bunCompileArgs } from "../_helpers/bun.ts";
import {
  ok,
  ORAS,
  orasLayout,
  REGISTRY,
  type Run,
  seedLoop,
  seedSetUp,
  withSeed,
} from "./_seed_workflow.ts";

const BUN = findPeer("bun");
const PEER = findPeer("notation-peer");
const REPO_ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

Deno.test({
  name: "seed workflow with the binary bun build --compile makes, run as a subprocess",
  ignore: BUN === undefined || ORAS === undefined || REGISTRY === undefined,
  fn: (t) =>
    withSeed(async ({ host, dir, cwd }) => {
      if (!(await Deno.stat(`${REPO_ROOT}/node_modules/jose`).catch(() => undefined))) {
        const installed = await runPeer(Deno.execPath(), ["install"], { cwd: REPO_ROOT });
        assertEquals(installed.code, 0, describeRun(installed));
      }
      const binary = `${dir}/ocisign`;
      const built = await runPeer(BUN!, bunCompileArgs(binary), {
        cwd: REPO_ROOT,
      });
      assertEquals(built.code, 0, describeRun(built));

      const env = { OCISIGN_CONFIG_DIR: `${dir}/config`, HOME: cwd, NO_COLOR: "1" };
      const run: Run = (...args) => runPeer(binary, args, { cwd, env });
      const digest = await orasLayout(cwd, "hello-world");
      await seedSetUp(run, cwd, host);
      await seedLoop(run, "hello-world", host, digest);

      // What the binary signs with Bun's WebCrypto, notation verifies: JWS in the registry, and
      // COSE in a layout.
      await t.step({
        name: "notation-go verifies what the binary signed: JWS in the registry, COSE in a layout",
        ignore: PEER === undefined,
        fn: async () => {
          const peer = (...args: string[]) =>
            runPeer(PEER!, args, { cwd, env: { NOTATION_CACHE: `${dir}/notation-cache` } });
          const config = ["--config-dir", `${dir}/config`];
          const jws = await peer("verify", `${host}/hello-world:v1`, ...config);
          assertEquals(jws.code, 0, describeRun(jws));
          await orasLayout(cwd, "hello-cose");
          ok(
            await run("sign", "--oci-layout", "./hello-cose:v1", "--signature-format", "cose"),
            "sign COSE",
          );
          const cose = await peer(
            "verify",
            "--oci-layout",
            "./hello-cose:v1",
            "--scope",
            "local/hello-world",
            ...config,
          );
          assertEquals(cose.code, 0, describeRun(cose));
        },
      });

      // The binary builds the same bytes as `deno run` (fflate, not the runtime's zlib).
      await Deno.mkdir(`${cwd}/ctx/etc`, { recursive: true });
      await Deno.writeTextFile(`${cwd}/ctx/etc/motd`, "reproducible\n".repeat(1000));
      await Deno.writeTextFile(
        `${cwd}/ctx/Dockerfile`,
        'FROM scratch\nCOPY etc /etc\nCMD ["/x"]\n',
      );
      const byBinary = await run(
        "build",
        "-t",
        "app:v1",
        "-o",
        "./bin-built",
        "./ctx",
        "--format",
        "json",
      );
      assertEquals(byBinary.code, 0, describeRun(byBinary));
      const byDeno = await ocisign(
        { cwd, configDir: `${dir}/config` },
        "build",
        "-t",
        "app:v1",
        "-o",
        "./deno-built.tar",
        "./ctx",
        "--format",
        "json",
      );
      assertEquals(byDeno.code, 0, describeRun(byDeno));
      assertEquals(
        JSON.parse(byBinary.stdout).descriptor.digest,
        JSON.parse(byDeno.stdout).descriptor.digest,
      );

      const unknownTag = await run("verify", `${host}/hello-world:v9`);
      assertEquals(unknownTag.code, 5, describeRun(unknownTag));
      const noPolicy = await run(
        "verify",
        "--oci-layout",
        "./hello-world:v1",
        "--scope",
        "local/other",
      );
      assertEquals(noPolicy.code, 4, describeRun(noPolicy));
    }),
});
