/**
 * `ocisign blob` on bad input: a missing file, a directory or FIFO, a signature that is not one
 * (junk, truncated, huge), an existing `.sig` without `--force` (refused, untouched), a policy
 * file with errors — clear errors and the README's exit codes, nothing overwritten; and the
 * default places and modes of what it writes.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import type { CliResult, CliSandbox } from "../_helpers/cli.ts";
import { cliSandbox } from "../_helpers/cli.ts";
import { addTestKey } from "../_helpers/test_key.ts";
import { ok } from "../cli/commands/_fixture.ts";

function fails(r: CliResult, exit: number, message: string): void {
  assert.equal(r.code, exit, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.ok(r.stderr.includes(message), `stderr lacks ${JSON.stringify(message)}: ${r.stderr}`);
}

async function sandbox(): Promise<CliSandbox> {
  const sb = await cliSandbox();
  await addTestKey(sb, "wabbit-networks.io");
  ok(
    await sb.run(
      "blob",
      "policy",
      "init",
      "--name",
      "releases",
      "--trust-store",
      "ca:wabbit-networks.io",
      "--trusted-identity",
      "*",
      "--global",
    ),
  );
  await Deno.mkdir(`${sb.cwd}/dist`);
  await Deno.writeTextFile(`${sb.cwd}/dist/app.tar`, "the release\n".repeat(1000));
  return sb;
}

Deno.test("blob sign writes <file>.<format>.sig beside the file, 0644; verify and inspect read it", async () => {
  const sb = await sandbox();
  try {
    const signed = ok(await sb.run("blob", "sign", "dist/app.tar"));
    assertEquals(
      signed.stdout,
      `Successfully signed dist/app.tar\n Signature file written to ${sb.cwd}/dist/app.tar.jws.sig\n`,
    );
    assertEquals((await Deno.stat(`${sb.cwd}/dist/app.tar.jws.sig`)).mode! & 0o777, 0o644);
    const json = JSON.parse(
      ok(await sb.run("blob", "sign", "--signature-format", "cose", "-o", "json", "dist/app.tar"))
        .stdout,
    );
    assertEquals(json.signed[0].signature, `${sb.cwd}/dist/app.tar.cose.sig`);
    assertEquals(json.signed[0].targetArtifact.size, 12_000);
    for (const format of ["jws", "cose"]) {
      const r = ok(
        await sb.run("blob", "verify", "--signature", `dist/app.tar.${format}.sig`, "dist/app.tar"),
      );
      assertEquals(r.stdout, "Successfully verified signature for dist/app.tar\n");
    }
    const tree = ok(await sb.run("blob", "inspect", "dist/app.tar.cose.sig")).stdout;
    assert.match(tree, /^dist\/app\.tar\.cose\.sig\n├── signature algorithm: RSASSA-PSS-SHA-256\n/);
    assert.match(tree, /size: 12000\n$/);
    // several files, into one directory
    await Deno.writeTextFile(`${sb.cwd}/b.txt`, "b");
    await Deno.mkdir(`${sb.cwd}/sigs`);
    ok(await sb.run("blob", "sign", "--signature-directory", "sigs", "dist/app.tar", "b.txt"));
    assertEquals(
      [...Deno.readDirSync(`${sb.cwd}/sigs`)].map((e) => e.name).sort(),
      ["app.tar.jws.sig", "b.txt.jws.sig"],
    );
  } finally {
    await sb.close();
  }
});

Deno.test("blob sign refuses an existing signature without --force and leaves it untouched", async () => {
  const sb = await sandbox();
  try {
    const sig = `${sb.cwd}/dist/app.tar.jws.sig`;
    await Deno.writeTextFile(sig, "keep me");
    await Deno.writeTextFile(`${sb.cwd}/other.bin`, "other");
    // nothing is signed when one target exists, not even the files before it
    fails(
      await sb.run("blob", "sign", "other.bin", "dist/app.tar"),
      2,
      `The signature file ${sig} already exists; use --force to overwrite it`,
    );
    assertEquals(await Deno.readTextFile(sig), "keep me");
    assertEquals(await Deno.stat(`${sb.cwd}/other.bin.jws.sig`).catch(() => undefined), undefined);
    const forced = ok(await sb.run("blob", "sign", "--force", "dist/app.tar"));
    assert.match(forced.stderr, /Warning: existing signature file .* will be overwritten/);
    ok(await sb.run("blob", "verify", "--signature", sig, "dist/app.tar"));
  } finally {
    await sb.close();
  }
});

Deno.test("blob sign and verify: missing, directory and FIFO inputs fail clearly", async () => {
  const sb = await sandbox();
  try {
    fails(await sb.run("blob", "sign", "nope.bin"), 5, "open nope.bin: no such file or directory");
    fails(await sb.run("blob", "sign", "dist"), 8, "read dist: is a directory");
    const fifo = await new Deno.Command("mkfifo", { args: [`${sb.cwd}/pipe`] }).output();
    assert.ok(fifo.success);
    fails(await sb.run("blob", "sign", "pipe"), 8, "read pipe: not a regular file");
    fails(await sb.run("blob", "sign"), 2, "requires at least 1 arg(s), received 0 (missing FILE)");
    fails(
      await sb.run("blob", "sign", "--signature-directory", "missing", "dist/app.tar"),
      5,
      "signature directory missing does not exist",
    );
    ok(await sb.run("blob", "sign", "dist/app.tar"));
    const sig = "dist/app.tar.jws.sig";
    fails(await sb.run("blob", "verify", "--signature", sig, "nope.bin"), 5, "no such file");
    fails(await sb.run("blob", "verify", "--signature", sig, "pipe"), 8, "not a regular file");
    fails(
      await sb.run("blob", "verify", "--signature", "none.jws.sig", "dist/app.tar"),
      5,
      "none.jws.sig",
    );
    fails(
      await sb.run("blob", "verify", "dist/app.tar"),
      2,
      "filepath of the signature cannot be empty",
    );
    fails(
      await sb.run("blob", "sign", "--media-type", "not a type", "--force", "dist/app.tar"),
      8,
      'invalid content media-type "not a type"',
    );
  } finally {
    await sb.close();
  }
});

Deno.test("blob verify and inspect refuse junk, truncated and huge signatures", async () => {
  const sb = await sandbox();
  try {
    ok(await sb.run("blob", "sign", "dist/app.tar"));
    ok(await sb.run("blob", "sign", "--signature-format", "cose", "dist/app.tar"));
    const dir = `${sb.cwd}/dist`;
    await Deno.writeTextFile(`${dir}/junk.jws.sig`, "not a signature");
    await Deno.writeTextFile(`${dir}/junk.cose.sig`, "not a signature");
    for (const format of ["jws", "cose"]) {
      const whole = await Deno.readFile(`${dir}/app.tar.${format}.sig`);
      await Deno.writeFile(`${dir}/cut.${format}.sig`, whole.subarray(0, whole.length - 40));
      for (const name of [`junk.${format}.sig`, `cut.${format}.sig`]) {
        const r = await sb.run("blob", "verify", "--signature", `dist/${name}`, "dist/app.tar");
        assertEquals(r.code, 3, `${name}: ${r.stderr}`);
        const i = await sb.run("blob", "inspect", `dist/${name}`);
        assertEquals(i.code, 3, `${name}: ${i.stderr}`);
      }
    }
    // 33 MiB of zeros: over the 32 MiB envelope limit, refused before parsing
    const huge = await Deno.open(`${dir}/huge.jws.sig`, { create: true, write: true });
    await huge.truncate(33 * 1024 * 1024);
    huge.close();
    fails(
      await sb.run("blob", "verify", "--signature", "dist/huge.jws.sig", "dist/app.tar"),
      8,
      "over the limit of 33554432 bytes",
    );
    fails(await sb.run("blob", "inspect", "dist/huge.jws.sig"), 8, "over the limit");
  } finally {
    await sb.close();
  }
});

Deno.test("blob policy: import, init and show check the document; a bad one is never installed", async () => {
  const sb = await sandbox();
  try {
    const path = `${sb.configDir}/trustpolicy.blob.json`;
    const before = await Deno.readTextFile(path);
    assertEquals(ok(await sb.run("blob", "policy", "show")).stdout, before);
    const statement = {
      signatureVerification: { level: "strict" },
      trustStores: ["ca:wabbit-networks.io"],
      trustedIdentities: ["*"],
    };
    await Deno.writeTextFile(
      `${sb.cwd}/dup.json`,
      JSON.stringify({
        version: "1.0",
        trustPolicies: [{ name: "a", ...statement }, { name: "a", ...statement }],
      }),
    );
    fails(
      await sb.run("blob", "policy", "import", "--force", "dup.json"),
      4,
      'failed to validate blob trust policy configuration: multiple blob trust policy statements use the same name "a"',
    );
    assertEquals(await Deno.readTextFile(path), before);
    await Deno.writeTextFile(
      `${sb.cwd}/named.json`,
      JSON.stringify({ version: "1.0", trustPolicies: [{ name: "named", ...statement }] }),
    );
    fails(await sb.run("blob", "policy", "import", "named.json"), 2, "already exists; use --force");
    ok(await sb.run("blob", "policy", "import", "--force", "named.json"));
    ok(await sb.run("blob", "sign", "dist/app.tar"));
    const sig = ["--signature", "dist/app.tar.jws.sig", "dist/app.tar"];
    // no global policy now: the statement must be named
    fails(await sb.run("blob", "verify", ...sig), 4, "no global blob trust policy");
    ok(await sb.run("blob", "verify", "--policy-name", "named", ...sig));
    fails(
      await sb.run("blob", "verify", "--policy-name", "other", ...sig),
      4,
      'no applicable blob trust policy with name "other"',
    );
    fails(
      await sb.run("blob", "policy", "init", "--name", "g", "--global", "--trust-store", "ca:x"),
      4,
      "either missing trust stores or trusted identities",
    );
    // a broken file in place: verify fails with exit 4, show still prints it
    await Deno.writeTextFile(path, "{ broken");
    fails(
      await sb.run("blob", "verify", "--policy-name", "named", ...sig),
      4,
      "malformed trust policy",
    );
    const shown = await sb.run("blob", "policy", "show");
    assertEquals([shown.code, shown.stdout], [0, "{ broken"]);
    assert.match(shown.stderr, /Existing blob trust policy configuration is invalid/);
    await Deno.remove(path);
    fails(
      await sb.run("blob", "verify", "--policy-name", "named", ...sig),
      4,
      "trust policy is not present",
    );
    fails(await sb.run("blob", "policy", "show"), 5, "the configuration does not exist");
  } finally {
    await sb.close();
  }
});
