/**
 * A test PKI for every test that needs signatures: a CA root, an intermediate and a code-signing
 * leaf, with a ready {@linkcode LocalSigner}; broken leaves for negative tests. Keys and
 * certificates are made once per process and key spec, so tests stay fast; the shared RSA leaf
 * keys are read from `testdata/` (made once with openssl), as generating an RSA-4096 key takes
 * seconds. {@linkcode createTestLeaf} always makes a fresh key.
 *
 * @example
 * ```ts ignore
 * import { getTestPki } from "../_helpers/pki.ts";
 * const pki = await getTestPki();          // EC-256 leaf under intermediate and root
 * const envelope = await signEnvelope({ format: "jws", payload, signer: pki.signer });
 * // trust store: [pki.root]
 * ```
 * @module
 */
import type { Certificate } from "../../lib/x509/certificate.ts";
import { createCertificate, generateKeyPair } from "../../lib/x509/create_certificate.ts";
import type {
  CreateCertificateOptions,
  KeyGenerationSpec,
} from "../../lib/x509/create_certificate.ts";
import type { KeySpecName } from "../../lib/x509/key_spec.ts";
import { exportPrivateKeyPem } from "../../lib/x509/private_key.ts";
import { LocalSigner } from "../../lib/signature/signer.ts";
import { fromBase64 } from "../../lib/_internal/bytes.ts";

const CODE_SIGNING = "1.3.6.1.5.5.7.3.3";
const HOUR = 3600 * 1000;

/** A CA (root or intermediate) with its key. */
export interface TestCa {
  certificate: Certificate;
  keys: CryptoKeyPair;
}

/** A signing identity: chain (leaf first, root last), its key and a signer. */
export interface TestIdentity {
  /** Leaf, intermediate, root. */
  chain: Certificate[];
  leaf: Certificate;
  /** PKCS#8 PEM of the leaf key. */
  keyPem: string;
  /** PEM of the whole chain, leaf first. */
  chainPem: string;
  /** A signer, when the leaf key fits a Notary key spec. */
  signer: LocalSigner | undefined;
}

/** The shared PKI of one key spec. */
export interface TestPki extends TestIdentity {
  /** The leaf's signer. */
  signer: LocalSigner;
  root: Certificate;
  intermediate: Certificate;
  rootCa: TestCa;
  intermediateCa: TestCa;
}

const cache = new Map<string, Promise<TestPki>>();
let rootPromise: Promise<{ root: TestCa; intermediate: TestCa }> | undefined;

function now(): Date {
  return new Date(Math.floor(Date.now() / 1000) * 1000);
}

async function makeCas(): Promise<{ root: TestCa; intermediate: TestCa }> {
  const t = now();
  const rootKeys = await generateKeyPair("EC-384");
  const root = await createCertificate({
    subject: "C=US, ST=WA, L=Seattle, O=Ocisign Test, CN=Ocisign Test Root",
    publicKey: rootKeys.publicKey,
    privateKey: rootKeys.privateKey,
    notBefore: new Date(t.getTime() - HOUR),
    notAfter: new Date(t.getTime() + 240 * HOUR),
    basicConstraints: { ca: true, critical: true },
    keyUsage: { usages: ["keyCertSign", "cRLSign"] },
  });
  const intKeys = await generateKeyPair("EC-256");
  const intermediate = await createCertificate({
    subject: "C=US, ST=WA, L=Seattle, O=Ocisign Test, CN=Ocisign Test Intermediate",
    publicKey: intKeys.publicKey,
    issuer: { certificate: root, privateKey: rootKeys.privateKey },
    notBefore: new Date(t.getTime() - HOUR),
    notAfter: new Date(t.getTime() + 240 * HOUR),
    basicConstraints: { ca: true, pathLength: 0, critical: true },
    keyUsage: { usages: ["keyCertSign", "cRLSign"] },
  });
  return {
    root: { certificate: root, keys: rootKeys },
    intermediate: { certificate: intermediate, keys: intKeys },
  };
}

/** The shared root and intermediate CAs. */
export function getTestCas(): Promise<{ root: TestCa; intermediate: TestCa }> {
  rootPromise ??= makeCas();
  return rootPromise;
}

/** Leaf certificate options that may be overridden to build broken leaves. */
export type LeafOverrides =
  & Partial<
    Pick<
      CreateCertificateOptions,
      | "subject"
      | "notBefore"
      | "notAfter"
      | "basicConstraints"
      | "keyUsage"
      | "extendedKeyUsage"
      | "signatureHash"
    >
  >
  & {
    /** Key of the leaf (default EC-256). */
    key?: KeyGenerationSpec;
    /** A key pair to certify instead of a fresh one of `key`. */
    keys?: CryptoKeyPair;
    /** Omit the keyUsage extension entirely. */
    noKeyUsage?: boolean;
    /** Omit the extendedKeyUsage extension entirely. */
    noExtendedKeyUsage?: boolean;
  };

