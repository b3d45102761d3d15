import fc from "fast-check";
import { fromUtf8, utf8 } from "../../lib/_internal/bytes.ts";
import type { Bytes } from "../../lib/_internal/bytes.ts";
import { OcisignError } from "../../lib/errors.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { getTestPki } from "../_helpers/pki.ts";
import { CborMap, CborTag, decodeCbor, encodeCbor } from "../../lib/signature/cbor/mod.ts";
import type { CborValue } from "../../lib/signature/cbor/mod.ts";
import {
  createPayload,
  parseEnvelope,
  parsePayload,
  signEnvelope,
} from "../../lib/signature/mod.ts";
import { checkGoStruct, goFoldKey, parseStrictJson } from "../../lib/signature/_strict_json.ts";

const MEDIA = { jws: "application/jose+json", cose: "application/cose" } as const;

/** Hand-picked edge inputs, kept next to the generated ones. */
const REGRESSIONS: { mediaType: string; hex: string }[] = [
  // A tagged array whose protected header is a bstr holding an array, not a map.
  { mediaType: MEDIA.cose, hex: "d28441804040a0" },
  // Negative 64-bit integer just past the safe range as a map key.
  { mediaType: MEDIA.cose, hex: "d284a13b001fffffffffffff004040a0" },
];

async function outcome(bytes: Bytes, mediaType: string): Promise<"ok" | "typed"> {
  try {
    await parseEnvelope(bytes, mediaType).verify();
    return "ok";
  } catch (err) {
    if (err instanceof OcisignError) return "typed";
    throw new Error(
      `untyped error for ${mediaType} input ${
        Array.from(bytes.subarray(0, 64), (b) => b.toString(16).padStart(2, "0")).join("")
      }: ${err}`,
    );
  }
}

async function validEnvelopes(): Promise<Record<"jws" | "cose", Bytes>> {
  const pki = await getTestPki();
  const payload = createPayload({
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    digest: "sha256:" + "e".repeat(64),
    size: 3,
  });
  return {
    jws: await signEnvelope({ format: "jws", payload, signer: pki.signer }),
    cose: await signEnvelope({ format: "cose", payload, signer: pki.signer }),
  };
}

const mutation = (base: Bytes) =>
  fc.oneof(
    fc.tuple(fc.nat({ max: base.length - 1 }), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
      const out = base.slice();
      out[i] = out[i]! ^ x;
      return out;
    }),
    fc.nat({ max: base.length }).map((n) => base.slice(0, n)),
    fc.tuple(fc.nat({ max: base.length }), fc.uint8Array({ maxLength: 16 })).map(([i, ins]) =>
      new Uint8Array([...base.subarray(0, i), ...ins, ...base.subarray(i)])
    ),
  );

Deno.test("parseEnvelope() edge inputs fail with typed errors", async () => {
  for (const r of REGRESSIONS) {
    const bytes = Uint8Array.from(r.hex.match(/../g)!.map((h) => parseInt(h, 16)));
    assert((await outcome(bytes, r.mediaType)) === "typed");
  }
});

Deno.test("parseEnvelope() JWS never throws untyped errors on mutated envelopes (fast-check)", async () => {
  const { jws } = await validEnvelopes();
  await fc.assert(
    fc.asyncProperty(mutation(jws), async (bytes) => {
      await outcome(bytes, MEDIA.jws);
    }),
    { numRuns: 300 },
  );
});

Deno.test("parseEnvelope() JWS never throws untyped errors on structurally odd JSON (fast-check)", async () => {
  const { jws } = await validEnvelopes();
  const base = JSON.parse(fromUtf8(jws));
  const keys = ["payload", "protected", "header", "signature"];
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...keys), fc.jsonValue(), async (key, value) => {
      await outcome(utf8(JSON.stringify({ ...base, [key]: value })), MEDIA.jws);
    }),
    { numRuns: 300 },
  );
  await fc.assert(
    fc.asyncProperty(fc.jsonValue(), async (value) => {
      await outcome(utf8(JSON.stringify(value)), MEDIA.jws);
    }),
    { numRuns: 200 },
  );
});

Deno.test("parseEnvelope() COSE never throws untyped errors on mutated envelopes (fast-check)", async () => {
  const { cose } = await validEnvelopes();
  await fc.assert(
    fc.asyncProperty(mutation(cose), async (bytes) => {
      await outcome(bytes, MEDIA.cose);
    }),
    { numRuns: 300 },
  );
});

