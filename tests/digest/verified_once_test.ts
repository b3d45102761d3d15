import { assert, assertRejectsCode } from "../_helpers/assert.ts";
import { pureHasherFactory } from "../../lib/digest/pure_hasher.ts";
import {
  isVerifiedStream,
  passOnVerified,
  streamOfVerified,
  verifiedOnce,
  verifyStream,
} from "../../lib/digest/verify_stream.ts";

const EMPTY = {
  digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
  size: 2,
};

Deno.test("verifiedOnce() reuses a verifying stream only for the same content", () => {
  const v = verifyStream(new Blob(["{}"]).stream(), EMPTY, pureHasherFactory);
  assert.equal(verifiedOnce(v, EMPTY, pureHasherFactory), v);
  const other = { digest: `sha256:${"0".repeat(64)}`, size: 2 };
  const v2 = verifyStream(new Blob(["{}"]).stream(), EMPTY, pureHasherFactory);
  assert.notEqual(verifiedOnce(v2, other, pureHasherFactory), v2);
  const plain = new Blob(["{}"]).stream();
  assert.notEqual(verifiedOnce(plain, EMPTY, pureHasherFactory), plain);
});

Deno.test("verifiedOnce() keeps failing closed: a reused stream still errors on bad bytes", async () => {
  const v = verifyStream(new Blob(["{x"]).stream(), EMPTY, pureHasherFactory);
  const wrapped = passOnVerified(v, v.pipeThrough(new TransformStream()));
  const reused = verifiedOnce(wrapped, EMPTY, pureHasherFactory);
  assert.equal(reused, wrapped);
  await assertRejectsCode(() => new Response(reused).arrayBuffer(), "ERR_DIGEST_MISMATCH");
});

Deno.test("a stream is verified by its type's mark, for one content only", () => {
  const v = verifyStream(new Blob(["{}"]).stream(), EMPTY, pureHasherFactory);
  assert.deepEqual(v.verifiedAgainst, EMPTY);
  assert.ok(isVerifiedStream(v, EMPTY));
  assert.equal(isVerifiedStream(v, { ...EMPTY, size: 3 }), false);
  assert.equal(isVerifiedStream(new Blob(["{}"]).stream()), false);
  assert.equal(isVerifiedStream(new TextEncoder().encode("{}")), false);
  // A wrapper that does not pass the mark on is verified again.
  const plainWrapper = v.pipeThrough(new TransformStream());
  assert.notEqual(verifiedOnce(plainWrapper, EMPTY, pureHasherFactory), plainWrapper);
});

Deno.test("streamOfVerified() hands on checked bytes, and refuses bytes of another size", async () => {
  const s = streamOfVerified(new TextEncoder().encode("{}"), EMPTY);
  assert.equal(verifiedOnce(s, EMPTY, pureHasherFactory), s);
  assert.equal(await new Response(s).text(), "{}");
  assert.throws(() => streamOfVerified(new TextEncoder().encode("{ }"), EMPTY), /size/i);
});
