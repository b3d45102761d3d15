import { assert, assertRejectsCode } from "../_helpers/assert.ts";
import { pureHasherFactory } from "../../lib/digest/pure_hasher.ts";
import { inheritVerification, verifiedOnce, verifyStream } from "../../lib/digest/verify_stream.ts";

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
  const wrapped = v.pipeThrough(new TransformStream());
  inheritVerification(v, wrapped);
  const reused = verifiedOnce(wrapped, EMPTY, pureHasherFactory);
  assert.equal(reused, wrapped);
  await assertRejectsCode(() => new Response(reused).arrayBuffer(), "ERR_DIGEST_MISMATCH");
});
