/**
 * A {@linkcode Signer} backed by a notation plugin with `SIGNATURE_GENERATOR.RAW`: the plugin
 * holds the key (a cloud KMS, a smartcard, ...), ocisign builds the envelope. Every answer is
 * checked: the key id echoed, the key spec's algorithm, a chain whose leaf has the key spec,
 * and a signature that verifies with the leaf. As notation does, the chain is learnt from the
 * first generate-signature answer (the envelope's chain is read once it is signed); a later
 * answer must carry the same chain.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { toBase64 } from "../_internal/bytes.ts";
import { KeyInvalidError } from "../errors.ts";
import type { Signer } from "../signature/signer.ts";
import type { Certificate } from "../x509/certificate.ts";
import type { KeySpec } from "../x509/key_spec.ts";
import { checkDescribeKey, checkGenerateSignature, CONTRACT_VERSION } from "./protocol.ts";
import type { PluginCommand } from "./protocol.ts";

/** Runs one plugin command: the request in, the parsed JSON response out (or a typed error). */
export interface PluginRunner {
  /** Runs `command` with `request` on stdin and returns the JSON it wrote to stdout. */
  run(command: PluginCommand, request: unknown): Promise<unknown>;
}

/** Options of {@linkcode PluginSigner.create}. */
export interface PluginSignerOptions {
  /** The plugin's name (its directory name). */
  plugin: string;
  /** Runs the plugin. */
  runner: PluginRunner;
  /** The key id (`--id`). */
  keyId: string;
  /** `pluginConfig` sent with every request. */
  pluginConfig?: Record<string, string>;
}

function sameChain(a: readonly Certificate[], b: readonly Certificate[]): boolean {
  return a.length === b.length && a.every((c, i) => c.equals(b[i]!));
}

/**
 * Signs through a RAW notation plugin.
 *
 * @example
 * ```ts ignore
 * import { PluginSigner } from "./plugin_signer.ts";
 * const signer = await PluginSigner.create({ plugin: "azure-kv", runner, keyId: "https://..." });
 * ```
 */
export class PluginSigner implements Signer {
  /** The key spec the plugin described. */
  readonly keySpec: KeySpec;
  readonly #options: PluginSignerOptions;
  #chain: readonly Certificate[] = [];

  private constructor(options: PluginSignerOptions, spec: KeySpec) {
    this.#options = options;
    this.keySpec = spec;
  }

  /** The chain the plugin returned with its first signature, leaf first (empty before). */
  get certificateChain(): readonly Certificate[] {
    return this.#chain;
  }

  /**
   * Describes the key of a plugin whose metadata has the RAW capability (see
   * {@linkcode openPluginSigner}); checks the answer.
   * @param options The plugin, its runner, the key id and config.
   * @returns The signer.
   * @throws {InvalidInputError} ERR_INVALID_INPUT for a malformed or mismatching answer.
   */
  static async create(options: PluginSignerOptions): Promise<PluginSigner> {
    const config = options.pluginConfig ?? {};
    const spec = checkDescribeKey(
      await options.runner.run("describe-key", {
        contractVersion: CONTRACT_VERSION,
        keyId: options.keyId,
        pluginConfig: config,
      }),
      options.plugin,
      options.keyId,
    );
    return new PluginSigner(options, spec);
  }

  /**
   * Has the plugin sign `data`; the answer must verify with its leaf and, after the first,
   * carry the same chain as the first.
   * @param data The bytes to sign.
   * @returns The signature.
   */
  async sign(data: Bytes): Promise<Bytes> {
    const { signature, certificateChain } = await generate(this.#options, this.keySpec, data);
    if (this.#chain.length === 0) this.#chain = certificateChain;
    else if (!sameChain(certificateChain, this.#chain)) {
      throw new KeyInvalidError(
        `plugin ${
          JSON.stringify(this.#options.plugin)
        } returned another certificate chain than before; nothing was signed`,
      );
    }
    return signature;
  }
}

/** One generate-signature round trip, with every check. */
async function generate(
  options: PluginSignerOptions,
  spec: KeySpec,
  data: Uint8Array,
): Promise<{ signature: Bytes; certificateChain: Certificate[] }> {
  const answer = checkGenerateSignature(
    await options.runner.run("generate-signature", {
      contractVersion: CONTRACT_VERSION,
      keyId: options.keyId,
      keySpec: spec.name,
      hashAlgorithm: spec.hash,
      payload: toBase64(data),
      pluginConfig: options.pluginConfig ?? {},
    }),
    options.plugin,
    options.keyId,
    spec,
  );
  const leaf = answer.certificateChain[0]!;
  const plugin = JSON.stringify(options.plugin);
  if (leaf.keySpec() !== spec) {
    throw new KeyInvalidError(
      `plugin ${plugin} described a ${spec.name} key but its certificate "${leaf.subject}" holds ${leaf.keySpec().name}`,
    );
  }
  const ok = await crypto.subtle.verify(
    spec.signParams,
    await leaf.publicKey(),
    answer.signature,
    data as Bytes,
  ).catch(() => false);
  if (!ok) {
    throw new KeyInvalidError(
      `the signature plugin ${plugin} returned does not verify with its certificate "${leaf.subject}"; nothing was signed`,
    );
  }
  return answer;
}
