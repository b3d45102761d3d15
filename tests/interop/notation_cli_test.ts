/**
 * ocisign against the real notation CLI, v1.3.2 and v2.0.0-alpha.1, both ways: in a layout
 * directory, in Distribution 2.8 (referrers tag schema) and in `ocisign serve` (referrers API),
 * JWS and COSE, RSA and EC chains added with `ocisign key add`, user metadata, expiry, RFC 3161
 * timestamps, OCSP and CRL revocation with shared CRL caches, tampering and untrusted signers
 * (with notation's reason for each failure in ocisign's message), shared configuration
 * directories, `inspect` of each other's signatures, a multi-platform index, and the differences
 * the README names. One fixture (registries, PKI, configuration) for the whole file; one
 * format/key pair per place and direction here, the full cross product in
 * `notation_cli_slow_test.ts`. Needs `notation` and `notation-2.0.0-alpha.1` on PATH (`.ci/run`
 * adds `../shared/peers/linux-amd64`), `openssl` and `docker-registry`.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { describeRun, readSignatureManifest, tamperEnvelopeRelinked } from "../_helpers/e2e.ts";
import { startTestTsa } from "./notation_go/fixtures.ts";
import { makeRevocationPki, type RevocationPki } from "../x509/revocation/_revocation_pki.ts";
import type { TestCert } from "../verify/_openssl_pki.ts";
import {
  assertFailed,
  assertSameReason,
  caseName,
  type Fixture,
  matrix,
  MISSING,
  OPENSSL,
  runMatrixCase,
  SCOPE,
  signatureDigests,
  type Target,
  withFixture,
} from "./notation_cli/fixture.ts";

const HOUR = 3_600_000;

/** ocisign and the notation CLI sign and verify each other's signatures everywhere. */
async function matrixSteps(t: Deno.TestContext, fx: Fixture): Promise<void> {
  let n = 0;
  for (const c of matrix(fx, true)) {
    await t.step(caseName(c), () => runMatrixCase(fx, c, `m${n++}`));
  }
}

/** A notation release, then ocisign: the other side of each direction. */
function others(fx: Fixture): Array<[string, string]> {
  return fx.tools.slice(1).flatMap((n) => [["ocisign", n.name], [n.name, "ocisign"]]) as Array<
    [string, string]
  >;
}

/** The notation CLI and ocisign agree on metadata, expiry, timestamps and tampering. */
async function policySteps(t: Deno.TestContext, fx: Fixture): Promise<void> {
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
      await assertSameReason(fx, target, { metadata: { env: "dev" } });
    }
  });

  await t.step(
    "--expiry: valid; expired fails under strict and passes under audit",
    async () => {
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
          assertFailed(
            strict,
            verifier,
            "signature verification failed for all the signatures",
          );
          const audit = await fx.tool(verifier).verify(expired, { scope: "local/audit" });
          assertEquals(audit.code, 0, describeRun(audit));
          await assertSameReason(fx, expired);
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
    },
  );

  await t.step("RFC 3161 timestamps from an openssl TSA, both ways", async () => {
    const tsa = await startTestTsa(OPENSSL!, fx.dir);
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
        await assertSameReason(fx, unstamped, { scope: "local/tsa" });
      }
    } finally {
      await tsa.stop();
    }
  });

  await t.step(
    "tampering: an envelope byte, a signature moved, an untrusted signer",
    async () => {
      for (const [signer, verifier] of others(fx)) {
        const s = fx.tool(signer);
        const v = fx.tool(verifier);
        const failed = "signature verification failed for all the signatures";
        // one byte of the envelope, relinked so that every digest still matches
        for (const [format, key] of [["jws", "ec"], ["cose", "rsa"]] as const) {
          const byte = await fx.fresh("layout", `byte${n++}`);
          assertEquals((await s.sign(byte, { format, key })).code, 0);
          const [sig] = signatureDigests((await fx.tool("ocisign").list(byte)).stdout);
          await tamperEnvelopeRelinked(byte.location, sig!);
          assertFailed(await v.verify(byte), verifier, failed);
          await assertSameReason(fx, byte);
        }
        // a signature of one image moved to another one (its subject rewritten)
        const moved = await fx.fresh("distribution", `moved${n++}`);
        assertEquals((await s.sign(moved)).code, 0);
        const other = await fx.fresh("distribution", `other${n++}`, await otherImage(fx));
        await moveSignature(fx, moved, other);
        assertFailed(await v.verify(other), verifier, failed);
        await assertSameReason(fx, other);
        // a signer whose root is in no trust store
        const untrusted = await fx.fresh("serve", `untrusted${n++}`);
        assertEquals((await s.sign(untrusted, { key: "mallory" })).code, 0);
        assertFailed(await v.verify(untrusted), verifier, failed);
        await assertSameReason(fx, untrusted);
      }
    },
  );
}

