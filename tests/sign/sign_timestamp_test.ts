/**
 * `ocisign sign --timestamp-url --timestamp-root-cert` against a real TSA (`openssl ts -reply`
 * behind a loopback HTTP server): the token is embedded where notation puts it, `verify` with a
 * `tsa` trust store accepts it and `inspect` shows it; every broken TSA answer makes sign fail
 * with a clear error and leave the layout untouched; the flags are checked as notation does.
 */
import { type Bytes, fromBase64 } from "../../lib/_internal/bytes.ts";
import {
  type CborMap,
  type CborTag,
  type CborValue,
  decodeCbor,
} from "../../lib/signature/cbor/mod.ts";
import { readTimestampToken } from "../../lib/signature/timestamp_token_info.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";
import type { CliResult, CliSandbox } from "../_helpers/cli.ts";
import { ok, signingSandbox } from "../cli/commands/_fixture.ts";
import {
  CA_EXTENSIONS,
  OPENSSL_MISSING,
  OpensslPki,
  startOpensslTsa,
  TSA_EXTENSIONS,
} from "../verify/_openssl_pki.ts";
import type { OpensslTsaServer, TsaMode } from "../verify/_openssl_pki.ts";
import { describeRun } from "../_helpers/e2e.ts";
import { addStampedKey, snapshot, trustTsa } from "./_fixtures.ts";

const SCOPE = ["--scope", "local/hello-world"];

async function envelopeOf(sb: CliSandbox, signatureDigest: string): Promise<Bytes> {
  const blobs = `${sb.cwd}/img/blobs/sha256`;
  const manifest = JSON.parse(
    await Deno.readTextFile(`${blobs}/${signatureDigest.slice("sha256:".length)}`),
  );
  return await Deno.readFile(`${blobs}/${manifest.layers[0].digest.slice("sha256:".length)}`);
}