/**
 * Issues a leaf under the shared intermediate, with overrides for negative tests. The signer is
 * only created when the key fits a Notary key spec.
 */
export async function createTestLeaf(overrides: LeafOverrides = {}): Promise<TestIdentity> {
  const cas = await getTestCas();
  const keys = overrides.keys ?? await generateKeyPair(overrides.key ?? "EC-256");
  const t = now();
  const options: CreateCertificateOptions = {
    subject: overrides.subject ?? "C=US, ST=WA, L=Seattle, O=Ocisign Test, CN=Ocisign Test Signer",
    publicKey: keys.publicKey,
    issuer: {
      certificate: cas.intermediate.certificate,
      privateKey: cas.intermediate.keys.privateKey,
    },
    notBefore: overrides.notBefore ?? new Date(t.getTime() - HOUR),
    notAfter: overrides.notAfter ?? new Date(t.getTime() + 48 * HOUR),
    keyUsage: overrides.keyUsage ?? { usages: ["digitalSignature"] },
    extendedKeyUsage: overrides.extendedKeyUsage ?? { oids: [CODE_SIGNING] },
  };
  if (overrides.noKeyUsage) delete options.keyUsage;
  if (overrides.noExtendedKeyUsage) delete options.extendedKeyUsage;
  if (overrides.basicConstraints) options.basicConstraints = overrides.basicConstraints;
  if (overrides.signatureHash) options.signatureHash = overrides.signatureHash;
  const leaf = await createCertificate(options);
  const chain = [leaf, cas.intermediate.certificate, cas.root.certificate];
  const keyPem = await exportPrivateKeyPem(keys.privateKey);
  let signer: LocalSigner | undefined;
  try {
    signer = await LocalSigner.create({ privateKey: keyPem, certificateChain: chain });
  } catch {
    signer = undefined;
  }
  return {
    chain,
    leaf,
    keyPem,
    chainPem: chain.map((c) => c.toPem()).join(""),
    signer,
  };
}

/** Bits of the RSA leaf keys kept in testdata/. */
const FIXED_RSA_BITS: Partial<Record<KeySpecName, number>> = {
  "RSA-2048": 2048,
  "RSA-3072": 3072,
  "RSA-4096": 4096,
};

/** The fixed RSA key pair of `bits`, as `generateKeyPair` makes them (extractable). */
async function fixedRsaKeyPair(bits: number): Promise<CryptoKeyPair> {
  return await importRsaKeyPair(
    await Deno.readTextFile(new URL(`./testdata/test_rsa_${bits}.key`, import.meta.url)),
  );
}

/**
 * The key pair of an RSA PKCS#8 PEM key, as `generateKeyPair` makes them: RSASSA-PKCS1-v1_5 with
 * SHA-256, extractable.
 */
export async function importRsaKeyPair(pem: string): Promise<CryptoKeyPair> {
  const der = fromBase64(pem.replace(/-----[^-]+-----|\s/g, ""));
  const params = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  const privateKey = await crypto.subtle.importKey("pkcs8", der, params, true, ["sign"]);
  const { kty, n, e } = await crypto.subtle.exportKey("jwk", privateKey);
  const publicKey = await crypto.subtle.importKey("jwk", { kty, n, e }, params, true, ["verify"]);
  return { privateKey, publicKey };
}

/**
 * The shared PKI for a leaf key spec (default EC-256): root (EC P-384) → intermediate
 * (EC P-256, pathLen 0) → leaf (digitalSignature, codeSigning), valid from an hour ago.
 */
export function getTestPki(keySpec: KeySpecName = "EC-256"): Promise<TestPki> {
  let p = cache.get(keySpec);
  if (!p) {
    p = (async () => {
      const cas = await getTestCas();
      const bits = FIXED_RSA_BITS[keySpec];
      const keys = bits === undefined ? undefined : await fixedRsaKeyPair(bits);
      const id = await createTestLeaf({ key: keySpec, ...(keys ? { keys } : {}) });
      if (!id.signer) throw new Error(`cannot make a ${keySpec} test signer`);
      return {
        ...id,
        signer: id.signer,
        root: cas.root.certificate,
        intermediate: cas.intermediate.certificate,
        rootCa: cas.root,
        intermediateCa: cas.intermediate,
      };
    })();
    cache.set(keySpec, p);
  }
  return p;
}
