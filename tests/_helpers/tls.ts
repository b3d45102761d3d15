/**
 * A test CA and a server certificate for 127.0.0.1 and localhost, made by real `openssl`.
 *
 * @module
 */
import { assertEquals } from "./assert.ts";
import { runPeer } from "./peers.ts";

/** Paths of the files {@linkcode makeServerCertificate} writes. */
export interface ServerCertificate {
  /** The CA certificate (PEM), to trust. */
  caPath: string;
  /** The server certificate (PEM). */
  certPath: string;
  /** The server's private key (PEM). */
  keyPath: string;
}

/**
 * Writes `ca.pem`, `cert.pem` and `key.pem` into `dir` with `openssl`.
 * @param openssl The openssl binary.
 * @param dir An existing directory.
 */
export async function makeServerCertificate(
  openssl: string,
  dir: string,
): Promise<ServerCertificate> {
  const run = async (...args: string[]): Promise<void> => {
    const r = await runPeer(openssl, args, { cwd: dir });
    assertEquals(r.code, 0, r.stderr);
  };
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  await run(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "1",
    "-subj",
    "/CN=ocisign test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign",
  );
  await run("req", ...ec, "-keyout", "key.pem", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
  await Deno.writeTextFile(
    `${dir}/ext.cnf`,
    "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
  );
  await run(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "cert.pem",
    "-days",
    "1",
    "-extfile",
    "ext.cnf",
  );
  return { caPath: `${dir}/ca.pem`, certPath: `${dir}/cert.pem`, keyPath: `${dir}/key.pem` };
}
