/**
 * Layouts through a pipe (notation #1347) and moving sets of images across an air gap (oras
 * backup/restore): `--oci-layout -` reads a layout tar from stdin for list, verify, inspect and
 * cp; `cp --to-oci-layout -` writes one to stdout; `cp -r` copies several tags, or every tag,
 * into one layout and back to a registry, signatures included. Bad input gets clear errors.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { distributionAvailable, startDistribution } from "../_helpers/distribution.ts";
import { ok, withSigningSandbox } from "../cli/commands/_fixture.ts";

const SCOPE = ["--scope", "local/hello-world"];
const CLI = new URL("../../cli.ts", import.meta.url).pathname;

function tarOf(dir: string, out: string, members = ["oci-layout", "index.json", "blobs"]): void {
  const r = new Deno.Command("tar", { args: ["-cf", out, "-C", dir, ...members] }).outputSync();
  assertEquals(r.code, 0, new TextDecoder().decode(r.stderr));
}

Deno.test("a layout tar piped between two ocisign processes: cp --to-oci-layout - | verify --oci-layout -", async () => {
  await withSigningSandbox(async (sb) => {
    ok(await sb.run("sign", "--oci-layout", "./img:v1"));
    const env = { OCISIGN_CONFIG_DIR: sb.configDir, HOME: sb.home, TMPDIR: sb.dir };
    const ocisign = (args: string[], stdin: "piped" | "null") =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--quiet", CLI, ...args],
        cwd: sb.cwd,
        env,
        clearEnv: true,
        stdin,
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    const producer = ocisign(
      ["cp", "-r", "--from-oci-layout", "./img:v1", "--to-oci-layout", "-"],
      "null",
    );
    const consumer = ocisign(["verify", "--oci-layout", ...SCOPE, "-"], "piped");
    await producer.stdout.pipeTo(consumer.stdin);
    const [made, verified] = await Promise.all([producer.output(), consumer.output()]);
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    assertEquals(made.code, 0, text(made.stderr));
    assert.match(text(made.stderr), /^Copied \[oci-layout\] \.\/img:v1 => \[oci-layout\] -$/m);
    assertEquals(verified.code, 0, text(verified.stderr));
    assert.match(
      text(verified.stdout),
      /^Successfully verified signature for -@sha256:[0-9a-f]{64}\n$/,
    );
    // Nothing is left behind in the temporary directory.
    const left = [...Deno.readDirSync(sb.dir)].map((e) => e.name).filter((n) => n.startsWith("."));
    assertEquals(left, []);
  });
});

Deno.test("list, inspect, verify and cp read a layout tar from stdin", async () => {
  await withSigningSandbox(async (sb) => {
    ok(await sb.run("sign", "--oci-layout", "./img:v1"));
    tarOf(`${sb.cwd}/img`, `${sb.cwd}/img.tar`);
    const stdinBytes = await Deno.readFile(`${sb.cwd}/img.tar`);
    const run = (...argv: string[]) => sb.runWith({ stdinBytes }, ...argv);
    const listed = JSON.parse(ok(await run("list", "--oci-layout", "-o", "json", "-")).stdout);
    assertEquals(listed.signatures.length, 1);
    const inspected = JSON.parse(
      ok(await run("inspect", "--oci-layout", "-o", "json", "--", "-:v1")).stdout,
    );
    assertEquals(inspected.Signatures.length, 1);
    const verified = JSON.parse(
      ok(await run("verify", "--oci-layout", ...SCOPE, "-o", "json", "--", "-:v1")).stdout,
    );
    assertEquals(verified.content.deep, true);
    ok(await run("cp", "-r", "--from-oci-layout", "--to-oci-layout", "-", "./copy:v1"));
    ok(await sb.run("verify", "--oci-layout", "./copy:v1", ...SCOPE));
    const toStdout = ok(
      await sb.run("cp", "-r", "--from-oci-layout", "./img:v1", "--to-oci-layout", "-"),
    );
    assertEquals(toStdout.stdout, "");
    const back = await sb.runWith(
      { stdinBytes: toStdout.stdoutBytes! },
      "verify",
      "--oci-layout",
      ...SCOPE,
      "-",
    );
    assertEquals(back.code, 0, back.stderr);
    const signing = await run("sign", "--oci-layout", "-");
    assertEquals(signing.code, 2, signing.stderr);
  });
});

Deno.test("bad layout tars on stdin get clear errors: empty, truncated, a blob twice with different content", async () => {
  await withSigningSandbox(async (sb) => {
    ok(await sb.run("sign", "--oci-layout", "./img:v1"));
    const dir = `${sb.cwd}/img`;
    tarOf(dir, `${sb.cwd}/img.tar`);
    const whole = await Deno.readFile(`${sb.cwd}/img.tar`);
    const verify = (stdinBytes: Uint8Array) =>
      sb.runWith({ stdinBytes }, "verify", "--oci-layout", ...SCOPE, "--", "-:v1");

    const empty = await verify(new Uint8Array());
    assertEquals(empty.code, 8, empty.stderr);
    assert.match(empty.stderr, /on stdin is empty/);

    // Cut inside a member: "truncated tar archive" (8); cut on a member boundary: the members
    // that did not arrive are missing (3). Never a success.
    for (const cut of [100, 10_000, Math.floor(whole.length / 2)]) {
      const truncated = await verify(whole.subarray(0, cut));
      assert.ok([3, 8].includes(truncated.code), `${cut}: ${truncated.code} ${truncated.stderr}`);
      assert.doesNotMatch(truncated.stdout, /Successfully/);
    }

    // The same blob name twice, the second with other bytes (as `tar -r` appends).
    const manifest = JSON.parse(await Deno.readTextFile(`${dir}/index.json`)).manifests[0];
    const blob = `blobs/sha256/${manifest.digest.slice(7)}`;
    await Deno.mkdir(`${sb.cwd}/evil/blobs/sha256`, { recursive: true });
    await Deno.writeTextFile(`${sb.cwd}/evil/${blob}`, '{"schemaVersion":2,"manifests":[]}');
    const twice = `${sb.cwd}/twice.tar`;
    await Deno.copyFile(`${sb.cwd}/img.tar`, twice);
    const r = new Deno.Command("tar", { args: ["-rf", twice, "-C", `${sb.cwd}/evil`, blob] })
      .outputSync();
    assertEquals(r.code, 0);
    const dup = await verify(await Deno.readFile(twice));
    assertEquals(dup.code, 8, dup.stderr);
    assert.match(dup.stderr, /duplicate|twice|more than once/i);
  });
});

Deno.test({
  name:
    "cp -r of several tags and of every tag: registry -> one layout (tar on stdout) -> registry",
  ignore: !distributionAvailable(),
  fn: async () => {
    const reg = await startDistribution();
    try {
      const src = `${reg.host}/src`;
      const dst = `${reg.host}/restored`;
      await withSigningSandbox(async (sb) => {
        // Two signed tags in the source repository.
        ok(await sb.run("sign", "--oci-layout", "./img:v1"));
        ok(await sb.run("cp", "-r", "--from-oci-layout", "./img:v1", `${src}:v1`, "--plain-http"));
        await Deno.writeTextFile(`${sb.cwd}/ctx/hello.txt`, "hello again\n");
        ok(await sb.run("build", "-t", "hello-world:v2", "-o", "./img", "./ctx"));
        ok(await sb.run("sign", "--oci-layout", "./img:v2"));
        ok(await sb.run("cp", "-r", "--from-oci-layout", "./img:v2", `${src}:v2`, "--plain-http"));

        // Several tags into one layout directory.
        const backup = ok(
          await sb.run("cp", "-r", `${src}:v1,v2`, "--to-oci-layout", "./backup", "--plain-http"),
        );
        assertEquals(backup.stdout.match(/^Digest: /gm)?.length, 2);
        for (const tag of ["v1", "v2"]) {
          ok(await sb.run("verify", "--oci-layout", `./backup:${tag}`, ...SCOPE));
        }
        // Every tag, as a tar on stdout, then from stdin back to another repository.
        const tar = ok(
          await sb.run("cp", "-r", "--all-tags", src, "--to-oci-layout", "-", "--plain-http"),
        );
        const restored = await sb.runWith(
          { stdinBytes: tar.stdoutBytes! },
          "cp",
          "-r",
          "--all-tags",
          "--from-oci-layout",
          "-",
          dst,
          "--plain-http",
          "-o",
          "json",
        );
        assertEquals(restored.code, 0, restored.stderr);
        const doc = JSON.parse(restored.stdout);
        assertEquals(doc.copied.map((c: { tags: string[] }) => c.tags[0]).sort(), ["v1", "v2"]);
        for (const tag of ["v1", "v2"]) {
          const v = await sb.run("verify", `${dst}:${tag}`, "--plain-http", "--deep");
          assertEquals(v.code, 0, v.stderr);
        }
        const usage = await sb.run("cp", `${src}:v1,v2`, `${dst}:x`, "--plain-http");
        assertEquals(usage.code, 2, usage.stderr);
      }, [dst]);
    } finally {
      await reg.stop();
    }
  },
});

Deno.test("verify --oci-layout - checks every layer as it streams past: a changed or missing one fails", async () => {
  await withSigningSandbox(async (sb) => {
    ok(await sb.run("sign", "--oci-layout", "./img:v1"));
    const dir = `${sb.cwd}/img`;
    const index = JSON.parse(await Deno.readTextFile(`${dir}/index.json`));
    const image = index.manifests.find((m: { annotations?: Record<string, string> }) =>
      m.annotations?.["org.opencontainers.image.ref.name"] === "v1"
    );
    const manifest = JSON.parse(
      await Deno.readTextFile(`${dir}/blobs/sha256/${image.digest.slice(7)}`),
    );
    const layer = manifest.layers[0];
    const path = `${dir}/blobs/sha256/${layer.digest.slice(7)}`;
    const verify = async (...flags: string[]) => {
      tarOf(dir, `${sb.cwd}/img.tar`);
      const stdinBytes = await Deno.readFile(`${sb.cwd}/img.tar`);
      return await sb.runWith({ stdinBytes }, "verify", "--oci-layout", ...SCOPE, ...flags, "-");
    };
    const bytes = await Deno.readFile(path);
    bytes[0] = bytes[0]! ^ 1;
    await Deno.chmod(path, 0o644);
    await Deno.writeFile(path, bytes);
    const changed = await verify();
    assertEquals(changed.code, 3, changed.stderr);
    assert.match(
      changed.stderr,
      new RegExp(`${layer.digest} \\(${layer.mediaType.replaceAll("+", "\\+")}\\) was changed`),
    );
    ok(await verify("--deep=false"));
    await Deno.remove(path);
    const missing = await verify();
    assertEquals(missing.code, 3, missing.stderr);
    assert.match(missing.stderr, new RegExp(`${layer.digest} .* is missing`));
  });
});
