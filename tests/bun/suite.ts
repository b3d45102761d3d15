/**
 * The crypto and layout suites, written against `node:` APIs only so that the same file runs under
 * Bun (`bun run tests/bun/suite.ts`) and Deno. `tests/bun_runtime_test.ts` runs it under Bun, so
 * "Deno-compatible, compiled with Bun" stays true. Prints `N passed, N failed` and exits non-zero
 * on any failure.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { utf8 } from "../../lib/_internal/bytes.ts";
import { MemoryStore } from "../../lib/content/memory_store.ts";
import { digestBytes } from "../../lib/digest/digest_bytes.ts";
import { pureHasherFactory } from "../../lib/digest/pure_hasher.ts";
import { openLayout } from "../../lib/layout/open_layout.ts";
import { MEDIA_TYPE_OCI_MANIFEST } from "../../lib/oci/media_types.ts";
import { nodeFs, nodeHasherFactory, paceGarbageCollection } from "../../lib/runtime/mod.ts";
import { signArtifact } from "../../lib/sign/sign_artifact.ts";
import { parseEnvelope } from "../../lib/signature/parse_envelope.ts";
import { createPayload } from "../../lib/signature/payload.ts";
import { signEnvelope } from "../../lib/signature/sign_envelope.ts";
import { LocalSigner } from "../../lib/signature/signer.ts";
import { parseTrustPolicyDocument } from "../../lib/trust/trust_policy.ts";
import { MemoryTrustStore } from "../../lib/trust/trust_store.ts";
import { verifyArtifact } from "../../lib/verify/verify_artifact.ts";
import { generateTestCertificate } from "../../lib/x509/generate_test_certificate.ts";
import type { KeySpecName } from "../../lib/x509/key_spec.ts";

const cases: Array<[string, () => Promise<void>]> = [];
function test(name: string, fn: () => Promise<void>): void {
  cases.push([name, fn]);
}

async function pushImage(target: { push: MemoryStore["push"] }) {
  const config = utf8(
    '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
  );
  const configDesc = {
    mediaType: "application/vnd.oci.image.config.v1+json",
    digest: await digestBytes(config),
    size: config.length,
  };
  await target.push(configDesc, config);
  const manifest = utf8(JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_OCI_MANIFEST,
    config: configDesc,
    layers: [],
  }));
  const desc = {
    mediaType: MEDIA_TYPE_OCI_MANIFEST,
    digest: await digestBytes(manifest),
    size: manifest.length,
  };
  await target.push(desc, manifest);
  return desc;
}

test("paceGarbageCollection() collects on its interval under Bun, and stops", async () => {
  const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  if (bun === undefined) {
    paceGarbageCollection(5)(); // elsewhere a no-op
    return;
  }
  const original = bun.gc;
  let calls = 0;
  bun.gc = (force: boolean) => {
    assert.equal(force, true);
    calls++;
    original.call(bun, force);
  };
  try {
    const stop = paceGarbageCollection(5);
    await sleep(80);
    stop();
    const seen = calls;
    assert.ok(seen >= 2, `expected collections every 5 ms, got ${seen} in 80 ms`);
    await sleep(40);
    assert.equal(calls, seen, "collections went on after stop()");
  } finally {
    bun.gc = original;
  }
});

test("hashers agree with WebCrypto", async () => {
  const data = crypto.getRandomValues(new Uint8Array(1_000_003));
  for (const factory of [pureHasherFactory, nodeHasherFactory]) {
    const h = factory("sha256");
    h.update(data.subarray(0, 12345));
    h.update(data.subarray(12345));
    assert.equal(`sha256:${h.digestHex()}`, await digestBytes(data));
  }
});

for (const keySpec of ["RSA-2048", "EC-256", "EC-384", "EC-521"] as KeySpecName[]) {
  for (const format of ["jws", "cose"] as const) {
    test(`${format} envelope round trip with ${keySpec}, and a flipped byte is rejected`, async () => {
      const { keyPem, certificatePem } = await generateTestCertificate("bun-test", { keySpec });
      const signer = await LocalSigner.create({
        privateKey: keyPem,
        certificateChain: certificatePem,
      });
      const payload = createPayload({
        mediaType: MEDIA_TYPE_OCI_MANIFEST,
        digest: await digestBytes(utf8("x")),
        size: 1,
      });
      const mediaType = format === "jws" ? "application/jose+json" : "application/cose";
      const envelope = await signEnvelope({ format, payload, signer });
      const content = await parseEnvelope(envelope, mediaType).verify();
      // JWS signs the payload with sorted keys (as notation does), so compare the parsed JSON.
      const decode = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b));
      assert.deepEqual(decode(content.payload.content), decode(payload));
      const tampered = envelope.slice();
      tampered[Math.floor(tampered.length / 2)]! ^= 0x01;
      await assert.rejects(async () => await parseEnvelope(tampered, mediaType).verify());
    });
  }
}

test("layout directory: sign, verify, and a changed blob is refused", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ocisign-bun-"));
  try {
    const layout = await openLayout(join(dir, "layout"), nodeFs, {
      hasher: nodeHasherFactory,
      create: true,
    });
    const image = await pushImage(layout);
    await layout.tag(image, "v1");
    const { keyPem, certificatePem } = await generateTestCertificate("bun-test");
    const signer = await LocalSigner.create({
      privateKey: keyPem,
      certificateChain: certificatePem,
    });
    await signArtifact(layout, "v1", { signer, format: "cose" });
    await layout.commit();
    await layout.close();

    const reopened = await openLayout(join(dir, "layout"), nodeFs, { hasher: nodeHasherFactory });
    const policyDocument = parseTrustPolicyDocument(JSON.stringify({
      version: "1.0",
      trustPolicies: [{
        name: "p",
        registryScopes: ["local/app"],
        signatureVerification: { level: "strict" },
        trustStores: ["ca:test"],
        trustedIdentities: ["*"],
      }],
    }));
    const trustStore = new MemoryTrustStore({ "ca:test": [certificatePem] });
    const result = await verifyArtifact(reopened, "v1", {
      scope: "local/app",
      policyDocument,
      trustStore,
    });
    assert.equal(result.subject.digest, image.digest);
    await reopened.close();

    const blob = join(dir, "layout", "blobs", "sha256", image.digest.slice(7));
    const bytes = new Uint8Array(await nodeFs.readFile(blob));
    bytes[0] = bytes[0]! ^ 0x20;
    await nodeFs.writeFileAtomic(blob, bytes);
    const broken = await openLayout(join(dir, "layout"), nodeFs, { hasher: nodeHasherFactory });
    await assert.rejects(async () =>
      await verifyArtifact(broken, "v1", { scope: "local/app", policyDocument, trustStore })
    );
    await broken.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("layout tar: push, commit and reopen", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ocisign-bun-"));
  try {
    const tarPath = join(dir, "image.tar");
    const tar = await openLayout(tarPath, nodeFs, { hasher: nodeHasherFactory, create: true });
    const image = await pushImage(tar);
    await tar.tag(image, "v1");
    await tar.commit();
    await tar.close();
    const reopened = await openLayout(tarPath, nodeFs, { hasher: nodeHasherFactory });
    assert.equal((await reopened.resolve("v1")).digest, image.digest);
    await reopened.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("nodeFs.serverStream() gives a regular file of the stated size whole under Bun", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ocisign-bun-"));
  try {
    const bytes = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251);
    await nodeFs.writeFileAtomic(join(dir, "blob"), bytes);
    const whole = await nodeFs.serverStream!(join(dir, "blob"), bytes.length);
    assert.ok(whole !== undefined);
    assert.deepEqual(new Uint8Array(await new Response(whole).arrayBuffer()), bytes);
    assert.equal(await nodeFs.serverStream!(join(dir, "blob"), 1), undefined);
    assert.equal(await nodeFs.serverStream!(dir, 4096), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("memory store referrers", async () => {
  const store = new MemoryStore();
  const image = await pushImage(store);
  const { keyPem, certificatePem } = await generateTestCertificate("bun-test", {
    keySpec: "EC-256",
  });
  const signer = await LocalSigner.create({ privateKey: keyPem, certificateChain: certificatePem });
  const { signature } = await signArtifact(store, image.digest, { signer });
  const found = [];
  for await (const r of store.referrers(image)) found.push(r.digest);
  assert.deepEqual(found, [signature.digest]);
});

let passed = 0;
let failed = 0;
for (const [name, fn] of cases) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (err) {
    failed++;
    console.log(
      `FAIL ${name}\n     ${err instanceof Error ? err.stack ?? err.message : String(err)}`,
    );
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
