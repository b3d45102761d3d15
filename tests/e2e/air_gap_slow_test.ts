/**
 * The README's air gap, walked with the compiled binary (heavy: it compiles the binary, so it runs
 * with `deno task test:slow`): on the connected side an image goes from a registry into a layout
 * tar with its referrers; on the signing station, whose key is in a SoftHSM token, the binary
 * makes the token's test certificate, signs inside the tar, lists and verifies it (also from
 * standard input), and signs and verifies a blob, each under `strace`, which must see no
 * Internet socket opened (nothing reaches out unasked: no update check, no revocation lookup for
 * a chain that names no URL); back on the connected side the tar goes to the registry, where
 * the signature verifies. A wrong PIN fails with exit 6, says what to do, and is never printed.
 * Needs bun, softhsm2, opensc and strace.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { describeRun } from "../_helpers/e2e.ts";
import { findPeer, type PeerResult, runPeer } from "../_helpers/peers.ts";
import { bunCompileArgs } from "../_helpers/bun.ts";
import { NO_SOFTHSM, SOFTHSM_MODULE, TOKEN, withSoftHsm } from "../pkcs11/_softhsm.ts";
import { serveRegistry } from "../server/_fixture.ts";

const BUN = findPeer("bun");
const STRACE = findPeer("strace");
const REPO_ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const URI = `pkcs11:token=${TOKEN.label};object=station-key`;

/** The trust policy of both sides: the token's test certificate, for the tar and the registry. */
function trustPolicy(registry: string): string {
  return JSON.stringify({
    version: "1.0",
    trustPolicies: [{
      name: "app",
      registryScopes: ["local/app", `${registry}/app`],
      signatureVerification: { level: "strict" },
      trustStores: ["ca:station"],
      trustedIdentities: ["*"],
    }],
  });
}

/** The `socket()` calls for Internet addresses in an strace log (`AF_INET`, `AF_INET6`). */
async function internetSockets(log: string): Promise<string[]> {
  const text = await Deno.readTextFile(log);
  return text.split("\n").filter((l) => /socket\(AF_INET6?,/.test(l));
}

Deno.test({
  name: "air gap: registry to tar, the station signs with a token offline, tar back to registry",
  ignore: BUN === undefined || STRACE === undefined || NO_SOFTHSM !== false,
  sanitizeResources: false,
  fn: () =>
    withSoftHsm(async (hsm) => {
      await hsm.keypair("station-key", "01", "EC:prime256v1");
      const dir = hsm.dir;
      const binary = `${dir}/ocisign`;
      const built = await runPeer(BUN!, bunCompileArgs(binary), { cwd: REPO_ROOT });
      assertEquals(built.code, 0, describeRun(built));
      const cwd = `${dir}/work`;
      await Deno.mkdir(`${cwd}/ctx`, { recursive: true });
      await Deno.writeTextFile(`${cwd}/ctx/app.txt`, "air-gapped\n");
      await Deno.writeTextFile(`${cwd}/ctx/Dockerfile`, "FROM scratch\nCOPY app.txt /\n");
      await Deno.writeTextFile(`${cwd}/release.txt`, "a file carried across\n");
      const env = {
        ...hsm.env,
        HOME: dir,
        OCISIGN_CONFIG_DIR: `${dir}/config`,
        OCISIGN_PKCS11_MODULE: SOFTHSM_MODULE!,
        NO_COLOR: "1",
      };
      const run = (extra: Record<string, string>, ...args: string[]) =>
        runPeer(binary, args, { cwd, env: { ...env, ...extra } });
      const ok = (r: PeerResult, what: string) =>
        assertEquals(r.code, 0, `${what}: ${describeRun(r)}`);

      const reg = await serveRegistry();
      try {
        const image = `${reg.address}/app:v1`;
        await Deno.mkdir(`${dir}/config`, { recursive: true });
        await Deno.writeTextFile(`${dir}/config/trustpolicy.json`, trustPolicy(reg.address));

        // Connected side: the image reaches the registry, then comes out as a layout tar.
        ok(await run({}, "build", "-t", "app:v1", "-o", "./built", "ctx"), "build");
        ok(
          await run({}, "cp", "-r", "--from-oci-layout", "./built:v1", "--to-plain-http", image),
          "push",
        );
        ok(
          await run({}, "cp", "-r", "--from-plain-http", image, "--to-oci-layout", "./app.tar"),
          "to tar",
        );

        // The station: every step traced; none may open an Internet socket.
        const offline = async (what: string, pin: boolean, ...args: string[]) => {
          const log = `${dir}/strace-${what.replaceAll(" ", "-")}.log`;
          const r = await runPeer(STRACE!, [
            "-f",
            "-qq",
            "-e",
            "trace=socket",
            "-o",
            log,
            binary,
            ...args,
          ], {
            cwd,
            env: pin ? { ...env, OCISIGN_PKCS11_PIN: TOKEN.pin } : env,
          });
          ok(r, what);
          assertEquals(await internetSockets(log), [], `${what} opened an Internet socket`);
          assert(
            !r.stdout.includes(TOKEN.pin) && !r.stderr.includes(TOKEN.pin),
            `${what} printed the PIN`,
          );
          return r;
        };
        await offline(
          "cert generate-test",
          true,
          "cert",
          "generate-test",
          "station",
          "--default",
          "--pkcs11",
          URI,
        );
        await offline("sign the tar", true, "sign", "--oci-layout", "./app.tar:v1");
        const listed = await offline("list the tar", false, "list", "--oci-layout", "./app.tar:v1");
        assert.match(listed.stdout, /application\/vnd\.cncf\.notary\.signature/);
        await offline(
          "verify the tar",
          false,
          "verify",
          "--oci-layout",
          "./app.tar:v1",
          "--scope",
          "local/app",
        );
        await offline("blob sign", true, "blob", "sign", "release.txt");
        await offline(
          "blob policy init",
          false,
          "blob",
          "policy",
          "init",
          "--name",
          "station",
          "--trust-store",
          "ca:station",
          "--trusted-identity",
          "*",
          "--global",
        );
        await offline(
          "blob verify",
          false,
          "blob",
          "verify",
          "--signature",
          "release.txt.jws.sig",
          "release.txt",
        );
        const fromStdin = await runPeer("sh", [
          "-c",
          `${STRACE} -f -qq -e trace=socket -o ${dir}/strace-stdin.log ${binary} verify --oci-layout --scope local/app - < app.tar`,
        ], { cwd, env });
        ok(fromStdin, "verify the tar from stdin");
        assertEquals(await internetSockets(`${dir}/strace-stdin.log`), []);

        // A wrong PIN: exit 6, what to do, and neither PIN printed.
        const wrong = await run(
          { OCISIGN_PKCS11_PIN: "9999" },
          "sign",
          "--oci-layout",
          "./app.tar:v1",
        );
        assertEquals(wrong.code, 6, describeRun(wrong));
        assert.match(wrong.stderr, /PIN/, describeRun(wrong));
        assert(
          !wrong.stderr.includes("9999") && !wrong.stdout.includes("9999"),
          describeRun(wrong),
        );

        // Connected side: image and signature back to the registry, verified there.
        ok(
          await run({}, "cp", "-r", "--from-oci-layout", "./app.tar:v1", "--to-plain-http", image),
          "push back",
        );
        const verified = await run({}, "verify", "--plain-http", image);
        ok(verified, "verify in the registry");
        assert.match(verified.stdout, /Successfully verified signature/);
      } finally {
        await reg.close();
      }
    }, { inProcess: false }),
});
