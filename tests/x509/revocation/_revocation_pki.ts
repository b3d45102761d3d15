/**
 * A revocable test PKI made with the real `openssl` CLI and served on a loopback port: a root
 * CA, an intermediate CA whose AIA/CDP point at the root's endpoints, leaves whose AIA/CDP point
 * at the intermediate's, OCSP responder certificates, and a tiny `Deno.serve` that answers each
 * OCSP request by running `openssl ocsp -index … -reqin … -respout …` (openssl is the responder)
 * and serves CRLs made by `openssl ca -gencrl`. Modes break the answers on purpose.
 *
 * @module
 */
import { CA_EXTENSIONS, LEAF_EXTENSIONS, OpensslPki } from "../../verify/_openssl_pki.ts";
import type { TestCert } from "../../verify/_openssl_pki.ts";

/** How an OCSP endpoint answers. */
export type OcspMode =
  /** openssl answers, signed by the delegated responder (root: by the root itself). */
  | "ok"
  /** openssl answers, signed by the CA itself, no certificates embedded. */
  | "direct"
  /** signed by a responder certificate without the OCSPSigning EKU. */
  | "noEku"
  /** signed by an OCSP responder of another CA. */
  | "otherCa"
  /** a response without nextUpdate (openssl's default). */
  | "noNextUpdate"
  /** nextUpdate one minute after thisUpdate. */
  | "short"
  | "garbage"
  | "status500"
  /** 30 000 bytes, over notation's 20 KiB cap. */
  | "huge"
  /** no answer until the client gives up. */
  | "hang"
  /** signed by the CA itself without certificates, then one byte of the signature flipped. */
  | "badSignature";

/** How a CRL endpoint answers: the last published CRL, an error, junk, or the CRL with one byte of its signature flipped. */
export type CrlMode = "ok" | "status500" | "garbage" | "badSignature";

/** Keys and signatures of {@linkcode makeRevocationPki}'s certificates, CRLs and OCSP answers. */
export interface RevocationPkiOptions {
  /** Key of every certificate (default `ec:P-256`), e.g. `rsa:2048`. */
  key?: string;
  /** With RSA keys: PKCS#1 v1.5 signatures (openssl's default) or RSASSA-PSS on CRLs and OCSP answers. */
  rsaPadding?: "pkcs1" | "pss";
}

/** Which CA's endpoints. */
export type CaName = "root" | "int";

/** The PKI, its endpoints and its knobs. */
export interface RevocationPki {
  pki: OpensslPki;
  /** `http://127.0.0.1:<port>` */
  base: string;
  root: TestCert;
  int: TestCert;
  /** A leaf with OCSP and CRL endpoints (of `int`). */
  leaf: TestCert;
  /** OCSP mode per CA (default `ok`). */
  ocspMode: Record<CaName, OcspMode>;
  /** CRL endpoint override per CA (default: serve the last published CRL). */
  crlMode: Record<CaName, CrlMode>;
  /** OCSP requests received per CA. */
  ocspRequests: Record<CaName, number>;
  /** CRL downloads per CA. */
  crlRequests: Record<CaName, number>;
  /**
   * Issues another leaf (key as the PKI's) from `int` with the chosen endpoints (a code-signing leaf
   * unless other `extensions` are given).
   */
  issueLeaf(
    subject: string,
    endpoints: { ocsp?: boolean; crl?: boolean },
    extensions?: string[],
  ): Promise<TestCert>;
  /** Removes `cert` from `ca`'s database (its OCSP status becomes "unknown"). */
  forget(ca: CaName, cert: TestCert): Promise<void>;
  /** Marks `cert` (issued by `ca`) revoked in that CA's database. */
  revoke(ca: CaName, cert: TestCert, reason?: string): Promise<void>;
  /** Regenerates and serves `ca`'s CRL from its database. */
  publishCrl(
    ca: CaName,
    opts?: { lastUpdate?: Date; nextUpdate?: Date; signedBy?: "other" },
  ): Promise<void>;
  /** Stops the server and removes the files. */
  close(): Promise<void>;
}

async function run(cwd: string, args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) {
    const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
    throw new Error(`openssl ${args.join(" ")} failed: ${text}`);
  }
}

