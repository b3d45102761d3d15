import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { resolveHost } from "../../lib/runtime/resolve_host.ts";
import { checkRealm, isNonPublicIpLiteral } from "../../lib/registry/_realm_guard.ts";
import { Registry } from "../../lib/registry/registry.ts";
import { staticCredentials } from "../../lib/registry/credentials.ts";

Deno.test("isNonPublicIpLiteral() knows loopback, link-local, private and unspecified, v4 and v6", () => {
  const hostname = (url: string): string => new URL(url).hostname;
  for (
    const url of [
      "http://127.0.0.1/",
      "http://127.9.9.9/",
      "http://2130706433/", // 127.0.0.1 spelled as a number, normalised by the URL parser
      "http://0x7f.1/",
      "http://10.1.2.3/",
      "http://172.16.0.1/",
      "http://172.31.255.255/",
      "http://192.168.1.1/",
      "http://169.254.169.254/",
      "http://0.0.0.0/",
      "http://[::1]/",
      "http://[::]/",
      "http://[fe80::1]/",
      "http://[fd00:ec2::254]/",
      "http://[fc00::1]/",
      "http://[::ffff:127.0.0.1]/",
      "http://[::ffff:a9fe:a9fe]/",
    ]
  ) assert(isNonPublicIpLiteral(hostname(url)), `${url} should be non-public`);
  for (
    const url of [
      "https://auth.docker.io/token",
      "http://localhost/",
      "http://8.8.8.8/",
      "http://172.32.0.1/",
      "http://192.169.0.1/",
      "http://[2001:db8::1]/",
      "http://[::ffff:8.8.8.8]/",
      "http://[fec0::1]/",
    ]
  ) assert(!isNonPublicIpLiteral(hostname(url)), `${url} should be public`);
});

Deno.test("checkRealm() refuses other schemes, https downgrades and non-public hosts other than the registry's", async () => {
  const https = new URL("https://registry.example.com");
  const local = new URL("http://127.0.0.1:5000");
  await checkRealm(new URL("https://auth.example.com/token"), https, "registry.example.com");
  await checkRealm(new URL("http://127.0.0.1:5001/token"), local, "127.0.0.1:5000");
  const named = new URL("http://localhost:5000");
  await checkRealm(new URL("http://localhost:5001/token"), named, "localhost:5000");
  const refused = [
    [new URL("ftp://auth.example.com/token"), https, "unsupported scheme"],
    [new URL("http://auth.example.com/token"), https, "not https"],
    [new URL("https://169.254.169.254/latest"), https, "link-local"],
    [new URL("http://127.0.0.2:5001/token"), local, "127.0.0.2"],
    [new URL("http://[::1]:5001/token"), local, "[::1]"],
    // Names for loopback (RFC 6761) are known without a resolver.
    [new URL("http://localhost:5001/token"), local, "a name for a loopback"],
    [new URL("http://auth.localhost./token"), local, "auth.localhost."],
  ] as const;
  for (const [realm, base, words] of refused) {
    const err = await assertRejectsCode(
      () => checkRealm(realm, base, base.host),
      "ERR_UNAUTHORIZED",
    );
    assert(err.message.includes(words), err.message);
  }
});

Deno.test("checkRealm() resolves names: one that leads into the user's network is refused", async () => {
  const registry = new URL("https://registry.example.com");
  const dns: Record<string, string[]> = {
    "auth.example.com": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    "metadata.evil.example": ["169.254.169.254"],
    "mixed.evil.example": ["8.8.8.8", "fd00::1"],
  };
  const resolve = (name: string) => Promise.resolve(dns[name] ?? []);
  await checkRealm(
    new URL("https://auth.example.com/t"),
    registry,
    "registry.example.com",
    resolve,
  );
  for (const host of ["metadata.evil.example", "mixed.evil.example"]) {
    const err = await assertRejectsCode(
      () => checkRealm(new URL(`https://${host}/t`), registry, "registry.example.com", resolve),
      "ERR_UNAUTHORIZED",
    );
    assert(err.message.includes(`${host}, a name for a loopback`), err.message);
  }
});

Deno.test("resolveHost() resolves localhost to loopback with the system resolver", async () => {
  const addresses = await resolveHost("localhost");
  assert(addresses.length > 0);
  assert(
    addresses.every((a) => isNonPublicIpLiteral(a.includes(":") ? `[${a}]` : a)),
    `${addresses}`,
  );
});

