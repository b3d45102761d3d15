import fc from "fast-check";
import { toHex } from "../../lib/_internal/bytes.ts";
import { pureHasherFactory, Sha256, Sha384, Sha512 } from "../../lib/digest/mod.ts";
import type { DigestAlgorithm } from "../../lib/digest/mod.ts";
import { assertEquals } from "../_helpers/assert.ts";

const SUBTLE: Record<DigestAlgorithm, string> = {
  sha256: "SHA-256",
  sha384: "SHA-384",
  sha512: "SHA-512",
};

async function reference(alg: DigestAlgorithm, data: Uint8Array): Promise<string> {
  return toHex(
    new Uint8Array(await crypto.subtle.digest(SUBTLE[alg], data as Uint8Array<ArrayBuffer>)),
  );
}

function pattern(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 131 + 7) & 255;
  return out;
}

const SIZES = [0, 1, 3, 55, 56, 57, 63, 64, 65, 111, 112, 113, 127, 128, 129, 1000, 4096, 100_003];

for (const alg of ["sha256", "sha384", "sha512"] as const) {
  Deno.test(`pureHasherFactory("${alg}") matches crypto.subtle on boundary sizes`, async () => {
    for (const n of SIZES) {
      const data = pattern(n);
      const h = pureHasherFactory(alg);
      h.update(data);
      assertEquals(h.digestHex(), await reference(alg, data), `size ${n}`);
    }
  });

  Deno.test(`pureHasherFactory("${alg}") matches crypto.subtle for random chunkings`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 700 }),
        fc.array(fc.nat({ max: 300 }), { maxLength: 8 }),
        async (data, cuts) => {
          const h = pureHasherFactory(alg);
          let pos = 0;
          for (const c of cuts) {
            h.update(data.subarray(pos, pos + c));
            pos = Math.min(data.length, pos + c);
          }
          h.update(data.subarray(pos));
          assertEquals(h.digestHex(), await reference(alg, data));
        },
      ),
      { numRuns: 150 },
    );
  });
}

Deno.test("Sha256 gives the FIPS 180-4 'abc' vector", () => {
  const h = new Sha256();
  h.update(new TextEncoder().encode("abc"));
  assertEquals(h.digestHex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
});

Deno.test("Sha512 gives the FIPS 180-4 'abc' vector", () => {
  const h = new Sha512();
  h.update(new TextEncoder().encode("abc"));
  assertEquals(
    h.digestHex(),
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a" +
      "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
  );
});

Deno.test("Sha384 gives the FIPS 180-4 'abc' vector", () => {
  const h = new Sha384();
  h.update(new TextEncoder().encode("abc"));
  assertEquals(
    h.digestHex(),
    "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed" +
      "8086072ba1e7cc2358baeca134c825a7",
  );
});
