/**
 * Interop with the real notation 2.0.0-alpha.1 CLI (`notation blob`), both ways, on one shared
 * configuration directory in notation's layout: JWS and COSE, RSA-2048 and EC P-384 (sha384
 * digests), user metadata, expiry, media type, RFC 3161 timestamps from an `openssl ts` TSA; the
 * payloads are byte-identical; each tool rejects the other's signature of a changed file, of
 * another media type, with other metadata, and a `.sig` whose name does not say its format.
 */
import { MEDIA_TYPE_COSE, MEDIA_TYPE_JWS } from "../../lib/oci/media_types.ts";
import { parseEnvelope } from "../../lib/signature/parse_envelope.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";
import type { CliResult } from "../_helpers/cli.ts";
import { ok } from "../cli/commands/_fixture.ts";
import { blobInterop, NOTATION, OPENSSL, writeBlob } from "./_notation_fixture.ts";
import type { BlobInterop } from "./_notation_fixture.ts";

const ignore = NOTATION === undefined || OPENSSL === undefined;
const MEDIA_TYPE = "application/vnd.wabbit.release+tar";
const HOUR = 3_600_000;

function fails(r: CliResult, exit: number, message: string): void {
  assert.equal(r.code, exit, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.ok(r.stderr.includes(message), `stderr lacks ${JSON.stringify(message)}: ${r.stderr}`);
}

function notationOk(r: { code: number; stdout: string; stderr: string }): string {
  assert.equal(r.code, 0, `notation exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

function notationFails(r: { code: number; stderr: string }, message: string): void {
  assert.notEqual(r.code, 0, "notation accepted it");
  assert.ok(
    r.stderr.includes(message),
    `notation stderr lacks ${JSON.stringify(message)}: ${r.stderr}`,
  );
}

/** A test on a fresh shared set-up, skipped without notation 2 and openssl. */
function interopTest(name: string, fn: (t: BlobInterop) => Promise<void>): void {
  Deno.test({
    name,
    ignore,
    fn: async () => {
      const t = await blobInterop();
      try {
        await fn(t);
      } finally {
        await t.close();
      }
    },
  });
}

/** notation refuses `ours` and ocisign refuses `theirs` (exit 3) for `blob`, both saying `message`. */
async function bothReject(
  t: BlobInterop,
  signed: { ours: string; theirs: string },
  blob: string,
  flags: string[],
  message: string,
): Promise<void> {
  notationFails(
    await t.notation("blob", "verify", ...flags, "--signature", signed.ours, blob),
    message,
  );
  fails(
    await t.ocisign("blob", "verify", ...flags, "--signature", signed.theirs, blob),
    3,
    message,
  );
}

/** `blob inspect` of both tools, tree and JSON, are identical; returns the JSON. */
// deno-lint-ignore no-explicit-any
async function sameInspection(t: BlobInterop, signature: string): Promise<any> {
  const inspected = JSON.parse(
    ok(await t.ocisign("blob", "inspect", "-o", "json", signature)).stdout,
  );
  assertEquals(
    inspected,
    JSON.parse(notationOk(await t.notation("blob", "inspect", "-o", "json", signature))),
  );
  assertEquals(
    ok(await t.ocisign("blob", "inspect", signature)).stdout,
    notationOk(await t.notation("blob", "inspect", signature)),
  );
  return inspected;
}

async function payloadOf(path: string): Promise<string> {
  const mediaType = path.endsWith(".cose.sig") ? MEDIA_TYPE_COSE : MEDIA_TYPE_JWS;
  const content = parseEnvelope(await Deno.readFile(path), mediaType).unverifiedContent();
  return new TextDecoder().decode(content.payload.content);
}

/** Both tools sign `name` with the same options, into `ocisign/` and `notation/`. */
async function signBoth(
  t: BlobInterop,
  key: string,
  format: string,
  name: string,
  extra: string[] = [],
): Promise<{ blob: string; ours: string; theirs: string }> {
  const blob = await writeBlob(t.files, name);
  await Deno.mkdir(`${t.files}/ocisign`, { recursive: true });
  await Deno.mkdir(`${t.files}/notation`, { recursive: true });
  const common = ["--key", key, "--signature-format", format, ...extra];
  ok(
    await t.ocisign("blob", "sign", ...common, "--signature-directory", `${t.files}/ocisign`, blob),
  );
  notationOk(
    await t.notation("blob", "sign", ...common, "--signature-directory", "notation", blob),
  );
  return {
    blob,
    ours: `${t.files}/ocisign/${name}.${format}.sig`,
    theirs: `${t.files}/notation/${name}.${format}.sig`,
  };
}

interopTest(
  "blob sign/verify interop with notation 2: JWS and COSE, RSA and EC P-384, metadata, expiry",
  async (t) => {
    for (const key of ["rsa", "ec"]) {
      for (const format of ["jws", "cose"]) {
        const extra = [
          "--media-type",
          MEDIA_TYPE,
          "-m",
          "release=1.0",
          "-m",
          "channel=stable",
          "-e",
          "2h",
        ];
        const { blob, ours, theirs } = await signBoth(
          t,
          key,
          format,
          `app-${key}.${format}.tar`,
          extra,
        );
        assertEquals((await Deno.stat(ours)).mode! & 0o777, 0o644);
        // the payload is byte for byte notation's, sha384 for the P-384 key
        const payload = await payloadOf(ours);
        assertEquals(payload, await payloadOf(theirs));
        assert.match(payload, key === "ec" ? /"digest":"sha384:[0-9a-f]{96}"/ : /"sha256:/);
        const check = ["--media-type", MEDIA_TYPE, "-m", "release=1.0"];
        const verified = notationOk(
          await t.notation("blob", "verify", ...check, "--signature", ours, blob),
        );
        assert.match(verified, /^Successfully verified signature for /);
        const back = ok(await t.ocisign("blob", "verify", ...check, "--signature", theirs, blob));
        assert.match(back.stdout, /^Successfully verified signature for /);
        assert.match(back.stdout, /channel\s+stable/);
        // the global policy applies without --policy-name; --policy-name picks one
        ok(
          await t.ocisign(
            "blob",
            "verify",
            "--policy-name",
            "releases",
            "--signature",
            theirs,
            blob,
          ),
        );
        // both tools read each signature the same way
        await sameInspection(t, theirs);
        await sameInspection(t, ours);
        // expiry: two hours later the signature has expired
        fails(
          await t.ocisignAt(
            new Date(Date.now() + 3 * HOUR),
            "blob",
            "verify",
            "--signature",
            theirs,
            blob,
          ),
          3,
          "digital signature has expired",
        );
      }
    }
  },
);

interopTest(
  "ocisign and notation 2 each reject the other's blob signature of a changed file, another media type, a .sig not naming its format",
  async (t) => {
    for (const [key, format] of [["rsa", "jws"], ["ec", "cose"]] as const) {
      const name = `tool-${key}.bin`;
      const { blob, ours, theirs } = await signBoth(t, key, format, name, [
        "--media-type",
        MEDIA_TYPE,
        "-m",
        "k=v",
      ]);
      const signed = { ours, theirs };
      const changed = `${t.files}/changed-${name}`;
      await Deno.copyFile(blob, changed);
      await Deno.writeFile(changed, new Uint8Array([0x0a]), { append: true });
      await bothReject(t, signed, changed, [], "integrity check failed");
      // one flipped byte, same size
      const flipped = await Deno.readFile(blob);
      flipped[1000] = flipped[1000]! ^ 0xff;
      await Deno.writeFile(changed, flipped);
      await bothReject(t, signed, changed, [], "integrity check failed");
      // another media type, when one is asked for
      const otherType = ["--media-type", "application/x-other"];
      await bothReject(t, signed, blob, otherType, "integrity check failed");
      // other metadata
      await bothReject(t, signed, blob, ["-m", "k=w"], "unable to find specified metadata");
      // a signature file whose name does not say its format
      const badNames: Array<[string, string]> = [
        [`${name}.sig`, 'signature format "bin" not supported'],
        [`${name}.${format}`, "The file extension must be .sig"],
        [`${name}.txt.sig`, 'signature format "txt" not supported'],
        ["sig", "The file extension must be .sig"],
        [`.sig`, "must contain signature format and .sig file extension"],
      ];
      for (const [bad, message] of badNames) {
        await Deno.copyFile(ours, `${t.files}/ocisign/${bad}`);
        await Deno.copyFile(theirs, `${t.files}/notation/${bad}`);
        notationFails(
          await t.notation("blob", "verify", "--signature", `ocisign/${bad}`, blob),
          message.replace(". Supported", "\nSupported"),
        );
        fails(
          await t.ocisign("blob", "verify", "--signature", `${t.files}/notation/${bad}`, blob),
          8,
          message,
        );
      }
      // a COSE signature named .jws.sig (and the other way round) is not parsed as the other format
      const other = format === "jws" ? "cose" : "jws";
      await Deno.copyFile(theirs, `${t.files}/notation/swapped.${other}.sig`);
      const swapped = await t.ocisign(
        "blob",
        "verify",
        "--signature",
        `${t.files}/notation/swapped.${other}.sig`,
        blob,
      );
      assertEquals(swapped.code, 3, swapped.stderr);
    }
  },
);

interopTest(
  "blob signatures timestamped by an openssl TSA verify both ways, also after the signing certificate expired",
  async (t) => {
    const stamp = ["--timestamp-url", t.tsa.url, "--timestamp-root-cert", t.tsaRootFile];
    for (const [key, format] of [["rsa", "cose"], ["ec", "jws"]] as const) {
      const { blob, ours, theirs } = await signBoth(t, key, format, `stamped-${key}.bin`, stamp);
      notationOk(
        await t.notation("blob", "verify", "--policy-name", "stamped", "--signature", ours, blob),
      );
      ok(
        await t.ocisign(
          "blob",
          "verify",
          "--policy-name",
          "stamped",
          "--signature",
          theirs,
          blob,
        ),
      );
      const inspected = await sameInspection(t, theirs);
      assert.match(inspected.unsignedAttributes.timestampSignature.timestamp, /^\[\d{4}-/);
      await sameInspection(t, ours);
      // two days later the openssl chain (valid for a day) has expired: only the timestamp counts
      const later = new Date(Date.now() + 48 * HOUR);
      ok(
        await t.ocisignAt(
          later,
          "blob",
          "verify",
          "--policy-name",
          "stamped",
          "--signature",
          theirs,
          blob,
        ),
      );
      ok(
        await t.ocisignAt(
          later,
          "blob",
          "verify",
          "--policy-name",
          "stamped",
          "--signature",
          ours,
          blob,
        ),
      );
    }
    // without a timestamp, a policy with a tsa store refuses the signature; once expired, so does the global one
    const { blob, ours, theirs } = await signBoth(t, "rsa", "jws", "plain.bin");
    notationFails(
      await t.notation("blob", "verify", "--policy-name", "stamped", "--signature", ours, blob),
      "timestamp",
    );
    fails(
      await t.ocisign("blob", "verify", "--policy-name", "stamped", "--signature", theirs, blob),
      3,
      "no timestamp countersignature",
    );
    fails(
      await t.ocisignAt(
        new Date(Date.now() + 48 * HOUR),
        "blob",
        "verify",
        "--signature",
        theirs,
        blob,
      ),
      3,
      "expired",
    );
  },
);

interopTest(
  "the blob trust policy is shared with notation 2: import, init and show read the same file",
  async (t) => {
    const file = await Deno.readTextFile(`${t.configDir}/trustpolicy.blob.json`);
    assertEquals(notationOk(await t.notation("blob", "policy", "show")), file);
    assertEquals(ok(await t.ocisign("blob", "policy", "show")).stdout, file);
    ok(
      await t.ocisign(
        "blob",
        "policy",
        "init",
        "--name",
        "only",
        "--trust-store",
        "ca:wabbit",
        "--trusted-identity",
        "*",
        "--global",
        "--force",
      ),
    );
    const written = JSON.parse(notationOk(await t.notation("blob", "policy", "show")));
    assertEquals(written, {
      version: "1.0",
      trustPolicies: [{
        name: "only",
        signatureVerification: { level: "strict" },
        trustStores: ["ca:wabbit"],
        trustedIdentities: ["*"],
        globalPolicy: true,
      }],
    });
    const { blob, ours, theirs } = await signBoth(t, "ec", "cose", "policy.bin");
    notationOk(await t.notation("blob", "verify", "--signature", ours, blob));
    ok(await t.ocisign("blob", "verify", "--signature", theirs, blob));
    // the old statement is gone for both
    notationFails(
      await t.notation("blob", "verify", "--policy-name", "releases", "--signature", ours, blob),
      'no applicable blob trust policy with name "releases"',
    );
    fails(
      await t.ocisign("blob", "verify", "--policy-name", "releases", "--signature", theirs, blob),
      4,
      'no applicable blob trust policy with name "releases"',
    );
  },
);
