import { assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { MemoryStore } from "../../lib/content/memory_store.ts";
import {
  findSignatureManifests,
  isSignatureManifest,
  listSignatures,
} from "../../lib/verify/mod.ts";
import { MEDIA_TYPE_JWS } from "../../lib/oci/media_types.ts";
import { pushBlob, pushImage, pushSignature, TamperingTarget } from "./_fixtures.ts";

const enc = new TextEncoder();

Deno.test("listSignatures() finds 1.x and 2.x shapes and ignores other referrers", async () => {
  const store = new MemoryStore();
  const subject = await pushImage(store);
  const v1 = await pushSignature(store, subject, enc.encode("envelope-1"), MEDIA_TYPE_JWS);
  const v2 = await pushSignature(store, subject, enc.encode("envelope-2"), "application/cose", {
    shape: "v2",
  });
  // an SBOM referrer, a 2.x-typed manifest with the wrong config, and a notary config with
  // a foreign artifactType: none is a signature
  await pushSignature(store, subject, enc.encode("sbom"), "application/spdx+json", {
    artifactType: "application/spdx+json",
    configMediaType: "application/vnd.oci.empty.v1+json",
  });
  await pushSignature(store, subject, enc.encode("odd-1"), MEDIA_TYPE_JWS, {
    artifactType: "application/vnd.cncf.notary.signature",
    configMediaType: "application/vnd.oci.image.config.v1+json",
  });
  // a signature of another artifact
  const other = await pushImage(store, "other");
  await pushSignature(store, other, enc.encode("envelope-3"), MEDIA_TYPE_JWS);

  const result = await listSignatures(store, "v1");
  assertEquals(result.subject, {
    mediaType: subject.mediaType,
    digest: subject.digest,
    size: subject.size,
  });
  assertEquals(result.signatures.map((d) => d.digest), [v1.manifest.digest, v2.manifest.digest]);
  assertEquals(result.exceeded, false);

  const limited = await listSignatures(store, subject.digest, { maxSignatures: 1 });
  assertEquals(limited.signatures.length, 1);
  assertEquals(limited.exceeded, true);
});

Deno.test("listSignatures() returns an empty list for an unsigned artifact and refuses bad input", async () => {
  const store = new MemoryStore();
  await pushImage(store);
  assertEquals((await listSignatures(store, "v1")).signatures, []);
  await assertRejectsCode(() => listSignatures(store, "missing"), "ERR_NOT_FOUND");
  let threw = false;
  try {
    await listSignatures(store, "v1", { maxSignatures: 0 });
  } catch (err) {
    threw = err instanceof RangeError;
  }
  assertEquals(threw, true);
});

Deno.test("findSignatureManifests() reports a signature manifest without exactly one envelope layer", async () => {
  const store = new MemoryStore();
  const subject = await pushImage(store);
  const a = await pushBlob(store, MEDIA_TYPE_JWS, enc.encode("a"));
  const b = await pushBlob(store, MEDIA_TYPE_JWS, enc.encode("b"));
  const two = await pushSignature(store, subject, enc.encode("x"), MEDIA_TYPE_JWS, {
    layers: [a, b],
  });
  const none = await pushSignature(store, subject, enc.encode("y"), MEDIA_TYPE_JWS, { layers: [] });
  const octet = await pushSignature(store, subject, enc.encode("z"), "application/octet-stream");
  const found = [];
  for await (const s of findSignatureManifests(store, subject)) found.push(s);
  assertEquals(found.map((s) => s.descriptor.digest), [
    two.manifest.digest,
    none.manifest.digest,
    octet.manifest.digest,
  ]);
  const messages = found.map((s) => ("error" in s ? s.error.message : ""));
  assertEquals(messages[0]!.includes("requires exactly one signature envelope blob, got 2"), true);
  assertEquals(messages[1]!.includes("requires exactly one signature envelope blob, got 0"), true);
  assertEquals(messages[2]!.includes(`unsupported media type "application/octet-stream"`), true);
});

Deno.test("findSignatureManifests() reports a tampered signature manifest as a digest mismatch", async () => {
  const store = new MemoryStore();
  const subject = await pushImage(store);
  const sig = await pushSignature(store, subject, enc.encode("envelope"), MEDIA_TYPE_JWS, {
    shape: "v2",
  });
  const found = [];
  for await (
    const s of findSignatureManifests(new TamperingTarget(store, [sig.manifest.digest]), subject)
  ) {
    found.push(s);
  }
  assertEquals(found.length, 1);
  assertEquals("error" in found[0]! && found[0].error.code, "ERR_DIGEST_MISMATCH");
});

Deno.test("isSignatureManifest() accepts exactly the two Notary shapes", () => {
  const cfg = (mediaType: string) => ({ mediaType, digest: "sha256:" + "4".repeat(64), size: 2 });
  const subject = {
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    digest: "sha256:" + "1".repeat(64),
    size: 1,
  };
  const base = { schemaVersion: 2 as const, layers: [], subject };
  assertEquals(
    isSignatureManifest({ ...base, config: cfg("application/vnd.cncf.notary.signature") }, subject),
    true,
  );
  assertEquals(
    isSignatureManifest({
      ...base,
      artifactType: "application/vnd.cncf.notary.signature",
      config: cfg("application/vnd.oci.empty.v1+json"),
    }, subject),
    true,
  );
  assertEquals(
    isSignatureManifest({
      ...base,
      artifactType: "application/vnd.cncf.notary.signature",
      config: cfg("application/vnd.cncf.notary.signature"),
    }),
    false,
  );
  assertEquals(
    isSignatureManifest({ ...base, config: cfg("application/vnd.oci.empty.v1+json") }),
    false,
  );
  assertEquals(
    isSignatureManifest({
      ...base,
      artifactType: "application/vnd.cncf.notary.v2.signature",
      config: cfg("application/vnd.oci.empty.v1+json"),
    }),
    false,
  );
  // a subject that points elsewhere
  assertEquals(
    isSignatureManifest({ ...base, config: cfg("application/vnd.cncf.notary.signature") }, {
      ...subject,
      digest: "sha256:" + "2".repeat(64),
    }),
    false,
  );
});
