import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { distributionAvailable, freePort, startDistribution } from "../_helpers/distribution.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";
import { Registry } from "../../lib/registry/registry.ts";
import { staticCredentials } from "../../lib/registry/credentials.ts";
import { fetchAll } from "../../lib/content/fetch_all.ts";
import { MemoryStore } from "../../lib/content/memory_store.ts";
import { copy } from "../../lib/copy/copy.ts";
import { smallImage } from "./_fixtures.ts";
import { importPKCS8, SignJWT } from "jose";

const SECRET = "s3cr3t-Pa55";
const HTPASSWD = findPeer("htpasswd");
const OPENSSL = findPeer("openssl");

Deno.test({
  name:
    "Registry with htpasswd Basic auth: refuses without or with wrong credentials, works with right ones",
  ignore: !distributionAvailable() || HTPASSWD === undefined,
}, async () => {
  const htpasswd = HTPASSWD!;
  const dir = await Deno.makeTempDir({ prefix: "ocisign-htpasswd-" });
  try {
    const made = await runPeer(htpasswd, ["-Bbn", "alice", SECRET]);
    assertEquals(made.code, 0, made.stderr);
    await Deno.writeTextFile(`${dir}/htpasswd`, made.stdout);
    const reg = await startDistribution({ htpasswd: `${dir}/htpasswd` });
    try {
      const image = await smallImage("basic");
      const anon = new Registry(reg.host, { plainHttp: true });
      await assertRejectsCode(() => anon.ping(), "ERR_UNAUTHORIZED");
      const wrong = new Registry(reg.host, {
        plainHttp: true,
        credentials: staticCredentials({ username: "alice", password: "wrong-password" }),
        retry: { maxRetries: 0 },
      });
      const err = await assertRejectsCode(() => wrong.ping(), "ERR_UNAUTHORIZED");
      assert(!err.message.includes("wrong-password"));
      const good = new Registry(reg.host, {
        plainHttp: true,
        credentials: staticCredentials({ username: "alice", password: SECRET }, reg.host),
      });
      await good.ping();
      const repo = good.repository("private/app");
      const src = new MemoryStore();
      for (const c of image) await src.push(c.desc, c.bytes);
      await src.tag(image[2]!.desc, "v1");
      await copy(src, "v1", repo, "v1");
      assertEquals(await fetchAll(repo, image[1]!.desc, { maxBytes: 1 << 20 }), image[1]!.bytes);
      const denied = await assertRejectsCode(
        () => anon.repository("private/app").resolve("v1"),
        "ERR_UNAUTHORIZED",
      );
      assert(!denied.message.includes(SECRET));
    } finally {
      await reg.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

interface TokenServer {
  realm: string;
  requests: { method: string; scopes: string[]; grant?: string }[];
  stop(): Promise<void>;
}

async function startTokenServer(
  dir: string,
  service: string,
  issuer: string,
): Promise<TokenServer> {
  const openssl = OPENSSL!;
  const gen = await runPeer(openssl, [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    `${dir}/token.key`,
    "-out",
    `${dir}/token.crt`,
    "-days",
    "1",
    "-subj",
    "/CN=ocisign test token issuer",
  ]);
  assertEquals(gen.code, 0, gen.stderr);
  const p8 = await runPeer(openssl, ["pkcs8", "-topk8", "-nocrypt", "-in", `${dir}/token.key`]);
  const key = await importPKCS8(p8.stdout, "ES256");
  const der = await runPeer(openssl, ["x509", "-in", `${dir}/token.crt`, "-outform", "DER"]);
  assertEquals(der.code, 0);
  const certPem = await Deno.readTextFile(`${dir}/token.crt`);
  const b64 = certPem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  const requests: TokenServer["requests"] = [];
  const port = freePort();
  const ac = new AbortController();
  const basic = `Basic ${btoa(`bob:${SECRET}`)}`;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port, signal: ac.signal, onListen: () => {} },
    async (req) => {
      const url = new URL(req.url);
      let scopes: string[];
      let ok: boolean;
      let grant: string | undefined;
      if (req.method === "POST") {
        const form = new URLSearchParams(await req.text());
        grant = form.get("grant_type") ?? "";
        scopes = (form.get("scope") ?? "").split(" ").filter((s) => s !== "");
        ok = (grant === "password" && form.get("username") === "bob" &&
          form.get("password") === SECRET) ||
          (grant === "refresh_token" && form.get("refresh_token") === "refresh-" + SECRET);
      } else {
        scopes = url.searchParams.getAll("scope");
        ok = req.headers.get("authorization") === basic;
      }
      requests.push({ method: req.method, scopes, ...(grant ? { grant } : {}) });
      if (!ok) return new Response("denied", { status: 401 });
      const access = scopes.map((s) => {
        const [type, name, actions] = [
          s.slice(0, s.indexOf(":")),
          s.slice(s.indexOf(":") + 1, s.lastIndexOf(":")),
          s.slice(s.lastIndexOf(":") + 1),
        ];
        return { type, name, actions: actions.split(",") };
      });
      const now = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({ access })
        .setProtectedHeader({ alg: "ES256", typ: "JWT", x5c: [b64] })
        .setIssuer(issuer)
        .setSubject("bob")
        .setAudience(service)
        .setIssuedAt(now - 5)
        .setNotBefore(now - 5)
        .setExpirationTime(now + 300)
        .setJti(crypto.randomUUID())
        .sign(key);
      const body = req.method === "POST"
        ? { access_token: token, expires_in: 300 }
        : { token, expires_in: 300 };
      return Response.json(body);
    },
  );
  return {
    realm: `http://127.0.0.1:${port}/token`,
    requests,
    stop: async () => {
      ac.abort();
      await server.finished;
    },
  };
}

Deno.test({
  name:
    "Registry with token auth: Bearer challenge, token GET with Basic, OAuth2 POST, cache per scope",
  ignore: !distributionAvailable() || OPENSSL === undefined,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-token-" });
  try {
    const tokens = await startTokenServer(dir, "test-registry", "test-issuer");
    try {
      const reg = await startDistribution({
        token: {
          realm: tokens.realm,
          service: "test-registry",
          issuer: "test-issuer",
          rootCertBundle: `${dir}/token.crt`,
        },
      });
      try {
        const anon = new Registry(reg.host, { plainHttp: true, retry: { maxRetries: 0 } });
        await assertRejectsCode(
          () => anon.repository("team/app").resolve("v1"),
          "ERR_UNAUTHORIZED",
        );
        const wrong = new Registry(reg.host, {
          plainHttp: true,
          credentials: staticCredentials({ username: "bob", password: "nope" }),
        });
        const err = await assertRejectsCode(
          () => wrong.repository("team/app").resolve("v1"),
          "ERR_UNAUTHORIZED",
        );
        assert(!err.message.includes("nope"));

        const image = await smallImage("token");
        const src = new MemoryStore();
        for (const c of image) await src.push(c.desc, c.bytes);
        await src.tag(image[2]!.desc, "v1");
        tokens.requests.length = 0;
        const good = new Registry(reg.host, {
          plainHttp: true,
          credentials: staticCredentials({ username: "bob", password: SECRET }),
        });
        const repo = good.repository("team/app");
        await copy(src, "v1", repo, "v1");
        assertEquals((await repo.resolve("v1")).digest, image[2]!.desc.digest);
        assert(tokens.requests.every((r) => r.method === "GET"));
        // One token per scope set, reused across requests.
        const keys = tokens.requests.map((r) => [...r.scopes].sort().join(" "));
        assertEquals(new Set(keys).size, keys.length, `token requests: ${JSON.stringify(keys)}`);
        assert(tokens.requests.length <= 3, `token requests: ${JSON.stringify(keys)}`);

        tokens.requests.length = 0;
        const oauth = new Registry(reg.host, {
          plainHttp: true,
          credentials: staticCredentials({ identityToken: "refresh-" + SECRET }),
        });
        assertEquals(
          (await oauth.repository("team/app").resolve("v1")).digest,
          image[2]!.desc.digest,
        );
        assertEquals(tokens.requests.map((r) => r.grant), ["refresh_token"]);

        tokens.requests.length = 0;
        const password = new Registry(reg.host, {
          plainHttp: true,
          forceOAuth2: true,
          credentials: staticCredentials({ username: "bob", password: SECRET }),
        });
        const back = new MemoryStore();
        await copy(password.repository("team/app"), "v1", back, "v1");
        assertEquals(await back.exists(image[1]!.desc), true);
        assert(tokens.requests.every((r) => r.grant === "password"));
      } finally {
        await reg.stop();
      }
    } finally {
      await tokens.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
