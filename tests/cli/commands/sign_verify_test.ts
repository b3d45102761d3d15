import { assert } from "../../_helpers/assert.ts";
import { ok, withSigningSandbox } from "./_fixture.ts";

const SCOPE = ["--scope", "local/hello-world"];

Deno.test("sign, list, verify and inspect a layout, JWS and COSE", async () => {
  await withSigningSandbox(async (sb) => {
    const jws = ok(await sb.run("sign", "--oci-layout", "./img:v1"));
    assert.match(jws.stdout, /^Successfully signed \.\/img@sha256:[0-9a-f]{64}\n/);
    assert.match(jws.stderr, /Always sign the artifact using digest/);
    ok(await sb.run("sign", "--oci-layout", "./img:v1", "--signature-format", "cose"));
    const list = ok(await sb.run("list", "--oci-layout", "./img:v1"));
    assert.match(
      list.stdout,
      /^\.\/img@sha256:[0-9a-f]{64}\n└── application\/vnd\.cncf\.notary\.signature\n {4}├── sha256:[0-9a-f]{64}\n {4}└── sha256:[0-9a-f]{64}\n$/,
    );
    const verify = ok(await sb.run("verify", "--oci-layout", "./img:v1", ...SCOPE));
    assert.match(
      verify.stdout,
      /^Successfully verified signature for \.\/img@sha256:[0-9a-f]{64}\n$/,
    );
    const inspect = ok(await sb.run("inspect", "--oci-layout", "./img:v1", "-o", "json"));
    const doc = JSON.parse(inspect.stdout);
    assert.deepEqual(
      doc.Signatures.map((s: { mediaType: string }) => s.mediaType).sort(),
      ["application/cose", "application/jose+json"],
    );
    assert.equal(doc.Signatures[0].signatureAlgorithm, "RSASSA-PSS-SHA-256");
    assert.equal(
      doc.Signatures[0].certificates[0].issuedTo,
      "CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US",
    );
  });
});

Deno.test("sign -m and --expiry are signed; verify -m checks every pair", async () => {
  await withSigningSandbox(async (sb) => {
    ok(
      await sb.run(
        "sign",
        "--oci-layout",
        "./img:v1",
        "-m",
        "team=a",
        "-m",
        "env=prod",
        "--expiry",
        "2h",
      ),
    );
    const inspect = JSON.parse(
      ok(await sb.run("inspect", "--oci-layout", "./img:v1", "-o", "json")).stdout,
    );
    const sig = inspect.Signatures[0];
    assert.deepEqual(sig.userDefinedAttributes, { env: "prod", team: "a" });
    const seconds =
      (Date.parse(sig.signedAttributes.expiry) - Date.parse(sig.signedAttributes.signingTime)) /
      1000;
    assert.equal(seconds, 7200);
    const good = ok(
      await sb.run(
        "verify",
        "--oci-layout",
        "./img:v1",
        ...SCOPE,
        "-m",
        "team=a",
        "-m",
        "env=prod",
      ),
    );
    assert.match(
      good.stdout,
      /The artifact was signed with the following user metadata\.\n\nKEY +VALUE +\nenv +prod +\nteam +a/,
    );
    const bad = await sb.run(
      "verify",
      "--oci-layout",
      "./img:v1",
      ...SCOPE,
      "-m",
      "team=a",
      "-m",
      "env=dev",
    );
    assert.equal(bad.code, 3, bad.stderr);
    assert.match(bad.stderr, /metadata/);
  });
});

