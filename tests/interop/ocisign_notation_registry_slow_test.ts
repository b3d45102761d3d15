/**
 * ocisign against notation (notation-peer: the official notation-go v1.3.2 library) in a real
 * CNCF Distribution 2.8 registry (`docker-registry`), which has no Referrers API: signatures one
 * tool pushes (JWS and COSE, RSA and EC chains made with openssl) are found through the referrers
 * tag schema (`sha256-<hex>`) and listed and verified by the other; both signatures on one image
 * are seen by both; a multi-platform index and one of its images; a Docker v2 schema 2 image;
 * layouts ocisign copies to and from the registry; the 2.x manifest shape; a corrupted envelope
 * blob and a signature by an untrusted key are rejected by both; a registry that requires Basic
 * auth. Needs `notation-peer` and `oras` (scripts/peers/install.sh), `openssl` and
 * `docker-registry`; the Docker image step also `skopeo` and `umoci`, the auth test `htpasswd`.
 * In `deno task test:slow`: `notation_cli_test.ts` runs the real notation CLI over the same ground in
 * the default run; this file adds the Docker image, Basic auth and 2.x-shape cases of the driver.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { findPeer, type PeerResult, runPeer } from "../_helpers/peers.ts";
import { type Distribution, startDistribution } from "../_helpers/distribution.ts";
import {
  describeRun,
  type InteropSigners,
  makeInteropSigners,
  NOTARY_SIGNATURE,
  ocisign,
  pushedSignature,
  stdoutJson,
  withTempDir,
} from "../_helpers/e2e.ts";
import { makeOrasLayout } from "./notation_go/fixtures.ts";

const PEER = findPeer("notation-peer");
const ORAS = findPeer("oras");
const OPENSSL = findPeer("openssl");
const REGISTRY = findPeer("docker-registry");
const SKOPEO = findPeer("skopeo");
const UMOCI = findPeer("umoci");
const MISSING = PEER === undefined || ORAS === undefined || OPENSSL === undefined ||
  REGISTRY === undefined;

type Format = "jws" | "cose";
type KeyName = "rsa" | "ec";
const COMBOS: Array<{ format: Format; key: KeyName }> = [
  { format: "jws", key: "rsa" },
  { format: "cose", key: "ec" },
  { format: "jws", key: "ec" },
  { format: "cose", key: "rsa" },
];
const REPOS = [
  ...COMBOS.map(({ format, key }) => `ocisign-${format}-${key}`),
  ...COMBOS.map(({ format, key }) => `peer-${format}-${key}`),
  "both",
  "layout-copied",
  "multi",
  "corrupt-envelope",
  "artifact-type-manifest",
  "docker",
  "untrusted-ocisign",
  "untrusted-peer",
];

interface Fixture {
  dir: string;
  cfg: string;
  /** `localhost:<port>`: plain HTTP for both tools without a flag. */
  host: string;
  registry: Distribution;
  pki: InteropSigners;
  /** Layout made by oras that every repository starts from. */
  pristine: string;
  digest: string;
  ocisign(...args: string[]): ReturnType<typeof ocisign>;
  peer(...args: string[]): Promise<PeerResult>;
  /** Pushes the pristine image to `<host>/<repo>:v1` with oras and returns that reference. */
  push(repo: string): Promise<string>;
}

async function setUp(dir: string, registry: Distribution): Promise<Fixture> {
  const host = `localhost:${registry.host.split(":")[1]}`;
  const cfg = `${dir}/cfg`;
  const pki = await makeInteropSigners(OPENSSL!, dir, cfg, REPOS.map((r) => `${host}/${r}`));
  const { layout: pristine, digest } = await makeOrasLayout(ORAS!, dir, "hello", "v1");
  return {
    dir,
    cfg,
    host,
    registry,
    pki,
    pristine,
    digest,
    ocisign: (...args) => ocisign({ cwd: dir, configDir: cfg }, ...args),
    peer: (...args) =>
      runPeer(PEER!, args, { cwd: dir, env: { NOTATION_CACHE: `${dir}/notation-cache` } }),
    push: async (repo) => {
      const ref = `${host}/${repo}:v1`;
      const copied = await runPeer(ORAS!, [
        "cp",
        "--from-oci-layout",
        `${pristine}:v1`,
        "--to-plain-http",
        ref,
      ]);
      assertEquals(copied.code, 0, describeRun(copied));
      return ref;
    },
  };
}

