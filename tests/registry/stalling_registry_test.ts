import { assert, assertEquals, assertRejectsCode } from "../_helpers/assert.ts";
import { cliSandbox } from "../_helpers/cli.ts";
import { within } from "../_helpers/deadline.ts";
import { distributionAvailable, startDistribution } from "../_helpers/distribution.ts";
import { fetchAll } from "../../lib/content/fetch_all.ts";
import { digestBytes } from "../../lib/digest/digest_bytes.ts";
import { Registry } from "../../lib/registry/registry.ts";
import type { Repository } from "../../lib/registry/repository.ts";
import { type Content, signature, smallImage } from "./_fixtures.ts";
import { type Lie, startLyingProxy } from "./_lying_proxy.ts";

const NO_DISTRIBUTION = !distributionAvailable();
const FAST_RETRY = { maxRetries: 1, baseDelayMs: 5, maxDelayMs: 20 };
/** How long a test waits before it calls the command hung (far above the 400 ms timeout). */
const HANG = 30_000;

async function withStallingRegistry(
  fn: (ctx: {
    image: Content[];
    proxyHost: string;
    directHost: string;
    setLie(l: Lie | undefined): void;
    repo(name: string): Repository;
  }) => Promise<void>,
): Promise<void> {
  const reg = await startDistribution();
  const proxy = startLyingProxy(reg.url);
  try {
    const image = await smallImage("stalls", 200_000);
    const direct = new Registry(reg.host, { plainHttp: true }).repository("src");
    for (const c of image) await direct.push(c.desc, c.bytes);
    await direct.tag(image[2]!.desc, "v1");
    await fn({
      image,
      proxyHost: proxy.host,
      directHost: reg.host,
      setLie: (l) => proxy.lie = l,
      repo: (name) =>
        new Registry(proxy.host, { plainHttp: true, timeoutMs: 400, retry: FAST_RETRY })
          .repository(name),
    });
  } finally {
    await proxy.stop();
    await reg.stop();
  }
}

for (const [where, after] of [["after the headers", 0], ["mid-body", 100_000]] as const) {
  Deno.test({
    name: `Repository.fetch() of a blob whose body stalls ${where} fails with ERR_TIMEOUT`,
    ignore: NO_DISTRIBUTION,
    fn: () =>
      withStallingRegistry(async ({ image, proxyHost, setLie, repo }) => {
        const layer = image[1]!.desc;
        setLie({ kind: "stall", path: `/blobs/${layer.digest}`, after });
        const err = await within(
          assertRejectsCode(
            () => fetchAll(repo("src"), layer, { maxBytes: 1 << 20 }),
            "ERR_TIMEOUT",
          ),
          HANG,
          "the timeout",
        );
        assert(
          err.message.includes(`GET http://${proxyHost}/v2/src/blobs/${layer.digest}`),
          err.message,
        );
        assert(err.message.includes("OCISIGN_REGISTRY_TIMEOUT"), err.message);
      }),
  });
}

Deno.test({
  name: "Repository.fetchManifest() fails with ERR_TIMEOUT when the manifest body never comes",
  ignore: NO_DISTRIBUTION,
  fn: () =>
    withStallingRegistry(async ({ setLie, repo }) => {
      setLie({ kind: "stall", path: "/manifests/v1", after: 0 });
      await within(
        assertRejectsCode(() => repo("src").fetchManifest("v1"), "ERR_TIMEOUT"),
        HANG,
        "the timeout",
      );
    }),
});

Deno.test({
  name: "Repository.push() of a stream fails with ERR_TIMEOUT when the registry stops reading it",
  ignore: NO_DISTRIBUTION,
  fn: () =>
    withStallingRegistry(async ({ setLie, repo }) => {
      // Larger than every socket buffer between the client and the proxy.
      const bytes = crypto.getRandomValues(new Uint8Array(64 * 1024)).slice();
      const big = new Uint8Array(32 << 20);
      for (let off = 0; off < big.length; off += bytes.length) big.set(bytes, off);
      const desc = {
        mediaType: "application/octet-stream",
        digest: await digestBytes(big),
        size: big.length,
      };
      setLie({ kind: "stall-upload" });
      await within(
        assertRejectsCode(
          () => repo("dst").push(desc, new Blob([big]).stream()),
          "ERR_TIMEOUT",
        ),
        HANG,
        "the timeout",
      );
    }),
});