const cborValue: fc.Arbitrary<CborValue> = fc.letrec<{ v: CborValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.integer(),
    fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n - 1n }),
    fc.double(),
    fc.string(),
    fc.uint8Array({ maxLength: 32 }),
    fc.constantFrom<CborValue>(true, false, null, undefined),
    fc.array(tie("v"), { maxLength: 4 }),
    fc.uniqueArray(fc.tuple(fc.oneof(fc.integer({ min: -100, max: 100 }), fc.string()), tie("v")), {
      maxLength: 4,
      selector: ([k]) => k,
    }).map((entries) => new CborMap(entries)),
    fc.tuple(fc.nat({ max: 100 }), tie("v")).map(([t, v]) => new CborTag(t, v)),
  ),
})).v;

Deno.test("parseEnvelope() COSE never throws untyped errors on random COSE_Sign1 shapes (fast-check)", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(cborValue, { minLength: 4, maxLength: 4 }), async (parts) => {
      await outcome(encodeCbor(new CborTag(18, parts)), MEDIA.cose);
    }),
    { numRuns: 300 },
  );
});

Deno.test("decodeCbor() returns or throws ERR_INVALID_INPUT on any bytes, and round-trips what it encodes (fast-check)", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      try {
        decodeCbor(bytes);
      } catch (err) {
        assert(err instanceof OcisignError && err.code === "ERR_INVALID_INPUT", String(err));
      }
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(cborValue, (value) => {
      const bytes = encodeCbor(value);
      const again = encodeCbor(decodeCbor(bytes, { maxDepth: 64 }));
      assert(bytes.length === again.length && bytes.every((b, i) => b === again[i]));
    }),
    { numRuns: 1000 },
  );
});

Deno.test("parseStrictJson() reads what JSON.parse reads unless a key repeats, and fails only with SyntaxError", () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
      const text = JSON.stringify(value);
      assertEquals(parseStrictJson(utf8(text)), JSON.parse(text));
    }),
    { numRuns: 1000 },
  );
  fc.assert(
    fc.property(
      fc.oneof(fc.uint8Array({ maxLength: 80 }), fc.string().map((s) => utf8(s))),
      (bytes) => {
        try {
          parseStrictJson(bytes);
        } catch (err) {
          if (!(err instanceof SyntaxError)) throw err;
        }
      },
    ),
    { numRuns: 2000 },
  );
  // Any object with a key written twice is refused, whatever the values.
  fc.assert(
    fc.property(
      fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1 }),
      fc.jsonValue({ maxDepth: 2 }),
      (object, extra) => {
        const key = Object.keys(object)[0]!;
        const json = JSON.stringify(object);
        const text = `${json.slice(0, -1)},${JSON.stringify(key)}:${JSON.stringify(extra)}}`;
        assert.throws(() => parseStrictJson(utf8(text)), /duplicate key/);
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("goFoldKey() folds every case variant Go's decoder matches, checkGoStruct() refuses them", () => {
  for (const [a, b] of [["digest", "DiGeSt"], ["size", "ſize"], ["k", "\u212A"], ["σ", "ς"]]) {
    assertEquals(goFoldKey(a!), goFoldKey(b!));
  }
  fc.assert(
    fc.property(
      fc.constantFrom("mediaType", "digest", "size", "annotations", "targetArtifact"),
      fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }),
      (field, flips) => {
        const variant = [...field].map((c, i) => flips[i] ? c.toUpperCase() : c).join("");
        const object = { [field]: 1, ...(variant === field ? {} : { [variant]: 2 }) };
        const problem = checkGoStruct(object, [field]);
        assertEquals(problem === undefined, variant === field);
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("parsePayload() fuzzed with payload-like JSON throws only typed errors and never reads a case-variant digest", () => {
  const digest = "sha256:" + "e".repeat(64);
  const key = fc.constantFrom("digest", "Digest", "DIGEST", "digeſt", "size", "mediaType", "x");
  const member = fc.tuple(key, fc.oneof(fc.constant(digest), fc.jsonValue({ maxDepth: 1 })));
  fc.assert(
    fc.property(fc.array(member, { maxLength: 6 }), (members) => {
      const inner = members.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
      const text = `{"targetArtifact":{${inner.join(",")}}}`;
      try {
        const target = parsePayload(utf8(text));
        const folded = members.filter(([k]) => goFoldKey(k) === "digest");
        assertEquals(folded.map(([k]) => k), ["digest"]);
        assertEquals(target.digest, folded[0]![1]);
      } catch (err) {
        if (!(err instanceof OcisignError)) throw err;
      }
    }),
    { numRuns: 1000 },
  );
});