async function tags(fx: Fixture, repo: string): Promise<string[]> {
  const res = await fetch(`${fx.registry.url}/v2/${repo}/tags/list`);
  assertEquals(res.status, 200);
  return ((await res.json()).tags as string[]).sort();
}

function fallbackTag(digest: string): string {
  return digest.replace(":", "-");
}

async function peerSign(
  fx: Fixture,
  ref: string,
  key: KeyName | "mallory",
  format: Format,
): Promise<string> {
  const signed = await fx.peer(
    "sign",
    ref,
    "--key",
    fx.pki[key].leafKey,
    "--cert",
    fx.pki[key].chain,
    "--signature-format",
    format,
    "-m",
    "team=green",
  );
  assertEquals(signed.code, 0, describeRun(signed));
  return signed.stdout.trim();
}

async function ocisignSign(
  fx: Fixture,
  ref: string,
  key: KeyName | "mallory",
  format: Format,
): Promise<string> {
  const signed = await fx.ocisign(
    "sign",
    ref,
    "--key",
    key,
    "--signature-format",
    format,
    "-m",
    "team=blue",
  );
  assertEquals(signed.code, 0, describeRun(signed));
  return pushedSignature(signed);
}

async function ocisignList(fx: Fixture, ref: string): Promise<string[]> {
  const listed = await fx.ocisign("list", ref, "-o", "json");
  assertEquals(listed.code, 0, describeRun(listed));
  const signatures = stdoutJson(listed).signatures as Array<
    { digest: string; artifactType: string }
  >;
  for (const s of signatures) assertEquals(s.artifactType, NOTARY_SIGNATURE);
  return signatures.map((s) => s.digest).sort();
}

async function peerList(fx: Fixture, ref: string): Promise<string[]> {
  const listed = await fx.peer("list", ref);
  assertEquals(listed.code, 0, describeRun(listed));
  return listed.stdout.split("\n").filter((l) => l !== "").sort();
}

