/**
 * Shared set-up of the `sign --timestamp-url` tests: a signing chain made with real `openssl`
 * (valid since an hour ago, so that a timestamp lies inside it) added as key `stamped` and as the
 * `ca:wabbit-networks.io` trust store, and a snapshot of a layout to show that a failed sign
 * wrote nothing.
 */
import type { CliSandbox } from "../_helpers/cli.ts";
import { ok } from "../cli/commands/_fixture.ts";
import { CA_EXTENSIONS, LEAF_EXTENSIONS } from "../verify/_openssl_pki.ts";
import type { OpensslPki, TestCert } from "../verify/_openssl_pki.ts";

/** Every file under `dir` with its bytes. */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (rel: string): Promise<void> => {
    for await (const e of Deno.readDir(`${dir}/${rel}`)) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) await walk(path);
      else out[path] = new TextDecoder().decode(await Deno.readFile(`${dir}/${path}`));
    }
  };
  await walk("");
  return out;
}

/**
 * Makes a root and a leaf in `pki`, adds the leaf as signing key `stamped` and the root
 * to trust store `ca:wabbit-networks.io` in the sandbox's config.
 */
export async function addStampedKey(
  sb: CliSandbox,
  pki: OpensslPki,
): Promise<{ root: TestCert; leaf: TestCert }> {
  const root = await pki.cert({ subject: "/O=wabbit/CN=Signing Root", extensions: CA_EXTENSIONS });
  const leaf = await pki.cert({
    subject: "/O=wabbit/CN=signer",
    extensions: LEAF_EXTENSIONS,
    issuer: root,
  });
  await Deno.writeTextFile(`${sb.cwd}/chain.pem`, leaf.pem + root.pem);
  const key = `${pki.dir}/${leaf.keyFile}`;
  ok(await sb.run("key", "add", "stamped", "--key", key, "--cert", "./chain.pem"));
  ok(
    await sb.run(
      "cert",
      "add",
      "--type",
      "ca",
      "--store",
      "wabbit-networks.io",
      `${pki.dir}/${root.certFile}`,
    ),
  );
  return { root, leaf };
}

/**
 * Adds `rootCertFile` as trust store `tsa:tsa` and writes `./tsa-policy.json`: a strict policy
 * for `local/hello-world` trusting `ca:wabbit-networks.io` and `tsa:tsa` (imported by the tests
 * that need it).
 */
export async function trustTsa(sb: CliSandbox, rootCertFile: string): Promise<void> {
  ok(await sb.run("cert", "add", "--type", "tsa", "--store", "tsa", rootCertFile));
  await Deno.writeTextFile(
    `${sb.cwd}/tsa-policy.json`,
    JSON.stringify({
      version: "1.0",
      trustPolicies: [{
        name: "stamped",
        registryScopes: ["local/hello-world"],
        signatureVerification: { level: "strict" },
        trustStores: ["ca:wabbit-networks.io", "tsa:tsa"],
        trustedIdentities: ["*"],
      }],
    }),
  );
}
