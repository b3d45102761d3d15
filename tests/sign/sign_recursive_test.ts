/**
 * Multi-platform images (notation #1229): `sign --recursive` signs an index and each platform
 * manifest in one command, all or nothing; `verify --platform` verifies the index's signature and
 * the chosen platform's; `list` shows signatures per platform. The released notation CLIs (1.3 and
 * 2.0.0-alpha.1) verify every signed manifest.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import type { CliSandbox } from "../_helpers/cli.ts";
import { distributionAvailable, startDistribution } from "../_helpers/distribution.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";
import { ok, seedPolicy, withSigningSandbox } from "../cli/commands/_fixture.ts";
import { startLyingProxy } from "../registry/_lying_proxy.ts";

const SCOPE = ["--scope", "local/hello-world"];
const NOTATION_13 = findPeer("notation");
const NOTATION_20 = findPeer("notation-2.0.0-alpha.1");

interface Listed {
  subject: { digest: string };
  signatures: { digest: string }[];
  manifests?: { platform: string; subject: { digest: string }; signatures: unknown[] }[];
}

async function buildMulti(sb: CliSandbox, out = "./multi"): Promise<void> {
  ok(
    await sb.run(
      "build",
      "-t",
      "hello-world:v1",
      "--platform",
      "linux/amd64,linux/arm64",
      "-o",
      out,
      "./ctx",
    ),
  );
}

async function signatureCount(path: string): Promise<number> {
  const index = JSON.parse(await Deno.readTextFile(`${path}/index.json`));
  return index.manifests.filter((m: { artifactType?: string; annotations?: object }) =>
    m.annotations === undefined || !("org.opencontainers.image.ref.name" in m.annotations)
  ).length;
}

Deno.test("sign --recursive in a layout signs the index and each platform; verify --platform; list tree", async () => {
  await withSigningSandbox(async (sb) => {
    await buildMulti(sb);
    const before = await signatureCount(`${sb.cwd}/multi`);
    const signed = ok(await sb.run("sign", "-r", "--oci-layout", "./multi:v1", "-o", "json"));
    const doc = JSON.parse(signed.stdout);
    assertEquals(doc.manifests.map((m: { platform: string }) => m.platform), [
      "linux/amd64",
      "linux/arm64",
    ]);
    assertEquals(await signatureCount(`${sb.cwd}/multi`), before + 3);

    const listed = JSON.parse(
      ok(await sb.run("list", "--oci-layout", "./multi:v1", "-o", "json")).stdout,
    ) as Listed;
    assertEquals(listed.signatures.length, 1);
    assertEquals(listed.manifests!.map((m) => [m.platform, m.signatures.length]), [
      ["linux/amd64", 1],
      ["linux/arm64", 1],
    ]);
    const tree = ok(await sb.run("list", "--oci-layout", "./multi:v1")).stdout;
    assertEquals(
      tree.replaceAll(/sha256:[0-9a-f]{64}/g, "D"),
      [
        "./multi@D",
        "├── application/vnd.cncf.notary.signature",
        "│   └── D",
        "├── linux/amd64 D",
        "│   └── application/vnd.cncf.notary.signature",
        "│       └── D",
        "└── linux/arm64 D",
        "    └── application/vnd.cncf.notary.signature",
        "        └── D",
        "",
      ].join("\n"),
    );

    const arm = listed.manifests![1]!.subject.digest;
    const v = ok(
      await sb.run("verify", "--oci-layout", "./multi:v1", ...SCOPE, "--platform", "linux/arm64"),
    );
    assert.match(
      v.stdout,
      new RegExp(
        `^Successfully verified signature for \\./multi@${listed.subject.digest}\nSuccessfully verified signature for \\./multi@${arm} \\(linux/arm64\\)\n$`,
      ),
    );
    const unknown = await sb.run(
      "verify",
      "--oci-layout",
      "./multi:v1",
      ...SCOPE,
      "--platform",
      "linux/s390x",
    );
    assertEquals(unknown.code, 5, unknown.stderr);
    assert.match(
      unknown.stderr,
      /no manifest for platform linux\/s390x; it has linux\/amd64, linux\/arm64/,
    );
  });
});

Deno.test("verify --platform fails naming the platform when only the index is signed", async () => {
  await withSigningSandbox(async (sb) => {
    await buildMulti(sb);
    ok(await sb.run("sign", "--oci-layout", "./multi:v1"));
    ok(await sb.run("verify", "--oci-layout", "./multi:v1", ...SCOPE));
    const r = await sb.run(
      "verify",
      "--oci-layout",
      "./multi:v1",
      ...SCOPE,
      "--platform",
      "linux/arm64",
    );
    assertEquals(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      /is signed, but its linux\/arm64 manifest sha256:[0-9a-f]{64} is not: no signature is associated/,
    );
    const tree = ok(await sb.run("list", "--oci-layout", "./multi:v1")).stdout;
    assert.match(tree, /linux\/arm64 sha256:[0-9a-f]{64} \(unsigned\)\n/);
  });
});

Deno.test("sign --recursive with a missing platform manifest fails and signs nothing", async () => {
  await withSigningSandbox(async (sb) => {
    await buildMulti(sb);
    const dir = `${sb.cwd}/multi`;
    const listed = JSON.parse(
      ok(await sb.run("list", "--oci-layout", "./multi:v1", "-o", "json")).stdout,
    ) as Listed;
    const arm = listed.manifests![1]!.subject.digest;
    await Deno.remove(`${dir}/blobs/sha256/${arm.slice(7)}`);
    const indexBefore = await Deno.readTextFile(`${dir}/index.json`);
    const r = await sb.run("sign", "-r", "--oci-layout", "./multi:v1");
    assertEquals(r.code, 5, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`linux/arm64 manifest ${arm} listed by index sha256:[0-9a-f]{64} is missing`),
    );
    assertEquals(await Deno.readTextFile(`${dir}/index.json`), indexBefore);
  });
});

Deno.test({
  name: "sign --recursive in a registry; verify --platform and list there",
  ignore: !distributionAvailable(),
  fn: async () => {
    const reg = await startDistribution();
    try {
      const repo = `${reg.host}/multi`;
      await withSigningSandbox(async (sb) => {
        await buildMulti(sb);
        ok(await sb.run("cp", "--from-oci-layout", "./multi:v1", `${repo}:v1`, "--plain-http"));
        const signed = ok(await sb.run("sign", "-r", `${repo}:v1`, "--plain-http"));
        assertEquals(signed.stdout.match(/^Successfully signed /gm)?.length, 3);
        const listed = JSON.parse(
          ok(await sb.run("list", `${repo}:v1`, "--plain-http", "-o", "json")).stdout,
        ) as Listed;
        assertEquals(listed.manifests!.map((m) => m.signatures.length), [1, 1]);
        const v = ok(
          await sb.run(
            "verify",
            `${repo}:v1`,
            "--plain-http",
            "--platform",
            "linux/amd64",
            "--deep",
          ),
        );
        assert.match(v.stdout, /\(linux\/amd64\)\n$/);
      }, [repo]);
    } finally {
      await reg.stop();
    }
  },
});

for (const [name, bin] of [["1.3", NOTATION_13], ["2.0.0-alpha.1", NOTATION_20]] as const) {
  Deno.test({
    name: `notation ${name} verifies each manifest ocisign sign --recursive signed`,
    ignore: bin === undefined,
    fn: async () => {
      await withSigningSandbox(async (sb) => {
        await buildMulti(sb);
        ok(await sb.run("sign", "-r", "--oci-layout", "./multi:v1"));
        const listed = JSON.parse(
          ok(await sb.run("list", "--oci-layout", "./multi:v1", "-o", "json")).stdout,
        ) as Listed;
        // notation's own configuration: the same key store layout, under XDG_CONFIG_HOME.
        const xdg = `${sb.dir}/xdg`;
        await Deno.mkdir(xdg);
        await Deno.rename(sb.configDir, `${xdg}/notation`);
        await Deno.writeTextFile(`${xdg}/notation/trustpolicy.json`, seedPolicy());
        const digests = [listed.subject.digest, ...listed.manifests!.map((m) => m.subject.digest)];
        for (const digest of digests) {
          const r = await runPeer(bin!, [
            "verify",
            "--oci-layout",
            `${sb.cwd}/multi@${digest}`,
            ...SCOPE,
          ], {
            env: { NOTATION_EXPERIMENTAL: "1", XDG_CONFIG_HOME: xdg, HOME: sb.home },
          });
          assertEquals(r.code, 0, `${digest}: ${r.stdout}${r.stderr}`);
          assert.match(r.stdout, new RegExp(`Successfully verified signature for .*${digest}`));
        }
      });
    },
  });
}

Deno.test({
  name: "sign --recursive in a registry that fails half-way names the signatures already pushed",
  ignore: !distributionAvailable(),
  fn: async () => {
    const reg = await startDistribution();
    const proxy = startLyingProxy(reg.url);
    try {
      const repo = `${proxy.host}/multi`;
      await withSigningSandbox(async (sb) => {
        await buildMulti(sb);
        ok(await sb.run("cp", "--from-oci-layout", "./multi:v1", `${repo}:v1`, "--plain-http"));
        const listed = JSON.parse(
          ok(await sb.run("list", `${repo}:v1`, "--plain-http", "-o", "json")).stdout,
        ) as Listed;
        // Each signature is one manifest PUT, plus its referrers tag index (Distribution 2.8
        // has no referrers API): the two platforms' go through, the index's fails.
        proxy.lie = { kind: "fail-manifest-put", after: 4 };
        const r = await sb.run("sign", "-r", `${repo}:v1`, "--plain-http");
        assertEquals(r.code, 7, r.stderr);
        assert.match(r.stderr, new RegExp(`the index ${listed.subject.digest} is not signed`));
        for (const m of listed.manifests!) {
          assert.match(
            r.stderr,
            new RegExp(`${m.subject.digest} \\(signature sha256:[0-9a-f]{64}\\)`),
          );
        }
        proxy.lie = undefined;
        const after = JSON.parse(
          ok(await sb.run("list", `${repo}:v1`, "--plain-http", "-o", "json")).stdout,
        ) as Listed;
        assertEquals(after.signatures.length, 0);
        assertEquals(after.manifests!.map((m) => m.signatures.length), [1, 1]);
      }, [repo]);
    } finally {
      await proxy.stop();
      await reg.stop();
    }
  },
});
