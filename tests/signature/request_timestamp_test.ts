import type { Bytes } from "../../lib/_internal/bytes.ts";
import {
  createTimestampRequest,
  HttpTimestamper,
  parseTimestampResponse,
  requestTimestamp,
} from "../../lib/signature/mod.ts";
import type { RequestTimestampOptions, Timestamper } from "../../lib/signature/mod.ts";
import { readTimestampToken } from "../../lib/signature/timestamp_token_info.ts";
import { parseCertificate } from "../../lib/x509/certificate.ts";
import { assert, assertEquals, assertRejectsCode, assertThrowsCode } from "../_helpers/assert.ts";
import {
  CA_EXTENSIONS,
  LEAF_EXTENSIONS,
  OPENSSL_MISSING,
  OpensslPki,
  startOpensslTsa,
  TSA_EXTENSIONS,
} from "../verify/_openssl_pki.ts";
import type { OpensslTsaServer, TestCert } from "../verify/_openssl_pki.ts";
import { makeRevocationPki } from "../x509/revocation/_revocation_pki.ts";

async function openssl(cwd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command("openssl", { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`openssl ${args.join(" ")} failed: ${text}`);
  return text;
}

/** A "TSA" that answers with what openssl replies to a query made by openssl itself. */
function opensslReplyTo(
  pki: OpensslPki,
  tsa: TestCert,
  queryArgs: string[],
  data: Bytes,
): Timestamper {
  return {
    timestamp: async () => {
      const id = crypto.randomUUID();
      await Deno.writeFile(`${pki.dir}/${id}.bin`, data);
      await Deno.writeTextFile(`${pki.dir}/${id}.serial`, "01\n");
      await Deno.writeTextFile(
        `${pki.dir}/${id}.cnf`,
        `[tsa]\ndefault_tsa = t\n[t]\nserial = ${id}.serial\nsigner_digest = sha256\n` +
          "default_policy = 1.2.3.4.1\ndigests = sha256\ness_cert_id_alg = sha256\n",
      );
      await openssl(pki.dir, [
        "ts",
        "-query",
        "-data",
        `${id}.bin`,
        ...queryArgs,
        "-cert",
        "-out",
        `${id}.tsq`,
      ]);
      await openssl(pki.dir, [
        "ts",
        "-reply",
        "-config",
        `${id}.cnf`,
        "-queryfile",
        `${id}.tsq`,
        "-signer",
        tsa.certFile,
        "-inkey",
        tsa.keyFile,
        "-out",
        `${id}.tsr`,
      ]);
      return await Deno.readFile(`${pki.dir}/${id}.tsr`);
    },
  };
}

Deno.test({
  name: "createTimestampRequest() builds what openssl reads as an RFC 3161 query",
  ignore: OPENSSL_MISSING,
}, async () => {
  const pki = await OpensslPki.create();
  try {
    for (const [hash, name] of [["SHA-256", "sha256"], ["SHA-512", "sha512"]] as const) {
      const req = await createTimestampRequest(new Uint8Array([1, 2, 3]), hash);
      await Deno.writeFile(`${pki.dir}/q.tsq`, req.der);
      const text = await openssl(pki.dir, ["ts", "-query", "-in", "q.tsq", "-text"]);
      assert.match(text, /Version: 1\n/);
      assert.match(text, new RegExp(`Hash Algorithm: ${name}\n`));
      assert.match(text, /Certificate required: yes\n/);
      const nonce = /Nonce: 0x([0-9A-F]+)\n/.exec(text)?.[1];
      assertEquals(
        BigInt(`0x${nonce}`),
        BigInt(`0x${[...req.nonce].map((b) => b.toString(16).padStart(2, "0")).join("")}`),
      );
      assertEquals(
        req.hashedMessage,
        new Uint8Array(await crypto.subtle.digest(hash, new Uint8Array([1, 2, 3]))),
      );
    }
  } finally {
    await pki.close();
  }
});

Deno.test({
  name: "parseTimestampResponse() reports an openssl rejection with its failure info",
  ignore: OPENSSL_MISSING,
}, async () => {
  const pki = await OpensslPki.create();
  try {
    const tsa = await pki.cert({ subject: "/CN=TSA", extensions: TSA_EXTENSIONS });
    const rejection = await opensslReplyTo(pki, tsa, ["-sha1"], new Uint8Array([7]))
      .timestamp(new Uint8Array(0));
    assertThrowsCode(
      () => parseTimestampResponse(rejection),
      "ERR_TIMESTAMP",
      "timestamp: invalid timestamping response: invalid response with status code 2: rejected. Failure info: unrecognized or unsupported Algorithm Identifier",
    );
    assertThrowsCode(
      () => parseTimestampResponse(new Uint8Array([0x30, 0x03, 0x02, 0x01])),
      "ERR_TIMESTAMP",
      "not a DER TimeStampResp",
    );
  } finally {
    await pki.close();
  }
});

Deno.test({
  name: "requestTimestamp() gets and checks a token from a TSA over HTTP",
  ignore: OPENSSL_MISSING,
}, async (t) => {
  const pki = await OpensslPki.create();
  let server: OpensslTsaServer | undefined;
  try {
    const root = await pki.cert({ subject: "/O=TSA/CN=TSA Root", extensions: CA_EXTENSIONS });
    const tsa = await pki.cert({
      subject: "/O=TSA/CN=TSA",
      extensions: TSA_EXTENSIONS,
      issuer: root,
    });
    const otherRoot = await pki.cert({ subject: "/CN=Other Root", extensions: CA_EXTENSIONS });
    const futureLeaf = await pki.cert({
      subject: "/CN=future",
      extensions: LEAF_EXTENSIONS,
      issuer: otherRoot,
      notBefore: new Date(Date.now() + 3600_000),
    });
    server = await startOpensslTsa(pki, { tsa, chain: [root] });
    const signature = crypto.getRandomValues(new Uint8Array(256));
    const base: RequestTimestampOptions = {
      hash: "SHA-256",
      timestamper: new HttpTimestamper(server.url, { fetch }),
      rootCertificate: parseCertificate(root.pem),
    };

    await t.step("a good token is returned as sent and verifies with openssl", async () => {
      for (const hash of ["SHA-256", "SHA-384", "SHA-512"] as const) {
        const token = await requestTimestamp(signature, { ...base, hash });
        const info = readTimestampToken(token);
        assertEquals(info.hash, hash);
        assert.ok(Math.abs(info.genTime.getTime() - Date.now()) < 600_000);
        await Deno.writeFile(`${pki.dir}/sig.bin`, signature);
        await Deno.writeFile(`${pki.dir}/tok.der`, token);
        const out = await openssl(pki.dir, [
          "ts",
          "-verify",
          "-data",
          "sig.bin",
          "-in",
          "tok.der",
          "-token_in",
          "-CAfile",
          root.certFile,
        ]);
        assert.match(out, /Verification: OK/);
      }
    });

    const cases: Array<[OpensslTsaServer["mode"], string]> = [
      ["status500", `timestamp: POST "${server.url}": https response bad status: 500`],
      ["wrongContentType", "unexpected response content type: text/plain"],
      ["garbage", "timestamp: invalid timestamping response: the response is not a DER"],
      ["otherImprint", "message imprint in response does not match with request"],
      ["huge", "unexpected large http response, max response body size allowed is 1 MiB"],
    ];
    for (const [mode, message] of cases) {
      await t.step(`a TSA answering with ${mode} is refused`, async () => {
        server!.mode = mode;
        try {
          await assertRejectsCode(
            () => requestTimestamp(signature, base),
            "ERR_TIMESTAMP",
            message,
          );
        } finally {
          server!.mode = "ok";
        }
      });
    }

    await t.step("a TSA that does not answer in time is refused", async () => {
      server!.mode = "slow";
      try {
        await assertRejectsCode(
          () =>
            requestTimestamp(signature, {
              ...base,
              timestamper: new HttpTimestamper(server!.url, { fetch, timeoutMs: 300 }),
            }),
          "ERR_TIMESTAMP",
          "the TSA did not answer within 300 ms",
        );
      } finally {
        server!.mode = "ok";
      }
    });

    await t.step("cancellation is reported as such", async () => {
      const abort = new AbortController();
      abort.abort();
      await assertRejectsCode(
        () => requestTimestamp(signature, { ...base, signal: abort.signal }),
        "ERR_ABORTED",
      );
    });

    await t.step("a token that does not chain to the given root is refused", async () => {
      await assertRejectsCode(
        () =>
          requestTimestamp(signature, {
            ...base,
            rootCertificate: parseCertificate(otherRoot.pem),
          }),
        "ERR_TIMESTAMP",
        'timestamp: failed to verify signed token: the TSA certificate "CN=TSA,O=TSA" does not chain to a certificate of the timestamp root certificate "CN=Other Root"',
      );
    });

    await t.step("a token whose nonce differs from the request's is refused", async () => {
      await assertRejectsCode(
        () =>
          requestTimestamp(signature, {
            ...base,
            timestamper: opensslReplyTo(pki, tsa, ["-sha256"], signature),
          }),
        "ERR_TIMESTAMP",
        "timestamp: invalid timestamping response: nonce in response",
      );
    });

    await t.step("a timestamp outside the signing chain's validity is refused", async () => {
      await assertRejectsCode(
        () =>
          requestTimestamp(signature, {
            ...base,
            signingChain: [parseCertificate(futureLeaf.pem)],
          }),
        "ERR_TIMESTAMP",
        'of certificate "CN=future"; verification would reject it',
      );
    });

    await t.step("an unreachable TSA is refused", async () => {
      const url = server!.url;
      await server!.stop();
      server = undefined;
      await assertRejectsCode(
        () =>
          requestTimestamp(signature, {
            ...base,
            timestamper: new HttpTimestamper(url, { fetch }),
          }),
        "ERR_TIMESTAMP",
        "check the TSA URL and that it is reachable",
      );
    });
  } finally {
    await server?.stop();
    await pki.close();
  }
});

Deno.test("HttpTimestamper() refuses URLs notation refuses", () => {
  assertThrowsCode(
    () => new HttpTimestamper("ftp://tsa.example/", { fetch }),
    "ERR_TIMESTAMP",
    'cannot get http timestamper for timestamping: endpoint "ftp://tsa.example/": scheme must be http or https, but got "ftp"',
  );
  assertThrowsCode(
    () => new HttpTimestamper("not a url", { fetch }),
    "ERR_TIMESTAMP",
    "is not a valid URL",
  );
});

Deno.test({
  name: "requestTimestamp() with a revocation client refuses a revoked or unknown TSA chain",
  ignore: OPENSSL_MISSING,
}, async (t) => {
  const p = await makeRevocationPki();
  let server: OpensslTsaServer | undefined;
  try {
    const tsa = await p.issueLeaf(
      "/C=US/O=wabbit-networks.io/CN=Revocable TSA",
      { ocsp: true, crl: true },
      TSA_EXTENSIONS,
    );
    server = await startOpensslTsa(p.pki, { tsa, chain: [p.int, p.root] });
    const signature = crypto.getRandomValues(new Uint8Array(64));
    const base: RequestTimestampOptions = {
      hash: "SHA-256",
      timestamper: new HttpTimestamper(server.url, { fetch }),
      rootCertificate: parseCertificate(p.root.pem),
      revocationClient: { fetch, ocspTimeoutMs: 1000, crlTimeoutMs: 1000 },
    };
    const subject = `"CN=Revocable TSA,O=wabbit-networks.io,C=US"`;

    await t.step("checks every certificate of the TSA chain but the root", async () => {
      const before = { int: p.ocspRequests.int, root: p.ocspRequests.root };
      await requestTimestamp(signature, base);
      assertEquals(p.ocspRequests.int, before.int + 1);
      assertEquals(p.ocspRequests.root, before.root + 1);
    });

    await t.step(
      "an unknown status fails, with each responder's error in the details",
      async () => {
        p.ocspMode.int = "status500";
        p.crlMode.int = "garbage";
        try {
          const err = await assertRejectsCode(
            () => requestTimestamp(signature, base),
            "ERR_TIMESTAMP",
            `timestamp: timestamping certificate with subject ${subject} revocation status is unknown`,
          );
          const details = JSON.stringify(err.details);
          assert.match(details, /HTTP status 500/);
          assert.match(details, /malformed CRL/);
          assertEquals((err.cause as { code?: string }).code, "ERR_SIGNATURE_REVOCATION");
        } finally {
          p.ocspMode.int = "ok";
          p.crlMode.int = "ok";
        }
      },
    );

    await t.step(
      "a revoked TSA certificate fails; without a client it is not checked",
      async () => {
        await p.revoke("int", tsa, "keyCompromise");
        await assertRejectsCode(
          () => requestTimestamp(signature, base),
          "ERR_TIMESTAMP",
          `timestamp: timestamping certificate with subject ${subject} is revoked`,
        );
        const { revocationClient: _, ...unchecked } = base;
        const before = p.ocspRequests.int;
        await requestTimestamp(signature, unchecked);
        assertEquals(p.ocspRequests.int, before);
      },
    );
  } finally {
    await server?.stop();
    await p.close();
  }
});
