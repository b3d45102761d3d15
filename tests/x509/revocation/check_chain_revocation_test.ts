import { assert, assertEquals, assertRejectsCode } from "../../_helpers/assert.ts";
import { checkChainRevocation, revocationFinalResult } from "../../../lib/x509/revocation/mod.ts";
import type {
  CertRevocationResult,
  CheckChainRevocationOptions,
} from "../../../lib/x509/revocation/mod.ts";
import { parseCertificate } from "../../../lib/x509/certificate.ts";
import type { Certificate } from "../../../lib/x509/certificate.ts";
import { OPENSSL_MISSING } from "../../verify/_openssl_pki.ts";
import type { TestCert } from "../../verify/_openssl_pki.ts";
import { makeRevocationPki } from "./_revocation_pki.ts";
import type { OcspMode } from "./_revocation_pki.ts";

const MINUTE = 60_000;

function summary(r: CertRevocationResult): [string, string, string[]] {
  return [r.status, r.method, r.servers.map((s) => `${s.method}:${s.status}`)];
}

Deno.test({
  name: "checkChainRevocation() verifies OCSP answers and falls back to CRLs",
  ignore: OPENSSL_MISSING,
}, async (t) => {
  const p = await makeRevocationPki();
  try {
    const chainOf = (leaf: TestCert): Certificate[] =>
      [leaf, p.int, p.root].map((c) => parseCertificate(c.pem));
    const chain = chainOf(p.leaf);
    const check = (o: Partial<CheckChainRevocationOptions> = {}, c = chain) =>
      checkChainRevocation(c, { client: { fetch, ocspTimeoutMs: 300, crlTimeoutMs: 300 }, ...o });
    const withOcsp = async (mode: OcspMode, o: Partial<CheckChainRevocationOptions> = {}) => {
      p.ocspMode.int = mode;
      try {
        return (await check(o))[0]!;
      } finally {
        p.ocspMode.int = "ok";
      }
    };

    await t.step(
      "accepts good answers from a delegated responder and from the CA itself",
      async () => {
        const results = await check();
        assertEquals(results.map(summary), [
          ["ok", "ocsp", ["ocsp:ok"]],
          ["ok", "ocsp", ["ocsp:ok"]],
          ["nonRevokable", "none", ["none:nonRevokable"]],
        ]);
        assertEquals(revocationFinalResult(results, chain), { status: "ok" });
        assertEquals(summary(await withOcsp("direct")), ["ok", "ocsp", ["ocsp:ok"]]);
      },
    );

    await t.step(
      "treats untrustworthy OCSP answers as unknown and falls back to the CRL",
      async () => {
        const cases: [OcspMode, string][] = [
          ["noEku", "lacks the OCSPSigning extended key usage"],
          ["otherCa", "bad OCSP signature"],
          ["noNextUpdate", "expired OCSP response"],
          ["garbage", "malformed OCSP response"],
          ["status500", "HTTP status 500"],
          ["huge", "20480"],
          ["hang", "exceeded timeout threshold of 0.30 seconds for OCSP check"],
        ];
        for (const [mode, message] of cases) {
          const r = await withOcsp(mode);
          assertEquals(summary(r), ["ok", "ocspFallbackCrl", ["ocsp:unknown", "crl:ok"]], mode);
          const error = r.servers[0]!.error!;
          assert(error.message.includes(message), `${mode}: ${error.message}`);
        }
        const timeout = (await withOcsp("hang")).servers[0]!.error!;
        assertEquals(timeout.code, "ERR_TIMEOUT");
        assertEquals((await withOcsp("huge")).servers[0]!.error!.code, "ERR_SIZE_EXCEEDED");
      },
    );

    await t.step("rejects an OCSP answer that is stale at the verification time", async () => {
      const r = await withOcsp("short", { now: new Date(Date.now() + 3 * MINUTE) });
      assertEquals(r.servers[0]!.error?.message, "expired OCSP response");
      const early = await withOcsp("ok", { now: new Date(Date.now() - 60 * MINUTE) });
      assertEquals(
        early.servers[0]!.error?.message,
        "the OCSP response's thisUpdate is in the future",
      );
    });

    await t.step(
      "falls back to the CRL when the responder does not know the certificate",
      async () => {
        const unknownLeaf = await p.issueLeaf("/C=US/O=wabbit-networks.io/CN=Unknown", {
          ocsp: true,
          crl: true,
        });
        await p.forget("int", unknownLeaf);
        await p.publishCrl("int");
        const r = (await check({}, chainOf(unknownLeaf)))[0]!;
        assertEquals(summary(r), ["ok", "ocspFallbackCrl", ["ocsp:unknown", "crl:ok"]]);
        assertEquals(r.servers[0]!.error?.message, "certificate has unknown status via OCSP");
      },
    );

    await t.step("checks CRLs: signer, freshness, format, revoked serial, hold", async () => {
      const crlLeaf = await p.issueLeaf("/C=US/O=wabbit-networks.io/CN=CRL Only", { crl: true });
      const crlChain = chainOf(crlLeaf);
      const leafResult = async () => (await check({}, crlChain))[0]!;
      await p.publishCrl("int");
      assertEquals(summary(await leafResult()), ["ok", "crl", ["crl:ok"]]);

      await p.publishCrl("int", { signedBy: "other" });
      const other = await leafResult();
      assertEquals(other.status, "unknown");
      assert(other.servers[0]!.error!.message.includes("failed to validate CRL from"));

      const past = new Date(Date.now() - 120 * MINUTE);
      await p.publishCrl("int", { lastUpdate: past, nextUpdate: new Date(Date.now() - MINUTE) });
      assert((await leafResult()).servers[0]!.error!.message.includes("expired CRL"));

      await p.publishCrl("int", { lastUpdate: new Date(Date.now() + 60 * MINUTE) });
      assert((await leafResult()).servers[0]!.error!.message.includes("is in the future"));

      p.crlMode.int = "garbage";
      assert((await leafResult()).servers[0]!.error!.message.includes("malformed CRL"));
      p.crlMode.int = "status500";
      assert((await leafResult()).servers[0]!.error!.message.includes("HTTP status 500"));
      p.crlMode.int = "ok";

      await p.revoke("int", crlLeaf, "certificateHold,holdInstructionReject");
      await p.publishCrl("int");
      assertEquals(summary(await leafResult()), ["revoked", "crl", ["crl:revoked"]]);
      const results = await check({}, crlChain);
      assertEquals(revocationFinalResult(results, crlChain), {
        status: "revoked",
        subject: "CN=CRL Only,O=wabbit-networks.io,C=US",
      });
    });

    await t.step("an aborted check rejects instead of reporting unknown", async () => {
      p.ocspMode.int = "hang";
      const controller = new AbortController();
      try {
        const pending = checkChainRevocation(chain, {
          client: { fetch, ocspTimeoutMs: 5000 },
          signal: controller.signal,
        });
        setTimeout(() => controller.abort(), 50);
        await assertRejectsCode(() => pending, "ERR_ABORTED");
      } finally {
        p.ocspMode.int = "ok";
      }
    });
  } finally {
    await p.close();
  }
});

Deno.test("revocationFinalResult() prefers revoked, and names the certificate nearest the leaf", () => {
  const chain = ["CN=leaf", "CN=int", "CN=root"].map((subject) => ({ subject }) as Certificate);
  const r = (status: CertRevocationResult["status"]): CertRevocationResult => ({
    status,
    method: "ocsp",
    servers: [],
  });
  assertEquals(revocationFinalResult([r("ok"), r("nonRevokable"), r("nonRevokable")], chain), {
    status: "ok",
  });
  assertEquals(revocationFinalResult([r("unknown"), r("unknown"), r("nonRevokable")], chain), {
    status: "unknown",
    subject: "CN=leaf",
  });
  assertEquals(revocationFinalResult([r("unknown"), r("revoked"), r("nonRevokable")], chain), {
    status: "revoked",
    subject: "CN=int",
  });
});