Deno.test({
  name: "ocisign and notation-peer list and verify each other's signatures in docker-registry",
  ignore: MISSING,
  fn: async (t) => {
    const registry = await startDistribution();
    try {
      await withTempDir("ocisign-interop-registry-", async (dir) => {
        const fx = await setUp(dir, registry);

        await t.step("notation-peer lists and verifies what ocisign pushed", async () => {
          for (const { format, key } of COMBOS) {
            const repo = `ocisign-${format}-${key}`;
            const ref = await fx.push(repo);
            const sig = await ocisignSign(fx, ref, key, format);
            assertEquals(await tags(fx, repo), [fallbackTag(fx.digest), "v1"]);
            assertEquals(await peerList(fx, ref), [sig]);
            const ok = await fx.peer("verify", ref, "--config-dir", fx.cfg, "-m", "team=blue");
            assertEquals(ok.code, 0, `${repo}: ${describeRun(ok)}`);
            assert.ok(
              ok.stdout.startsWith(
                `Successfully verified signature for ${fx.host}/${repo}@${fx.digest}\n`,
              ),
              ok.stdout,
            );
            assert.match(ok.stdout, /KEY +VALUE +\nteam +blue/);
          }
        });

        await t.step("ocisign lists, inspects and verifies what notation-peer pushed", async () => {
          for (const { format, key } of COMBOS) {
            const repo = `peer-${format}-${key}`;
            const ref = await fx.push(repo);
            const sig = await peerSign(fx, ref, key, format);
            assertEquals(await tags(fx, repo), [fallbackTag(fx.digest), "v1"]);
            assertEquals(await ocisignList(fx, ref), [sig]);
            const ok = await fx.ocisign("verify", ref, "-m", "team=green", "-o", "json");
            assertEquals(ok.code, 0, `${repo}: ${describeRun(ok)}`);
            const result = stdoutJson(ok);
            assertEquals(result.reference, `${fx.host}/${repo}@${fx.digest}`);
            assertEquals(result.userMetadata, { team: "green" });
            const text = await fx.ocisign("verify", ref);
            assert.ok(
              text.stdout.startsWith(
                `Successfully verified signature for ${fx.host}/${repo}@${fx.digest}\n`,
              ),
              describeRun(text),
            );
            const inspected = stdoutJson(await fx.ocisign("inspect", ref, "-o", "json"));
            const [entry] = inspected.Signatures as Array<Record<string, unknown>>;
            assertEquals(entry!.digest, sig);
            assertEquals(
              entry!.mediaType,
              format === "jws" ? "application/jose+json" : "application/cose",
            );
            assertEquals(entry!.unsignedAttributes, { signingAgent: "notation-go/1.3.2" });
          }
        });

        await t.step(
          "both tools see both signatures of one image in the tag schema index",
          async () => {
            const ref = await fx.push("both");
            const first = await peerSign(fx, ref, "rsa", "jws");
            const second = await ocisignSign(fx, ref, "ec", "cose");
            const third = await peerSign(fx, ref, "ec", "cose");
            const all = [first, second, third].sort();
            assertEquals(await ocisignList(fx, ref), all);
            assertEquals(await peerList(fx, ref), all);
            const theirs = await fx.peer("verify", ref, "--config-dir", fx.cfg);
            assertEquals(theirs.code, 0, describeRun(theirs));
            const ours = await fx.ocisign("verify", ref);
            assertEquals(ours.code, 0, describeRun(ours));
          },
        );

        await t.step(
          "notation-peer verifies what ocisign cp -r moved between layout and registry",
          async () => {
            // registry → layout: ocisign writes a new layout that notation reads
            const layout = `${fx.dir}/from-registry`;
            const down = await fx.ocisign(
              "cp",
              "-r",
              `${fx.host}/both:v1`,
              "--to-oci-layout",
              `${layout}:v1`,
            );
            assertEquals(down.code, 0, describeRun(down));
            const all = await peerList(fx, `${fx.host}/both:v1`);
            const listed = await fx.peer("list", "--oci-layout", `${layout}:v1`);
            assertEquals(listed.stdout.split("\n").filter((l) => l !== "").sort(), all);
            const theirs = await fx.peer(
              "verify",
              "--oci-layout",
              `${layout}:v1`,
              "--scope",
              `${fx.host}/both`,
              "--config-dir",
              fx.cfg,
            );
            assertEquals(theirs.code, 0, describeRun(theirs));

            // layout → registry: a notation-signed layout copied by ocisign verifies in notation
            const signed = `${fx.dir}/peer-signed-layout`;
            const made = await runPeer(ORAS!, [
              "cp",
              "--from-oci-layout",
              `${fx.pristine}:v1`,
              "--to-oci-layout",
              `${signed}:v1`,
            ]);
            assertEquals(made.code, 0, describeRun(made));
            const sig = await fx.peer(
              "sign",
              "--oci-layout",
              `${signed}:v1`,
              "--key",
              fx.pki.ec.leafKey,
              "--cert",
              fx.pki.ec.chain,
            );
            assertEquals(sig.code, 0, describeRun(sig));
            const ref = `${fx.host}/layout-copied:v1`;
            const up = await fx.ocisign("cp", "-r", "--from-oci-layout", `${signed}:v1`, ref);
            assertEquals(up.code, 0, describeRun(up));
            assertEquals(await peerList(fx, ref), [sig.stdout.trim()]);
            const verified = await fx.peer("verify", ref, "--config-dir", fx.cfg);
            assertEquals(verified.code, 0, describeRun(verified));
          },
        );

        await t.step(
          "a multi-platform index and one of its images, signed by both tools",
          async () => {
            const context = `${fx.dir}/context`;
            await Deno.mkdir(context);
            await Deno.writeTextFile(`${context}/Dockerfile`, "FROM scratch\nCOPY hello.txt /\n");
            await Deno.writeTextFile(`${context}/hello.txt`, "hello, platforms\n");
            const layout = `${fx.dir}/multi`;
            const built = await fx.ocisign(
              "build",
              "--platform",
              "linux/amd64,linux/arm64",
              "-t",
              "multi:v1",
              "-o",
              layout,
              context,
            );
            assertEquals(built.code, 0, describeRun(built));
            const index = built.stdout.match(/^Digest: (sha256:[0-9a-f]{64})$/m)![1]!;
            const ours = await fx.ocisign(
              "sign",
              "--oci-layout",
              `${layout}@${index}`,
              "--key",
              "rsa",
            );
            assertEquals(ours.code, 0, describeRun(ours));
            const theirs = await fx.peer(
              "sign",
              "--oci-layout",
              `${layout}@${index}`,
              "--key",
              fx.pki.ec.leafKey,
              "--cert",
              fx.pki.ec.chain,
              "--signature-format",
              "cose",
            );
            assertEquals(theirs.code, 0, describeRun(theirs));

            const ref = `${fx.host}/multi`;
            const up = await fx.ocisign(
              "cp",
              "-r",
              "--from-oci-layout",
              `${layout}:v1`,
              `${ref}:v1`,
            );
            assertEquals(up.code, 0, describeRun(up));
            const both = [pushedSignature(ours), theirs.stdout.trim()].sort();
            assertEquals(await peerList(fx, `${ref}@${index}`), both);
            assertEquals(await ocisignList(fx, `${ref}@${index}`), both);
            const peerOk = await fx.peer("verify", `${ref}@${index}`, "--config-dir", fx.cfg);
            assertEquals(peerOk.code, 0, describeRun(peerOk));
            const ourOk = await fx.ocisign("verify", `${ref}@${index}`);
            assertEquals(ourOk.code, 0, describeRun(ourOk));

            // One platform's image, signed in the registry by ocisign, verified by notation.
            const manifests = JSON.parse(
              await Deno.readTextFile(`${layout}/blobs/sha256/${index.slice(7)}`),
            ).manifests as Array<{ digest: string }>;
            assertEquals(manifests.length, 2);
            const child = `${ref}@${manifests[1]!.digest}`;
            const unsigned = await fx.peer("verify", child, "--config-dir", fx.cfg);
            assertEquals(unsigned.code, 1, describeRun(unsigned));
            const childSig = await ocisignSign(fx, child, "ec", "jws");
            assertEquals(await peerList(fx, child), [childSig]);
            const childOk = await fx.peer("verify", child, "--config-dir", fx.cfg);
            assertEquals(childOk.code, 0, describeRun(childOk));
          },
        );

        await t.step(
          "an envelope blob corrupted in the registry's storage is rejected by both",
          async () => {
            const blob = (digest: string) =>
              `${fx.registry.dir}/data/docker/registry/v2/blobs/sha256/${digest.slice(7, 9)}/${
                digest.slice(7)
              }/data`;
            const flipLastByte = async (digest: string) => {
              const bytes = await Deno.readFile(blob(digest));
              bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x01;
              await Deno.writeFile(blob(digest), bytes);
            };
            // Distribution checks manifests it serves, not blobs: the envelope reaches the client.
            const ref = await fx.push("corrupt-envelope");
            const sig = await ocisignSign(fx, ref, "ec", "cose");
            const manifest = JSON.parse(await Deno.readTextFile(blob(sig)));
            await flipLastByte(manifest.layers[0].digest);
            const ours = await fx.ocisign("verify", ref);
            const theirs = await fx.peer("verify", ref, "--config-dir", fx.cfg);
            const both = `--- ocisign: ${describeRun(ours)}\n--- notation-peer: ${
              describeRun(theirs)
            }`;
            assertEquals([ours.code, theirs.code], [3, 1], both);
            assert.match(ours.stderr, /digest mismatch/i, both);
            assert.match(theirs.stderr, /mismatch/i, both);
          },
        );

        await t.step(
          "a 2.x-shape signature in a registry: notation 1.3.2 lists and verifies it (unlike in a layout)",
          async () => {
            const ref = await fx.push("artifact-type-manifest");
            const signed = await fx.ocisign(
              "sign",
              ref,
              "--key",
              "ec",
              "--artifact-type-manifest",
            );
            assertEquals(signed.code, 0, describeRun(signed));
            const sig = pushedSignature(signed);
            assertEquals(await ocisignList(fx, ref), [sig]);
            assertEquals(await peerList(fx, ref), [sig]);
            const theirs = await fx.peer("verify", ref, "--config-dir", fx.cfg);
            assertEquals(theirs.code, 0, describeRun(theirs));
            const ours = await fx.ocisign("verify", ref);
            assertEquals(ours.code, 0, describeRun(ours));
          },
        );

        await t.step({
          name: "a Docker v2 schema 2 image pushed by skopeo, signed and verified by both",
          ignore: SKOPEO === undefined || UMOCI === undefined,
          fn: async () => {
            const image = `${fx.dir}/umoci`;
            for (const args of [["init", "--layout", image], ["new", "--image", `${image}:v1`]]) {
              const made = await runPeer(UMOCI!, args);
              assertEquals(made.code, 0, describeRun(made));
            }
            const ref = `${fx.host}/docker:v1`;
            const pushed = await runPeer(SKOPEO!, [
              "copy",
              "--quiet",
              "--format",
              "v2s2",
              "--dest-tls-verify=false",
              `oci:${image}:v1`,
              `docker://${ref}`,
            ]);
            assertEquals(pushed.code, 0, describeRun(pushed));
            const ours = await ocisignSign(fx, ref, "rsa", "jws");
            const theirs = await peerSign(fx, ref, "ec", "cose");
            assertEquals(await ocisignList(fx, ref), [ours, theirs].sort());
            const inspected = stdoutJson(await fx.ocisign("inspect", ref, "-o", "json"));
            for (const entry of inspected.Signatures as Array<Record<string, unknown>>) {
              assertEquals(
                (entry.signedArtifact as { mediaType: string }).mediaType,
                "application/vnd.docker.distribution.manifest.v2+json",
              );
            }
            for (const [signer, sig] of [["ocisign", ours], ["notation-peer", theirs]]) {
              // each signature alone, in a layout of its own, so that each is verified
              const layout = `${fx.dir}/docker-${signer}`;
              const down = await fx.ocisign("cp", ref, "--to-oci-layout", `${layout}:v1`);
              assertEquals(down.code, 0, describeRun(down));
              const withSig = await fx.ocisign(
                "cp",
                `${fx.host}/docker@${sig}`,
                "--to-oci-layout",
                `${layout}@${sig}`,
              );
              assertEquals(withSig.code, 0, describeRun(withSig));
              const peerOk = await fx.peer(
                "verify",
                "--oci-layout",
                `${layout}:v1`,
                "--scope",
                `${fx.host}/docker`,
                "--config-dir",
                fx.cfg,
              );
              assertEquals(peerOk.code, 0, `${signer}: ${describeRun(peerOk)}`);
              const ourOk = await fx.ocisign(
                "verify",
                "--oci-layout",
                `${layout}:v1`,
                "--scope",
                `${fx.host}/docker`,
              );
              assertEquals(ourOk.code, 0, `${signer}: ${describeRun(ourOk)}`);
            }
          },
        });

        await t.step("both tools reject a signature by an untrusted key", async () => {
          for (const signer of ["ocisign", "peer"] as const) {
            const ref = await fx.push(`untrusted-${signer}`);
            if (signer === "ocisign") await ocisignSign(fx, ref, "mallory", "jws");
            else await peerSign(fx, ref, "mallory", "cose");
            const ours = await fx.ocisign("verify", ref);
            const theirs = await fx.peer("verify", ref, "--config-dir", fx.cfg);
            const both = `signed by ${signer}\n--- ocisign: ${describeRun(ours)}\n` +
              `--- notation-peer: ${describeRun(theirs)}`;
            assertEquals([ours.code, theirs.code], [3, 1], both);
            assert.match(ours.stderr, /not produced by a trusted signer/, both);
            assert.match(theirs.stderr, /Reason: .*does not contain any trusted certificate/, both);
          }
        });
      });
    } finally {
      await registry.stop();
    }
  },
});

