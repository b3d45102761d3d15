/**
 * An {@linkcode EnvelopeSigner} backed by a notation plugin with `SIGNATURE_GENERATOR.ENVELOPE`
 * (AWS Signer, for one): the plugin builds the whole envelope with `generate-envelope`, as
 * notation-go asks for it; lib/sign checks the envelope before it is stored.
 *
 * @module
 */
import { toBase64 } from "../_internal/bytes.ts";
import { MEDIA_TYPE_NOTARY_PAYLOAD } from "../oci/media_types.ts";
import type {
  EnvelopeRequest,
  EnvelopeSigner,
  GeneratedEnvelope,
} from "../sign/premade_envelope.ts";
import type { PluginSignerOptions } from "./plugin_signer.ts";
import { checkGenerateEnvelope, CONTRACT_VERSION } from "./protocol.ts";

/**
 * Has an envelope-generating plugin sign.
 *
 * @example
 * ```ts ignore
 * import { PluginEnvelopeSigner } from "./plugin_envelope_signer.ts";
 * const signer = new PluginEnvelopeSigner({ plugin: "aws-signer", runner, keyId: "arn:..." });
 * ```
 */
export class PluginEnvelopeSigner implements EnvelopeSigner {
  readonly generatesEnvelopes = true;
  readonly name: string;
  readonly #options: PluginSignerOptions;

  /** @param options The plugin, its runner, the key id and config. */
  constructor(options: PluginSignerOptions) {
    this.#options = options;
    this.name = `plugin ${JSON.stringify(options.plugin)}`;
  }

  /**
   * Sends `generate-envelope` and checks the answer's shape.
   * @param request The payload, envelope type and expiry.
   * @returns The envelope, its type and the manifest annotations.
   */
  async generateEnvelope(request: EnvelopeRequest): Promise<GeneratedEnvelope> {
    const o = this.#options;
    const answer = checkGenerateEnvelope(
      await o.runner.run("generate-envelope", {
        contractVersion: CONTRACT_VERSION,
        keyId: o.keyId,
        payloadType: MEDIA_TYPE_NOTARY_PAYLOAD,
        signatureEnvelopeType: request.mediaType,
        payload: toBase64(request.payload),
        pluginConfig: o.pluginConfig ?? {},
        ...(request.expirySeconds ? { expiryDurationInSeconds: request.expirySeconds } : {}),
      }),
      o.plugin,
    );
    return {
      bytes: answer.signatureEnvelope,
      mediaType: answer.signatureEnvelopeType,
      annotations: answer.annotations,
    };
  }
}