/** A second pristine layout with different content. */
async function otherImage(fx: Fixture): Promise<string> {
  const layout = `${fx.dir}/other-image`;
  if (await Deno.stat(layout).catch(() => undefined)) return layout;
  await Deno.writeTextFile(`${fx.dir}/context/hello.txt`, "another image\n");
  const built = await fx.ocisignAt(() => new Date(), [
    "build",
    "-o",
    layout,
    "-t",
    "x:v1",
    "context",
  ]);
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

/** The notation CLI and ocisign: shared configuration, a multi-platform index, the README's notes. */
async function configAndDifferenceSteps(t: Deno.TestContext, fx: Fixture): Promise<void> {
  const ocisign = fx.tool("ocisign");
  const notations = fx.tools.slice(1);
  let n = 0;

  await t.step("cert generate-test of each tool signs for the other", async () => {
    await fx.addStatements([{
      name: "generated",
      registryScopes: ["local/generated"],
      signatureVerification: { level: "strict" },
      trustStores: notations.flatMap((t) => [`ca:by-${t.name}`, `ca:for-${t.name}`]),
      trustedIdentities: ["*"],
    }]);
    // notation's keys, made in the shared directory, sign with ocisign; and the reverse
    for (const notation of notations) {
      const made = await notation.run(["cert", "generate-test", `by-${notation.name}`]);
      assertEquals(made.code, 0, describeRun(made));
      const mine = await ocisign.run(["cert", "generate-test", `for-${notation.name}`]);
      assertEquals(mine.code, 0, describeRun(mine));
    }
    for (const notation of notations) {
      for (
        const [signer, verifier, key] of [
          [ocisign, notation, `by-${notation.name}`],
          [notation, ocisign, `for-${notation.name}`],
        ] as const
      ) {
        const target = await fx.fresh("layout", `generated${n++}`);
        const signed = await signer.sign(target, { key, format: "jws" });
        assertEquals(signed.code, 0, describeRun(signed));
        const verified = await verifier.verify(target, { scope: "local/generated" });
        assertEquals(verified.code, 0, describeRun(verified));
      }
    }
  });

  await t.step("a multi-platform index, signed by each, verified by the other", async () => {
    const layout = `${fx.dir}/multi`;
    const built = await ocisign.run([
      "build",
      "--platform",
      "linux/amd64,linux/arm64",
      "-t",
      "multi:v1",
      "-o",
      layout,
      "context",
    ]);
    assertEquals(built.code, 0, describeRun(built));
    const index = built.stdout.match(/^Digest: (sha256:[0-9a-f]{64})$/m)![1]!;
    for (const [signer, verifier] of others(fx)) {
      const target = await fx.fresh("layout", `multi${n++}`, layout);
      const at = { ...target, at: `@${index}` };
      assertEquals((await fx.tool(signer).sign(at)).code, 0);
      const verified = await fx.tool(verifier).verify(at);
      assertEquals(verified.code, 0, describeRun(verified));
      const copied = await ocisign.run([
        "cp",
        "-r",
        "--from-oci-layout",
        `${target.location}@${index}`,
        `${fx.hosts.serve}/multi${n}:v1`,
      ]);
      assertEquals(copied.code, 0, describeRun(copied));
      const there = await fx.tool(verifier).verify({
        place: "serve",
        location: `${fx.hosts.serve}/multi${n++}`,
        at: `@${index}`,
      });
      assertEquals(there.code, 0, describeRun(there));
    }
  });

  await t.step(
    "--artifact-type-manifest: no notation release sees it in a layout",
    async () => {
      const target = await fx.fresh("layout", `shape${n++}`);
      const signed = await ocisign.sign(target, { extra: ["--artifact-type-manifest"] });
      assertEquals(signed.code, 0, describeRun(signed));
      assertEquals((await ocisign.verify(target)).code, 0);
      for (const notation of notations) {
        const listed = await notation.list(target);
        assertEquals(signatureDigests(listed.stdout), [], describeRun(listed));
        assertFailed(
          await notation.verify(target),
          notation.name,
          "make sure the artifact was signed successfully",
        );
      }
      // in a registry with the referrers API both releases find it
      const served = await fx.fresh("serve", `shape${n++}`);
      assertEquals(
        (await ocisign.sign(served, { extra: ["--artifact-type-manifest"] })).code,
        0,
      );
      for (const notation of notations) {
        const verified = await notation.verify(served);
        assertEquals(verified.code, 0, describeRun(verified));
      }
    },
  );

  await t.step(
    "a trust policy naming a missing trust store: exit 4, notation's words",
    async () => {
      await fx.addStatements([{
        name: "missing-store",
        registryScopes: ["local/missing"],
        signatureVerification: { level: "strict" },
        trustStores: ["ca:missing"],
        trustedIdentities: ["*"],
      }]);
      const target = await fx.fresh("layout", `missing${n++}`);
      assertEquals((await ocisign.sign(target)).code, 0);
      const message = 'the trust store "missing" of type "ca" does not exist';
      for (const tool of fx.tools) {
        assertFailed(
          await tool.verify(target, { scope: "local/missing" }),
          tool.name,
          message,
          4,
        );
      }
    },
  );

  await t.step(
    "cp --to-referrers api refuses a registry without the referrers API",
    async () => {
      const target = await fx.fresh("layout", `api${n++}`);
      assertEquals((await ocisign.sign(target)).code, 0);
      const dest = `${fx.hosts.distribution}/api${n}`;
      const args = ["cp", "-r", "--from-oci-layout", `${target.location}:v1`, `${dest}:v1`];
      const refused = await ocisign.run([...args, "--to-referrers", "api"]);
      assertFailed(refused, "ocisign", "does not support the referrers API", 7);
      assert(refused.stderr.includes("--to-referrers tag"), describeRun(refused));
      const copied = await ocisign.run(args);
      assertEquals(copied.code, 0, describeRun(copied));
      for (const notation of notations) {
        const verified = await notation.verify({
          place: "distribution",
          location: dest,
          at: ":v1",
        });
        assertEquals(verified.code, 0, describeRun(verified));
      }
    },
  );

  await t.step("a signature whose envelope is gone: ocisign tries the next one", async () => {
    const target = await fx.fresh("layout", `gone${n++}`);
    for (const tool of fx.tools) assertEquals((await tool.sign(target)).code, 0);
    // the first signature in index.json (the order both tools try them in) loses its envelope
    const index = JSON.parse(await Deno.readTextFile(`${target.location}/index.json`));
    const first = index.manifests.find((m: { annotations?: Record<string, string> }) =>
      m.annotations?.["org.opencontainers.image.ref.name"] === undefined
    ).digest as string;
    const { envelope } = await readSignatureManifest(target.location, first);
    await Deno.remove(`${target.location}/blobs/sha256/${envelope.digest.slice(7)}`);
    const ours = await ocisign.verify(target);
    assertEquals(ours.code, 0, describeRun(ours));
    // notation aborts when it reaches the broken signature before a good one; which it reaches
    // first depends on its graph walk, so only a failure's cause is checked.
    for (const notation of notations) {
      const theirs = await notation.verify(target);
      if (theirs.code !== 0) {
        assertEquals(theirs.code, 1, describeRun(theirs));
        assert.match(theirs.stderr, /not found|no such file|does not exist/i, describeRun(theirs));
      }
    }
  });

  await t.step("trustpolicy.oci.json comes first for ocisign and notation 2.x only", async () => {
    const target = await fx.fresh("layout", `ocipolicy${n++}`);
    assertEquals((await ocisign.sign(target, { key: "ec" })).code, 0);
    // the OCI policy trusts only the RSA chain; trustpolicy.json trusts both
    const file = `${fx.config}/trustpolicy.oci.json`;
    await Deno.writeTextFile(
      file,
      JSON.stringify({
        version: "1.0",
        trustPolicies: [{
          name: "rsa-only",
          registryScopes: [SCOPE],
          signatureVerification: { level: "strict" },
          trustStores: ["ca:rsa"],
          trustedIdentities: ["*"],
        }],
      }),
    );
    try {
      for (const tool of fx.tools) {
        const r = await tool.verify(target);
        if (tool.name === "1.3.2") assertEquals(r.code, 0, describeRun(r));
        else assertFailed(r, tool.name, "signature verification failed for all the signatures");
      }
    } finally {
      await Deno.remove(file);
    }
  });
}

/** A revocation state and how to bring it about for a leaf. */
interface RevocationState {
  name: "good" | "unknown" | "revoked";
  /** Puts the PKI into the state (after the caches were emptied). */
  apply(p: RevocationPki, leaf: TestCert, via: "ocsp" | "crl"): Promise<void>;
}

const REVOCATION_STATES: RevocationState[] = [
  { name: "good", apply: async () => {} },
  {
    name: "unknown",
    apply: async (p, leaf, via) => {
      if (via === "ocsp") await p.forget("int", leaf);
      else p.crlMode.int = "status500";
    },
  },
  {
    name: "revoked",
    apply: async (p, leaf) => {
      p.crlMode.int = "ok";
      await p.revoke("int", leaf, "keyCompromise");
      await p.publishCrl("int");
    },
  },
];

/** The notation CLI and ocisign agree on OCSP and CRL revocation and share CRL caches. */
async function revocationSteps(t: Deno.TestContext, fx: Fixture): Promise<void> {
  const p = await makeRevocationPki();
  try {
    await p.publishCrl("int");
    await Deno.mkdir(`${fx.config}/truststore/x509/ca/revocable`, { recursive: true });
    await Deno.writeTextFile(`${fx.config}/truststore/x509/ca/revocable/root.crt`, p.root.pem);
    await fx.addStatements([{
      name: "revocable",
      registryScopes: ["local/revocable"],
      signatureVerification: { level: "strict" },
      trustStores: ["ca:revocable"],
      trustedIdentities: ["*"],
    }]);
    const caches = {
      notation: `${fx.cacheHome}/notation/crl`,
      ocisign: `${fx.cacheHome}/ocisign/crl`,
    };
    const clearCaches = () =>
      Promise.all(
        Object.values(caches).map((d) => Deno.remove(d, { recursive: true }).catch(() => {})),
      );
    let n = 0;
    for (const via of ["ocsp", "crl"] as const) {
      const leaf = await p.issueLeaf(`/C=US/O=wabbit-networks.io/CN=${via} signer`, {
        [via]: true,
      });
      await Deno.writeTextFile(`${fx.dir}/${via}.key`, leaf.keyPem, { mode: 0o600 });
      await Deno.writeTextFile(`${fx.dir}/${via}.pem`, leaf.pem + p.int.pem + p.root.pem);
      const added = await fx.tool("ocisign").run(
        ["key", "add", via, "--key", `${fx.dir}/${via}.key`, "--cert", `${fx.dir}/${via}.pem`],
      );
      assertEquals(added.code, 0, describeRun(added));
      // one image signed by each tool with this leaf, while it is good
      const signed: Target[] = [];
      for (const signer of fx.tools) {
        const target = await fx.fresh("layout", `revocation${n++}`);
        const r = await signer.sign(target, { key: via });
        assertEquals(r.code, 0, describeRun(r));
        signed.push(target);
      }
      for (const state of REVOCATION_STATES) {
        await t.step(`${via}: ${state.name}`, async () => {
          await clearCaches();
          await state.apply(p, leaf, via);
          for (const target of signed) {
            for (const verifier of fx.tools) {
              const r = await verifier.verify(target, { scope: "local/revocable" });
              if (state.name === "good") assertEquals(r.code, 0, describeRun(r));
              else assertFailed(r, verifier.name, "signature verification failed for all");
            }
            if (state.name !== "good") {
              await assertSameReason(fx, target, { scope: "local/revocable" });
            }
          }
        });
        if (via === "crl" && state.name === "good") {
          await t.step("each tool reuses the other's CRL cache", async () => {
            for (
              const [from, to] of [["notation", "ocisign"], ["ocisign", "notation"]] as const
            ) {
              await clearCaches();
              const fill = fx.tool(from === "ocisign" ? "ocisign" : "1.3.2");
              const use = fx.tool(to === "ocisign" ? "ocisign" : "2.0.0-alpha.1");
              assertEquals(
                (await fill.verify(signed[0]!, { scope: "local/revocable" })).code,
                0,
              );
              await Deno.mkdir(caches[to], { recursive: true });
              for await (const e of Deno.readDir(caches[from])) {
                await Deno.copyFile(`${caches[from]}/${e.name}`, `${caches[to]}/${e.name}`);
              }
              const downloads = p.crlRequests.int;
              const r = await use.verify(signed[0]!, { scope: "local/revocable" });
              assertEquals(r.code, 0, describeRun(r));
              assertEquals(
                p.crlRequests.int,
                downloads,
                `${use.name} used ${from}'s CRL cache`,
              );
            }
          });
        }
      }
    }
  } finally {
    await p.close();
  }
}

Deno.test({
  name:
    "ocisign and the notation CLI 1.3.2 and 2.0.0-alpha.1, both ways (one registry each, one PKI)",
  ignore: MISSING,
  fn: (t) =>
    withFixture(async (fx) => {
      await t.step(
        "ocisign and the notation CLI sign and verify each other's signatures everywhere",
        (t) => matrixSteps(t, fx),
      );
      await t.step(
        "the notation CLI and ocisign agree on metadata, expiry, timestamps and tampering",
        (t) => policySteps(t, fx),
      );
      await t.step(
        "the notation CLI and ocisign: shared configuration, a multi-platform index, the README's notes",
        (t) => configAndDifferenceSteps(t, fx),
      );
      await t.step(
        "the notation CLI and ocisign agree on OCSP and CRL revocation and share CRL caches",
        (t) => revocationSteps(t, fx),
      );
    }),
});