/** A registry that challenges every request with `realm`, and a token service that counts. */
function startHostileRegistry(realm: (token: URL, self: string) => string): {
  host: string;
  tokenRequests: () => number;
  registryRequests: () => number;
  stop: () => Promise<void>;
} {
  let tokenHits = 0;
  let registryHits = 0;
  const tokens = Deno.serve(
    { hostname: "127.0.0.2", port: 0, onListen: () => {} },
    () => {
      tokenHits++;
      return Response.json({ token: "stolen" });
    },
  );
  const tokenUrl = new URL(`http://127.0.0.2:${tokens.addr.port}/token`);
  let self = "";
  const registry = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    registryHits++;
    const url = new URL(req.url);
    if (url.pathname === "/redirect") return Response.redirect(tokenUrl, 302);
    if (req.headers.get("authorization") === "Bearer pre-minted") return new Response("{}");
    return new Response("unauthorized", {
      status: 401,
      headers: { "www-authenticate": `Bearer realm="${realm(tokenUrl, self)}",service="hostile"` },
    });
  });
  self = `127.0.0.1:${registry.addr.port}`;
  return {
    host: self,
    tokenRequests: () => tokenHits,
    registryRequests: () => registryHits,
    stop: async () => {
      await registry.shutdown();
      await tokens.shutdown();
    },
  };
}

Deno.test("Registry never contacts a token realm the registry points into another private address", async () => {
  const hostile = startHostileRegistry((token) => token.href);
  try {
    const reg = new Registry(hostile.host, {
      plainHttp: true,
      credentials: staticCredentials({ username: "alice", password: "secret" }),
      retry: { maxRetries: 0 },
    });
    const err = await assertRejectsCode(() => reg.ping(), "ERR_UNAUTHORIZED");
    assert(err.message.includes("127.0.0.2"), err.message);
    assert(!err.message.includes("secret"));
    assertEquals(hostile.tokenRequests(), 0);
  } finally {
    await hostile.stop();
  }
});

Deno.test("Registry refuses a token service redirect into another private address", async () => {
  // The realm is on the registry's own host (allowed), but it redirects to 127.0.0.2.
  const hostile = startHostileRegistry((_token, self) => `http://${self}/redirect`);
  try {
    const reg = new Registry(hostile.host, { plainHttp: true, retry: { maxRetries: 0 } });
    const err = await assertRejectsCode(() => reg.ping(), "ERR_UNAUTHORIZED");
    assert(err.message.includes("127.0.0.2"), err.message);
    assertEquals(hostile.tokenRequests(), 0);
    assertEquals(hostile.registryRequests(), 2, "the ping, then the realm on the registry host");
  } finally {
    await hostile.stop();
  }
});

Deno.test("Registry with a pre-minted registry token does not need (or check) the realm", async () => {
  const hostile = startHostileRegistry((token) => token.href);
  try {
    const reg = new Registry(hostile.host, {
      plainHttp: true,
      credentials: staticCredentials({ registryToken: "pre-minted" }),
      retry: { maxRetries: 0 },
    });
    await reg.ping();
    assertEquals(hostile.tokenRequests(), 0);
  } finally {
    await hostile.stop();
  }
});

for (const resolver of [undefined, resolveHost]) {
  Deno.test(
    `Registry on 127.0.0.1 never sends credentials to a realm on localhost:other-port (${
      resolver === undefined ? "no resolver" : "system resolver"
    })`,
    async () => {
      // The token service listens on loopback, reached by name from a registry on an IP literal.
      let tokenHits = 0;
      const tokens = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => {
        tokenHits++;
        return Response.json({ token: "stolen" });
      });
      const registry = Deno.serve(
        { hostname: "127.0.0.1", port: 0, onListen: () => {} },
        () =>
          new Response("unauthorized", {
            status: 401,
            headers: {
              "www-authenticate":
                `Bearer realm="http://localhost:${tokens.addr.port}/token",service="x"`,
            },
          }),
      );
      try {
        const reg = new Registry(`127.0.0.1:${registry.addr.port}`, {
          plainHttp: true,
          credentials: staticCredentials({ username: "alice", password: "secret" }),
          retry: { maxRetries: 0 },
          ...(resolver === undefined ? {} : { resolveHost: resolver }),
        });
        const err = await assertRejectsCode(() => reg.ping(), "ERR_UNAUTHORIZED");
        assert(err.message.includes("localhost"), err.message);
        assert(!err.message.includes("secret"));
        assertEquals(tokenHits, 0);
      } finally {
        await registry.shutdown();
        await tokens.shutdown();
      }
    },
  );
}