function asn1Time(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z";
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** Makes the PKI and starts its server; `close()` when done. */
export async function makeRevocationPki(
  options: RevocationPkiOptions = {},
): Promise<RevocationPki> {
  const key = options.key ?? "ec:P-256";
  const pss = options.rsaPadding === "pss"
    ? ["rsa_padding_mode:pss", "rsa_pss_saltlen:digest"]
    : [];
  const pki = await OpensslPki.create();
  const dir = pki.dir;
  const index: Record<CaName, Map<string, string>> = { root: new Map(), int: new Map() };
  const crls: Partial<Record<CaName, Uint8Array<ArrayBuffer>>> = {};
  const hanging = new Set<() => void>();
  const state = {
    ocspMode: { root: "ok", int: "ok" } as Record<CaName, OcspMode>,
    crlMode: { root: "ok", int: "ok" } as Record<CaName, CrlMode>,
    ocspRequests: { root: 0, int: 0 } as Record<CaName, number>,
    crlRequests: { root: 0, int: 0 } as Record<CaName, number>,
  };
  let certs: Record<string, TestCert> = {};
  let n = 0;

  const writeIndex = async (ca: CaName): Promise<string> => {
    const file = `idx-${ca}.txt`;
    await Deno.writeTextFile(`${dir}/${file}`, [...index[ca].values()].join(""));
    await Deno.writeTextFile(`${dir}/${file}.attr`, "unique_subject = no\n");
    return file;
  };

  const ocspAnswer = async (ca: CaName, request: Uint8Array): Promise<Uint8Array<ArrayBuffer>> => {
    const id = ++n;
    await Deno.writeFile(`${dir}/q${id}.der`, request);
    const mode = state.ocspMode[ca];
    const caCert = ca === "root" ? certs.root! : certs.int!;
    const signer = mode === "noEku"
      ? certs.noEku!
      : mode === "otherCa"
      ? certs.otherResponder!
      : mode === "direct" || mode === "badSignature" || ca === "root"
      ? caCert
      : certs.responder!;
    await run(dir, [
      "ocsp",
      "-index",
      await writeIndex(ca),
      "-CA",
      caCert.certFile,
      "-rsigner",
      signer.certFile,
      "-rkey",
      signer.keyFile,
      "-reqin",
      `q${id}.der`,
      "-respout",
      `a${id}.der`,
      ...(mode === "noNextUpdate" ? [] : mode === "short" ? ["-nmin", "1"] : ["-ndays", "1"]),
      ...(mode === "direct" || mode === "badSignature" ? ["-resp_no_certs"] : []),
      ...pss.flatMap((o) => ["-rsigopt", o]),
    ]);
    const answer = await Deno.readFile(`${dir}/a${id}.der`);
    if (mode === "badSignature") answer[answer.length - 1]! ^= 0x01;
    return answer;
  };

  const handler = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const [, kind, name, ...rest] = url.pathname.split("/");
    if (kind === "crl") {
      const ca = name?.replace(/\.crl$/, "") as CaName;
      state.crlRequests[ca]++;
      if (state.crlMode[ca] === "status500") return new Response("down", { status: 500 });
      if (state.crlMode[ca] === "garbage") return new Response("not a CRL at all");
      const body = crls[ca]?.slice();
      // the signature is the CRL's last field
      if (body && state.crlMode[ca] === "badSignature") body[body.length - 1]! ^= 0x01;
      return body ? new Response(body) : new Response("no CRL", { status: 404 });
    }
    if (kind !== "ocsp") return new Response("not found", { status: 404 });
    const ca = name as CaName;
    state.ocspRequests[ca]++;
    const request = req.method === "POST"
      ? new Uint8Array(await req.arrayBuffer())
      : fromBase64(decodeURIComponent(rest.join("/")));
    switch (state.ocspMode[ca]) {
      case "garbage":
        return new Response(crypto.getRandomValues(new Uint8Array(200)));
      case "status500":
        return new Response("down", { status: 500 });
      case "huge":
        return new Response(new Uint8Array(30_000));
      case "hang":
        await new Promise<void>((resolve) => {
          hanging.add(resolve);
          req.signal.addEventListener("abort", () => resolve(), { once: true });
        });
        return new Response("too late", { status: 503 });
      default:
        return new Response(await ocspAnswer(ca, request), {
          headers: { "content-type": "application/ocsp-response" },
        });
    }
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  const base = `http://127.0.0.1:${server.addr.port}`;
  const endpoints = (ca: CaName, e: { ocsp?: boolean; crl?: boolean }): string[] => [
    ...(e.ocsp ? [`authorityInfoAccess=OCSP;URI:${base}/ocsp/${ca}`] : []),
    ...(e.crl ? [`crlDistributionPoints=URI:${base}/crl/${ca}.crl`] : []),
  ];
  // OpensslPki issues certificate cN.pem with its own openssl ca database dbN
  const dbFile = (cert: TestCert): string => `${dir}/db${cert.certFile.slice(1, -4)}`;
  const record = async (ca: CaName, cert: TestCert): Promise<void> => {
    const db = await Deno.readTextFile(dbFile(cert));
    const serial = db.split("\t")[3]!;
    index[ca].set(serial, db);
  };

  try {
    const root = await pki.cert({
      subject: "/C=US/ST=WA/O=wabbit-networks.io/CN=Revocation Root",
      extensions: CA_EXTENSIONS,
      key,
    });
    const int = await pki.cert({
      subject: "/C=US/ST=WA/O=wabbit-networks.io/CN=Revocation Intermediate",
      extensions: [...CA_EXTENSIONS, ...endpoints("root", { ocsp: true, crl: true })],
      issuer: root,
      key,
    });
    await record("root", int);
    const ocspExtensions = (eku: boolean) => [
      "basicConstraints=CA:FALSE",
      "keyUsage=critical,digitalSignature",
      ...(eku ? ["extendedKeyUsage=OCSPSigning"] : []),
    ];
    const responder = await pki.cert({
      subject: "/C=US/O=wabbit-networks.io/CN=Intermediate OCSP Responder",
      extensions: ocspExtensions(true),
      issuer: int,
      key,
    });
    const noEku = await pki.cert({
      subject: "/C=US/O=wabbit-networks.io/CN=Unauthorized Responder",
      extensions: ocspExtensions(false),
      issuer: int,
      key,
    });
    const otherCa = await pki.cert({
      subject: "/C=US/O=acme-rockets.io/CN=Revocation Intermediate",
      extensions: CA_EXTENSIONS,
      key,
    });
    const otherResponder = await pki.cert({
      subject: "/C=US/O=acme-rockets.io/CN=Acme OCSP Responder",
      extensions: ocspExtensions(true),
      issuer: otherCa,
      key,
    });
    certs = { root, int, responder, noEku, otherCa, otherResponder };
    const issueLeaf = async (
      subject: string,
      e: { ocsp?: boolean; crl?: boolean },
      extensions: string[] = LEAF_EXTENSIONS,
    ): Promise<TestCert> => {
      const leaf = await pki.cert({
        subject,
        extensions: [...extensions, ...endpoints("int", e)],
        issuer: int,
        key,
      });
      await record("int", leaf);
      return leaf;
    };
    const leaf = await issueLeaf("/C=US/ST=WA/O=wabbit-networks.io/CN=Revocable Signer", {
      ocsp: true,
      crl: true,
    });
    const publishCrl = async (
      ca: CaName,
      opts: { lastUpdate?: Date; nextUpdate?: Date; signedBy?: "other" } = {},
    ): Promise<void> => {
      const id = ++n;
      const signer = opts.signedBy === "other" ? otherCa : ca === "root" ? root : int;
      await Deno.writeTextFile(
        `${dir}/crlnum-${ca}`,
        `${(id + 1).toString(16).padStart(2, "0")}\n`,
      );
      await Deno.writeTextFile(
        `${dir}/crl${id}.cnf`,
        [
          "[ca]",
          "default_ca = x",
          "[x]",
          `database = ${await writeIndex(ca)}`,
          `crlnumber = crlnum-${ca}`,
          "default_md = sha256",
          "default_crl_days = 1",
          "",
        ].join("\n"),
      );
      await run(dir, [
        "ca",
        "-gencrl",
        "-config",
        `crl${id}.cnf`,
        "-cert",
        signer.certFile,
        "-keyfile",
        signer.keyFile,
        "-out",
        `crl${id}.pem`,
        ...(opts.lastUpdate ? ["-crl_lastupdate", asn1Time(opts.lastUpdate)] : []),
        ...(opts.nextUpdate ? ["-crl_nextupdate", asn1Time(opts.nextUpdate)] : []),
        ...pss.flatMap((o) => ["-sigopt", o]),
      ]);
      await run(dir, ["crl", "-in", `crl${id}.pem`, "-outform", "DER", "-out", `crl${id}.der`]);
      crls[ca] = await Deno.readFile(`${dir}/crl${id}.der`);
    };
    await publishCrl("root");
    await publishCrl("int");
    return {
      pki,
      base,
      root,
      int,
      leaf,
      ...state,
      issueLeaf,
      async forget(ca: CaName, cert: TestCert): Promise<void> {
        index[ca].delete((await Deno.readTextFile(dbFile(cert))).split("\t")[3]!);
      },
      async revoke(ca: CaName, cert: TestCert, reason?: string): Promise<void> {
        const f = (await Deno.readTextFile(dbFile(cert))).split("\t");
        f[0] = "R";
        f[2] = asn1Time(new Date(Date.now() - 60_000)).slice(2) + (reason ? `,${reason}` : "");
        index[ca].set(f[3]!, f.join("\t"));
      },
      publishCrl,
      async close(): Promise<void> {
        for (const resolve of hanging) resolve();
        await server.shutdown();
        await pki.close();
      },
    };
  } catch (err) {
    await server.shutdown();
    await pki.close();
    throw err;
  }
}
