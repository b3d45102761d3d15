/**
 * The PKI the verify tests share, made once per test file with the real openssl CLI: a trusted
 * root with several leaves (plain, with an emailAddress RDN, with two OUs) and an untrusted root
 * with its own leaf. All keys are EC P-256.
 *
 * @module
 */
import { CA_EXTENSIONS, LEAF_EXTENSIONS, OpensslPki } from "./_openssl_pki.ts";
import type { TestCert } from "./_openssl_pki.ts";

const DAY = 24 * 3600_000;

/** The shared certificates. */
export interface VerifyPki {
  pki: OpensslPki;
  root: TestCert;
  leaf: TestCert;
  emailLeaf: TestCert;
  twoOuLeaf: TestCert;
  otherRoot: TestCert;
  otherLeaf: TestCert;
}

/** Makes the PKI; call `pki.close()` when done. */
export async function makeVerifyPki(): Promise<VerifyPki> {
  const pki = await OpensslPki.create();
  const now = Date.now();
  const caWindow = { notBefore: new Date(now - 10 * DAY), notAfter: new Date(now + 10 * DAY) };
  const leafWindow = { notBefore: new Date(now - 2 * DAY), notAfter: new Date(now + 2 * DAY) };
  const root = await pki.cert({
    subject: "/C=US/ST=WA/O=wabbit-networks.io/CN=Wabbit Root",
    extensions: CA_EXTENSIONS,
    key: "ec:P-256",
    ...caWindow,
  });
  const leaf = await pki.cert({
    subject: "/C=US/ST=WA/L=Seattle/O=wabbit-networks.io/CN=signer",
    extensions: LEAF_EXTENSIONS,
    issuer: root,
    key: "ec:P-256",
    ...leafWindow,
  });
  const emailLeaf = await pki.cert({
    subject: "/C=US/ST=WA/O=wabbit-networks.io/CN=mail/emailAddress=a@wabbit-networks.io",
    extensions: LEAF_EXTENSIONS,
    issuer: root,
    key: "ec:P-256",
    ...leafWindow,
  });
  const twoOuLeaf = await pki.cert({
    subject: "/C=US/ST=WA/O=wabbit-networks.io/OU=a/OU=b/CN=ou",
    extensions: LEAF_EXTENSIONS,
    issuer: root,
    key: "ec:P-256",
    ...leafWindow,
  });
  const otherRoot = await pki.cert({
    subject: "/C=US/ST=WA/O=acme-rockets.io/CN=Acme Root",
    extensions: CA_EXTENSIONS,
    key: "ec:P-256",
    ...caWindow,
  });
  const otherLeaf = await pki.cert({
    subject: "/C=US/ST=WA/L=Seattle/O=wabbit-networks.io/CN=signer",
    extensions: LEAF_EXTENSIONS,
    issuer: otherRoot,
    key: "ec:P-256",
    ...leafWindow,
  });
  return { pki, root, leaf, emailLeaf, twoOuLeaf, otherRoot, otherLeaf };
}