Deno.test("verify fails closed: unsigned, expired, uncovered scope, tampered envelope", async () => {
  await withSigningSandbox(async (sb) => {
    const unsigned = await sb.run("verify", "--oci-layout", "./img:v1", ...SCOPE);
    assert.equal(unsigned.code, 3, unsigned.stderr);
    assert.match(unsigned.stderr, /no signature is associated/);

    ok(await sb.run("sign", "--oci-layout", "./img:v1", "--expiry", "1s"));
    const later = () => new Date(Date.now() + 60_000);
    const expired = await sb.runWith(
      { now: later },
      "verify",
      "--oci-layout",
      "./img:v1",
      ...SCOPE,
    );
    assert.equal(expired.code, 3, expired.stderr);
    assert.match(expired.stderr, /expired/);

    const uncovered = await sb.run("verify", "--oci-layout", "./img:v1", "--scope", "local/other");
    assert.equal(uncovered.code, 4, uncovered.stderr);
    assert.match(uncovered.stderr, /no applicable trust policy/);

    const noScope = await sb.run("verify", "--oci-layout", "./img:v1");
    assert.equal(noScope.code, 2, noScope.stderr);

    // Flip one byte of the envelope and store it under its new digest, rewriting the manifest
    // chain would need the signer's key: the manifest's layer digest no longer matches.
    const list = JSON.parse(
      ok(await sb.run("list", "--oci-layout", "./img:v1", "-o", "json")).stdout,
    );
    const manifestPath = `${sb.cwd}/img/blobs/sha256/${list.signatures[0].digest.slice(7)}`;
    const manifest = JSON.parse(await Deno.readTextFile(manifestPath));
    const envelopePath = `${sb.cwd}/img/blobs/sha256/${manifest.layers[0].digest.slice(7)}`;
    const bytes = await Deno.readFile(envelopePath);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    await Deno.chmod(envelopePath, 0o644);
    await Deno.writeFile(envelopePath, bytes);
    const tampered = await sb.run("verify", "--oci-layout", "./img:v1", ...SCOPE);
    assert.notEqual(tampered.code, 0, tampered.stdout);
    assert.match(tampered.stderr, /digest mismatch/i);
  });
});

Deno.test("sign --artifact-type-manifest writes the 2.x shape, which verify reads", async () => {
  await withSigningSandbox(async (sb) => {
    const signed = ok(
      await sb.run("sign", "--oci-layout", "./img:v1", "--artifact-type-manifest", "-o", "json"),
    );
    const { signature } = JSON.parse(signed.stdout);
    assert.equal(signature.artifactType, "application/vnd.cncf.notary.signature");
    const manifest = JSON.parse(
      await Deno.readTextFile(`${sb.cwd}/img/blobs/sha256/${signature.digest.slice(7)}`),
    );
    assert.equal(manifest.artifactType, "application/vnd.cncf.notary.signature");
    assert.equal(manifest.config.mediaType, "application/vnd.oci.empty.v1+json");
    ok(await sb.run("verify", "--oci-layout", "./img:v1", ...SCOPE));
  });
});

Deno.test("sign needs a key; a bad reference and an unknown tag give their exit codes", async () => {
  await withSigningSandbox(async (sb) => {
    const noKey = await sb.run("sign", "--oci-layout", "./img:v1", "--key", "nope");
    assert.equal(noKey.code, 5, noKey.stderr);
    assert.match(noKey.stderr, /signing key "nope" not found/);
    const unknownTag = await sb.run("sign", "--oci-layout", "./img:v9");
    assert.equal(unknownTag.code, 5, unknownTag.stderr);
    const noTag = await sb.run("sign", "--oci-layout", "./img");
    assert.equal(noTag.code, 8, noTag.stderr);
    const unknownCommand = await sb.run("frobnicate");
    assert.equal(unknownCommand.code, 2, unknownCommand.stderr);
  });
});

Deno.test("signing a layout tar rewrites it with the signature inside", async () => {
  await withSigningSandbox(async (sb) => {
    ok(await sb.run("cp", "./img:v1", "--from-oci-layout", "--to-oci-layout", "./img.tar:v1"));
    const before = (await Deno.stat(`${sb.cwd}/img.tar`)).size;
    ok(await sb.run("sign", "--oci-layout", "./img.tar:v1", "--signature-format", "cose"));
    assert.ok((await Deno.stat(`${sb.cwd}/img.tar`)).size > before);
    ok(await sb.run("verify", "--oci-layout", "./img.tar:v1", ...SCOPE));
    const list = ok(await sb.run("list", "--oci-layout", "./img.tar:v1"));
    assert.match(list.stdout, /└── sha256:/);
  });
});