Deno.test({
  name: "sign --timestamp-url embeds a checked RFC 3161 token (JWS and COSE)",
  ignore: OPENSSL_MISSING,
}, async (t) => {
  const pki = await OpensslPki.create();
  const sb = await signingSandbox();
  let server: OpensslTsaServer | undefined;
  try {
    // A signing chain valid since an hour ago: a timestamp must lie inside its validity.
    await addStampedKey(sb, pki);
    const tsaRoot = await pki.cert({ subject: "/O=TSA/CN=TSA Root", extensions: CA_EXTENSIONS });
    const tsa = await pki.cert({
      subject: "/O=TSA/CN=TSA",
      extensions: TSA_EXTENSIONS,
      issuer: tsaRoot,
    });
    const otherRoot = await pki.cert({ subject: "/CN=Other Root", extensions: CA_EXTENSIONS });
    server = await startOpensslTsa(pki, { tsa, chain: [tsaRoot] });
    await Deno.writeTextFile(`${sb.cwd}/two.pem`, tsaRoot.pem + otherRoot.pem);
    await trustTsa(sb, `${pki.dir}/${tsaRoot.certFile}`);
    const tsaRootFile = `${pki.dir}/${tsaRoot.certFile}`;
    const sign = (extra: string[], url = server!.url, rootCert = tsaRootFile) =>
      sb.run(
        "sign",
        "--oci-layout",
        "./img:v1",
        "--key",
        "stamped",
        "--timestamp-url",
        url,
        "--timestamp-root-cert",
        rootCert,
        ...extra,
      );

    await t.step("JWS and COSE signatures carry the token; verify and inspect see it", async () => {
      for (const format of ["jws", "cose"] as const) {
        const before = server!.requests;
        const signed = ok(await sign(["--signature-format", format, "-o", "json"]));
        assertEquals(server!.requests, before + 1);
        const envelope = await envelopeOf(sb, JSON.parse(signed.stdout).signature.digest);
        let token: Uint8Array;
        if (format === "jws") {
          const header = JSON.parse(new TextDecoder().decode(envelope)).header;
          // notation's order of the unprotected header
          assertEquals(Object.keys(header), [
            "io.cncf.notary.timestampSignature",
            "x5c",
            "io.cncf.notary.signingAgent",
          ]);
          token = fromBase64(header["io.cncf.notary.timestampSignature"]);
        } else {
          const parts = (decodeCbor(envelope) as CborTag).value as CborValue[];
          token = (parts[1] as CborMap).get("io.cncf.notary.timestampSignature") as Uint8Array;
        }
        const info = readTimestampToken(token as Uint8Array<ArrayBuffer>);
        assert.ok(Math.abs(info.genTime.getTime() - Date.now()) < 600_000);
      }
      ok(await sb.run("policy", "import", "--force", "./tsa-policy.json"));
      const verified = ok(await sb.run("verify", "--oci-layout", "./img:v1", ...SCOPE));
      assert.match(verified.stdout, /^Successfully verified signature/);
      // Two days on the signing chain has expired: only the timestamp keeps the signature valid.
      const later = () => new Date(Date.now() + 48 * 3600_000);
      const laterRun = await sb.runWith(
        { now: later },
        "verify",
        "--oci-layout",
        "./img:v1",
        ...SCOPE,
      );
      ok(laterRun);
      const inspected = JSON.parse(
        ok(await sb.run("inspect", "--oci-layout", "./img:v1", "-o", "json")).stdout,
      );
      const stamped = inspected.Signatures.filter(
        (s: { unsignedAttributes: Record<string, unknown> }) =>
          s.unsignedAttributes.timestampSignature !== undefined,
      );
      assertEquals(stamped.length, 2, JSON.stringify(inspected));
      assert.match(stamped[0].unsignedAttributes.timestampSignature.timestamp, /^\[\d{4}-/);
    });

    const failures: Array<[TsaMode | "down" | "wrong root", string]> = [
      ["status500", "https response bad status: 500"],
      ["garbage", "invalid timestamping response"],
      ["otherImprint", "message imprint in response does not match with request"],
      ["huge", "max response body size allowed is 1 MiB"],
      ["wrong root", "does not chain to a certificate of the timestamp root certificate"],
      ["down", "check the TSA URL and that it is reachable"],
    ];
    for (const [mode, message] of failures) {
      await t.step(`a TSA that is ${mode} makes sign fail and write nothing`, async () => {
        const before = await snapshot(`${sb.cwd}/img`);
        let result: CliResult;
        if (mode === "down") {
          const url = server!.url;
          await server!.stop();
          server = undefined;
          result = await sign([], url);
        } else if (mode === "wrong root") {
          result = await sign([], server!.url, `${pki.dir}/${otherRoot.certFile}`);
        } else {
          server!.mode = mode;
          result = await sign(["--signature-format", "cose"]);
          server!.mode = "ok";
        }
        assertEquals(result.code, 7, describeRun(result));
        assert.ok(result.stderr.includes(message), describeRun(result));
        assertEquals(result.stdout, "");
        assertEquals(await snapshot(`${sb.cwd}/img`), before);
      });
    }

    await t.step("the flags are checked as notation checks them", async () => {
      const cases: Array<[string[], number, string]> = [
        [
          ["--timestamp-url", "http://127.0.0.1:1/"],
          2,
          "if any flags in the group [timestamp-url timestamp-root-cert] are set they must all be set; missing [timestamp-root-cert]",
        ],
        [["--timestamp-root-cert", tsaRootFile], 2, "missing [timestamp-url]"],
        [
          ["--timestamp-url", "", "--timestamp-root-cert", tsaRootFile],
          2,
          "timestamping: tsa url cannot be empty",
        ],
        [
          ["--timestamp-url", "http://127.0.0.1:1/", "--timestamp-root-cert", ""],
          2,
          "timestamping: tsa root certificate path cannot be empty",
        ],
        [
          ["--timestamp-url", "ftp://127.0.0.1/", "--timestamp-root-cert", tsaRootFile],
          7,
          'scheme must be http or https, but got "ftp"',
        ],
        [
          ["--timestamp-url", "http://127.0.0.1:1/", "--timestamp-root-cert", "./two.pem"],
          8,
          'found more than one certificates from "./two.pem". Expecting single x509 root certificate in PEM or DER format from the file',
        ],
        [
          ["--timestamp-url", "http://127.0.0.1:1/", "--timestamp-root-cert", "./chain.pem"],
          8,
          "found more than one certificates",
        ],
        [
          [
            "--timestamp-url",
            "http://127.0.0.1:1/",
            "--timestamp-root-cert",
            `${pki.dir}/${tsa.certFile}`,
          ],
          8,
          "failed to check root certificate with error",
        ],
      ];
      const before = await snapshot(`${sb.cwd}/img`);
      for (const [flags, code, message] of cases) {
        const r = await sb.run("sign", "--oci-layout", "./img:v1", "--key", "stamped", ...flags);
        assertEquals(r.code, code, describeRun(r));
        assert.ok(r.stderr.includes(message), describeRun(r));
      }
      assertEquals(await snapshot(`${sb.cwd}/img`), before);
    });
  } finally {
    await server?.stop();
    await sb.close();
    await pki.close();
  }
});
