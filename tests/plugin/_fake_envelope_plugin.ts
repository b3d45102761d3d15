/**
 * A real notation plugin process that builds whole envelopes (`SIGNATURE_GENERATOR.ENVELOPE`,
 * as AWS Signer does) with ocisign's own envelope code and a PEM key file, or lies the way
 * `pluginConfig.lie` asks: `other-payload`, `bad-signature`, `other-type`, `junk`, `oversized`,
 * `expiry`. pluginConfig: `key` (PKCS#8 PEM), `cert` (PEM chain); `minVersion` names this plugin
 * as the signature's verification plugin (with a critical `io.example.tier` attribute).
 *
 * It is also a verification plugin (`SIGNATURE_VERIFIER.*`) whose `verify-signature` answer the
 * verifier's `--plugin-config` picks: `verify` = `trusted` (default), `untrusted`, `revoked`,
 * `unprocessed`, `no-result`, `junk`, `exit`, `hang`; `version` (default 1.0.0); `caps` = `none` for no
 * verifier capability; `record` = a file the request is written to.
 */
import { fromBase64, toBase64 } from "../../lib/_internal/bytes.ts";
import { createPayload } from "../../lib/signature/payload.ts";
import { signEnvelope } from "../../lib/signature/sign_envelope.ts";
import { LocalSigner } from "../../lib/signature/signer.ts";

const command = Deno.args[0];
const name = Deno.env.get("FAKE_PLUGIN_NAME") ?? "fake";
const request = JSON.parse(await new Response(Deno.stdin.readable).text() || "{}");
const config: Record<string, string> = request.pluginConfig ?? {};
const lie = config.lie ?? "";

function answer(value: unknown): void {
  Deno.stdout.writeSync(new TextEncoder().encode(JSON.stringify(value)));
}

if (command === "get-plugin-metadata") {
  answer({
    name,
    description: "test envelope plugin",
    version: config.version ?? "1.0.0",
    url: "https://example.test",
    supportedContractVersions: ["1.0"],
    capabilities: config.caps === "none" ? ["SIGNATURE_GENERATOR.ENVELOPE"] : [
      "SIGNATURE_GENERATOR.ENVELOPE",
      "SIGNATURE_VERIFIER.TRUSTED_IDENTITY",
      "SIGNATURE_VERIFIER.REVOCATION_CHECK",
    ],
  });
} else if (command === "generate-envelope") {
  const signer = await LocalSigner.create({
    privateKey: await Deno.readTextFile(config.key!),
    certificateChain: await Deno.readTextFile(config.cert!),
  });
  const asked = fromBase64(request.payload);
  const payload = lie === "other-payload"
    ? createPayload({
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      digest: `sha256:${"0".repeat(64)}`,
      size: 1,
    })
    : asked;
  const jws = request.signatureEnvelopeType === "application/jose+json";
  const seconds = lie === "expiry" ? 3600 : request.expiryDurationInSeconds;
  const signingTime = new Date(Math.floor(Date.now() / 1000) * 1000);
  let envelope = await signEnvelope({
    format: jws ? "jws" : "cose",
    payload,
    signer,
    signingTime,
    signingAgent: "fake-envelope-plugin/1.0.0",
    ...(config.minVersion
      ? {
        extendedAttributes: [
          { key: "io.cncf.notary.verificationPlugin", value: name, critical: true },
          {
            key: "io.cncf.notary.verificationPluginMinVersion",
            value: config.minVersion,
            critical: true,
          },
          { key: "io.example.tier", value: "gold", critical: true },
        ],
      }
      : {}),
    ...(seconds ? { expiry: new Date(signingTime.getTime() + seconds * 1000) } : {}),
  });
  if (lie === "bad-signature" && jws) {
    const doc = JSON.parse(new TextDecoder().decode(envelope));
    doc.signature = (doc.signature[0] === "A" ? "B" : "A") + doc.signature.slice(1);
    envelope = new TextEncoder().encode(JSON.stringify(doc));
  } else if (lie === "bad-signature") envelope[envelope.length - 5]! ^= 1;
  if (lie === "junk") envelope = new TextEncoder().encode("not an envelope");
  if (lie === "oversized") envelope = new Uint8Array(33 << 20).fill(0x20);
  answer({
    signatureEnvelope: toBase64(envelope),
    signatureEnvelopeType: lie === "other-type"
      ? (jws ? "application/cose" : "application/jose+json")
      : request.signatureEnvelopeType,
    annotations: { "io.example.plugin": "fake" },
  });
} else if (command === "verify-signature") {
  if (config.record) await Deno.writeTextFile(config.record, JSON.stringify(request));
  const verify = config.verify ?? "trusted";
  if (verify === "exit") {
    console.error(
      JSON.stringify({ errorCode: "ERROR", errorMessage: "the signer service is down" }),
    );
    Deno.exit(1);
  }
  if (verify === "hang") {
    setInterval(() => {}, 1000); // alive, silent, until killed
    await new Promise(() => {});
  }
  if (verify === "junk") {
    Deno.stdout.writeSync(new TextEncoder().encode("<html>oops</html>"));
    Deno.exit(0);
  }
  const results: Record<string, unknown> = {};
  for (const capability of request.trustPolicy.signatureVerification) {
    const fails =
      (verify === "untrusted" && capability === "SIGNATURE_VERIFIER.TRUSTED_IDENTITY") ||
      (verify === "revoked" && capability === "SIGNATURE_VERIFIER.REVOCATION_CHECK");
    results[capability] = fails
      ? { success: false, reason: verify === "revoked" ? "profile revoked" : "not our signer" }
      : { success: true };
  }
  answer({
    verificationResults: verify === "no-result" ? {} : results,
    processedAttributes: verify === "unprocessed" ? [] : request.signature.unprocessedAttributes,
  });
} else {
  console.error(JSON.stringify({
    errorCode: "VALIDATION_ERROR",
    errorMessage: `unsupported command ${command}`,
  }));
  Deno.exit(1);
}
