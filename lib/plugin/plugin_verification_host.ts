/**
 * Runs installed notation plugins for signatures that name a verification plugin: metadata
 * from `get-plugin-metadata`, then `verify-signature` with the request shape notation-go sends
 * (critical attributes with Go's zero time for an absent expiry, the unprocessed attributes, the
 * chain as padded base64, the policy's trusted identities and the capabilities to verify).
 *
 * @module
 */
import { toBase64 } from "../_internal/bytes.ts";
import { formatRfc3339 } from "../sign/signature_manifest.ts";
import type {
  OpenedVerificationPlugin,
  VerificationPluginHost,
  VerifySignatureInput,
} from "../verify/verification_plugin.ts";
import type { PluginRunner } from "./plugin_signer.ts";
import { checkMetadata, checkVerifySignature, CONTRACT_VERSION } from "./protocol.ts";

/** Go's zero `time.Time`, as notation-go sends an absent expiry. */
const GO_ZERO_TIME = "0001-01-01T00:00:00Z";

/**
 * A {@linkcode VerificationPluginHost} over plugin runners.
 *
 * @example
 * ```ts ignore
 * import { PluginVerificationHost } from "./plugin_verification_host.ts";
 * const host = new PluginVerificationHost((name) => pluginRunner(io, name), {});
 * ```
 */
export class PluginVerificationHost implements VerificationPluginHost {
  readonly #runnerFor: (name: string) => Promise<PluginRunner>;
  readonly #pluginConfig: Record<string, string>;

  /**
   * @param runnerFor Finds an installed plugin (throws ERR_NOT_FOUND when it is not).
   * @param pluginConfig `pluginConfig` sent with every request (`--plugin-config`).
   */
  constructor(
    runnerFor: (name: string) => Promise<PluginRunner>,
    pluginConfig: Record<string, string> = {},
  ) {
    this.#runnerFor = runnerFor;
    this.#pluginConfig = pluginConfig;
  }

  /**
   * Opens the plugin and reads its metadata.
   * @param name The plugin's name.
   * @returns Its version, capabilities and `verify-signature`.
   */
  async open(name: string): Promise<OpenedVerificationPlugin> {
    const runner = await this.#runnerFor(name);
    const pluginConfig = this.#pluginConfig;
    const metadata = checkMetadata(
      await runner.run("get-plugin-metadata", { pluginConfig }),
      name,
    );
    return {
      version: metadata.version,
      capabilities: metadata.capabilities,
      async verifySignature(input: VerifySignatureInput) {
        return checkVerifySignature(
          await runner.run("verify-signature", verifyRequest(input, pluginConfig)),
          name,
        );
      },
    };
  }
}

function verifyRequest(input: VerifySignatureInput, pluginConfig: Record<string, string>) {
  const { signerInfo, payload } = input.content;
  const attrs = signerInfo.signedAttributes;
  const extendedAttributes = Object.fromEntries(
    attrs.extendedAttributes
      .filter((a) => input.unprocessedAttributes.includes(a.key))
      .map((a) => [a.key, a.value]),
  );
  return {
    contractVersion: CONTRACT_VERSION,
    signature: {
      criticalAttributes: {
        contentType: payload.contentType,
        signingScheme: attrs.signingScheme,
        expiry: attrs.expiry ? formatRfc3339(attrs.expiry) : GO_ZERO_TIME,
        ...(attrs.signingScheme === "notary.x509.signingAuthority"
          ? { authenticSigningTime: formatRfc3339(attrs.signingTime) }
          : {}),
        extendedAttributes,
      },
      unprocessedAttributes: input.unprocessedAttributes,
      certificateChain: signerInfo.certificateChain.map((der) => toBase64(der)),
    },
    trustPolicy: {
      trustedIdentities: input.trustedIdentities,
      signatureVerification: input.capabilities,
    },
    pluginConfig,
  };
}