Deno.test({
  name: "cp and verify from a registry that stalls exit 7 within OCISIGN_REGISTRY_TIMEOUT",
  ignore: NO_DISTRIBUTION,
  fn: () =>
    withStallingRegistry(async ({ image, proxyHost, directHost, setLie }) => {
      const sb = await cliSandbox();
      try {
        await Deno.mkdir(sb.configDir, { recursive: true });
        await Deno.writeTextFile(
          `${sb.configDir}/trustpolicy.json`,
          JSON.stringify({
            version: "1.0",
            trustPolicies: [{
              name: "p",
              registryScopes: ["*"],
              signatureVerification: { level: "strict" },
              trustStores: ["ca:x"],
              trustedIdentities: ["*"],
            }],
          }),
        );
        const env = { OCISIGN_REGISTRY_TIMEOUT: "0.4" };
        setLie({ kind: "stall", path: `/blobs/${image[1]!.desc.digest}`, after: 1000 });
        const cp = await within(
          sb.runWith(
            { env },
            "cp",
            "--plain-http",
            `${proxyHost}/src:v1`,
            "--to-oci-layout",
            "./o:v1",
          ),
          HANG,
          "cp's exit",
        );
        assertEquals(cp.code, 7, cp.stderr);
        assert(cp.stderr.includes(`/v2/src/blobs/${image[1]!.desc.digest}`), cp.stderr);

        // verify resolves with HEAD, then reads the referrers index (the tag schema on
        // Distribution 2.8): its body never comes.
        const subject = image[2]!.desc;
        const direct = new Registry(directHost, { plainHttp: true }).repository("src");
        for (const c of await signature(subject, "sig")) await direct.push(c.desc, c.bytes);
        setLie({ kind: "stall", path: `/manifests/${subject.digest.replace(":", "-")}`, after: 0 });
        const verify = await within(
          sb.runWith({ env }, "verify", "--plain-http", `${proxyHost}/src:v1`),
          HANG,
          "verify's exit",
        );
        assertEquals(verify.code, 7, verify.stderr);
        assert(verify.stderr.includes("/v2/src/manifests/sha256-"), verify.stderr);

        const bad = await sb.runWith(
          { env: { OCISIGN_REGISTRY_TIMEOUT: "soon" } },
          "verify",
          "--plain-http",
          `${proxyHost}/src:v1`,
        );
        assertEquals(bad.code, 4, bad.stderr);
        assert(bad.stderr.includes("OCISIGN_REGISTRY_TIMEOUT"), bad.stderr);
      } finally {
        await sb.close();
      }
    }),
});

Deno.test("a token service that sends its headers and then nothing fails the request with ERR_TIMEOUT", async () => {
  const ac = new AbortController();
  const gone = new Promise<void>((resolve) => ac.signal.addEventListener("abort", () => resolve()));
  let self = "";
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
    (req) => {
      if (new URL(req.url).pathname === "/token") {
        const body = new ReadableStream<Uint8Array>({
          async pull(controller) {
            await gone;
            controller.close();
          },
        });
        return new Response(body, { headers: { "content-type": "application/json" } });
      }
      return new Response(null, {
        status: 401,
        headers: { "www-authenticate": `Bearer realm="http://${self}/token",service="s"` },
      });
    },
  );
  self = `127.0.0.1:${server.addr.port}`;
  try {
    const reg = new Registry(self, { plainHttp: true, timeoutMs: 400, retry: FAST_RETRY });
    const err = await within(
      assertRejectsCode(() => reg.ping(), "ERR_TIMEOUT"),
      HANG,
      "the timeout",
    );
    assert(err.message.includes(`GET http://${self}/token`), err.message);
  } finally {
    ac.abort();
    await server.finished;
  }
});