Deno.test({
  name: "ocisign and notation-peer sign and verify in a docker-registry that requires Basic auth",
  ignore: MISSING || findPeer("htpasswd") === undefined,
  fn: () =>
    withTempDir("ocisign-interop-auth-", async (dir) => {
      const user = "wabbit";
      const password = `pw-${crypto.randomUUID()}`;
      const htpasswd = await runPeer(findPeer("htpasswd")!, ["-Bbn", user, password]);
      assertEquals(htpasswd.code, 0, describeRun(htpasswd));
      await Deno.writeTextFile(`${dir}/htpasswd`, htpasswd.stdout);
      const registry = await startDistribution({ htpasswd: `${dir}/htpasswd` });
      try {
        const host = `localhost:${registry.host.split(":")[1]}`;
        const repo = `${host}/private`;
        const cfg = `${dir}/cfg`;
        const pki = await makeInteropSigners(OPENSSL!, dir, cfg, [repo]);
        const { layout, digest } = await makeOrasLayout(ORAS!, dir, "hello", "v1");
        const creds = { NOTATION_USERNAME: user, NOTATION_PASSWORD: password };
        const peer = (...args: string[]) =>
          runPeer(PEER!, args, { cwd: dir, env: { ...creds, NOTATION_CACHE: `${dir}/cache` } });
        const run = (...args: string[]) =>
          ocisign({ cwd: dir, configDir: cfg, stdin: `${password}\n` }, ...args);
        const auth = ["-u", user, "--password-stdin"];

        const anonymous = await ocisign(
          { cwd: dir, configDir: cfg },
          "cp",
          "--from-oci-layout",
          `${layout}:v1`,
          `${repo}:v1`,
        );
        assertEquals(anonymous.code, 6, describeRun(anonymous));

        // ocisign cp has no credential flags: it reads Docker's config.json in the home directory.
        const dockerAuth = btoa(`${user}:${password}`);
        await Deno.mkdir(`${dir}/.docker`);
        await Deno.writeTextFile(
          `${dir}/.docker/config.json`,
          JSON.stringify({ auths: { [host]: { auth: dockerAuth } } }),
        );
        const pushed = await ocisign(
          { cwd: dir, configDir: cfg },
          "cp",
          "--from-oci-layout",
          `${layout}:v1`,
          `${repo}:v1`,
        );
        assertEquals(pushed.code, 0, describeRun(pushed));
        await Deno.remove(`${dir}/.docker`, { recursive: true });

        const wrong = await ocisign(
          { cwd: dir, configDir: cfg, stdin: "not-the-password\n" },
          "verify",
          `${repo}:v1`,
          "-u",
          user,
          "--password-stdin",
        );
        assertEquals(wrong.code, 6, describeRun(wrong));
        assert.ok(!wrong.stderr.includes("not-the-password"), wrong.stderr);

        const theirSig = await peer(
          "sign",
          `${repo}@${digest}`,
          "--key",
          pki.rsa.leafKey,
          "--cert",
          pki.rsa.chain,
        );
        assertEquals(theirSig.code, 0, describeRun(theirSig));
        const ourSig = await run("sign", `${repo}@${digest}`, "--key", "ec", ...auth);
        assertEquals(ourSig.code, 0, describeRun(ourSig));
        const all = [theirSig.stdout.trim(), pushedSignature(ourSig)].sort();

        const listed = await run("list", `${repo}@${digest}`, "-o", "json", ...auth);
        assertEquals(
          (stdoutJson(listed).signatures as Array<{ digest: string }>).map((s) => s.digest).sort(),
          all,
        );
        const peerListed = await peer("list", `${repo}@${digest}`);
        assertEquals(peerListed.stdout.split("\n").filter((l) => l !== "").sort(), all);
        const ours = await run("verify", `${repo}@${digest}`, ...auth);
        assertEquals(ours.code, 0, describeRun(ours));
        const theirs = await peer("verify", `${repo}@${digest}`, "--config-dir", cfg);
        assertEquals(theirs.code, 0, describeRun(theirs));
        for (const r of [anonymous, pushed, wrong, ourSig, listed, ours]) {
          assert.ok(
            ![password, dockerAuth].some((p) => `${r.stdout}${r.stderr}`.includes(p)),
            "the password is never printed",
          );
        }
      } finally {
        await registry.stop();
      }
    }),
});
